/**
 * Error classes with msal-node's names and fields, for the MSAL-style API. Server
 * refusals are `ServerError` (with the OAuth `errorCode`), local problems `ClientAuthError`
 * and bad configuration `ClientConfigurationError`.
 */
import { AuthenticationError, CredentialUnavailableError, TransientAuthenticationError } from '../errors'

export class AuthError extends Error {
  errorCode: string
  errorMessage: string
  subError: string
  correlationId: string
  constructor(errorCode = '', errorMessage = '', subError = '', correlationId = '') {
    super(errorCode ? `${errorCode}: ${errorMessage}` : errorMessage)
    this.name = 'AuthError'
    this.errorCode = errorCode
    this.errorMessage = errorMessage
    this.subError = subError
    this.correlationId = correlationId
  }
}

/** The token endpoint refused; `errorNo` is the AADSTS code, `status` the HTTP status. */
export class ServerError extends AuthError {
  errorNo?: string
  status?: number
  /** Milliseconds to wait, when the endpoint throttled (Retry-After). */
  retryAfterMs?: number
  constructor(errorCode: string, errorMessage: string, fields: { correlationId?: string; errorNo?: string; status?: number; retryAfterMs?: number } = {}) {
    super(errorCode, errorMessage, '', fields.correlationId ?? '')
    this.name = 'ServerError'
    this.errorNo = fields.errorNo
    this.status = fields.status
    if (fields.retryAfterMs !== undefined) this.retryAfterMs = fields.retryAfterMs
  }
}

export class ClientAuthError extends AuthError {
  constructor(errorCode: string, errorMessage: string) {
    super(errorCode, errorMessage)
    this.name = 'ClientAuthError'
  }
}

export class ClientConfigurationError extends AuthError {
  constructor(errorCode: string, errorMessage: string) {
    super(errorCode, errorMessage)
    this.name = 'ClientConfigurationError'
  }
}

/** Maps an azid error to the msal-node class a caller of that API expects. */
export function toMsalError(e: unknown): Error {
  if (e instanceof TransientAuthenticationError && e.statusCode === 0) {
    return Object.assign(new ClientAuthError('network_error', e.message), { cause: e })
  }
  if (e instanceof AuthenticationError) {
    const r = e.errorResponse
    return Object.assign(
      new ServerError(r.error, e.message, {
        correlationId: r.correlationId,
        errorNo: r.errorCodes?.[0]?.toString(),
        status: e.statusCode,
        retryAfterMs: e instanceof TransientAuthenticationError ? e.retryAfterMs : undefined,
      }),
      { cause: e },
    )
  }
  if (e instanceof CredentialUnavailableError) return Object.assign(new ClientAuthError('credential_unavailable', e.message), { cause: e })
  if (e instanceof TypeError) return new ClientConfigurationError('invalid_request_parameter', e.message)
  return e instanceof Error ? e : new Error(String(e))
}
