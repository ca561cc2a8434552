/**
 * Error classes with the names and fields of `@azure/identity`, plus the transient
 * kinds azid adds. `fromNative` rebuilds them from the engine's JSON errors.
 */
import type { GetTokenOptions } from './tokenCredential'

export const CredentialUnavailableErrorName = 'CredentialUnavailableError'
export const AuthenticationErrorName = 'AuthenticationError'
export const AggregateAuthenticationErrorName = 'AggregateAuthenticationError'
export const TransientAuthenticationErrorName = 'TransientAuthenticationError'
export const AuthenticationRequiredErrorName = 'AuthenticationRequiredError'
export const DeveloperToolErrorName = 'DeveloperToolError'

/** The credential cannot be used in this environment; a chain moves on to the next one. */
export class CredentialUnavailableError extends Error {
  /** HTTP status, when an endpoint answered (e.g. IMDS 'Identity not found'). */
  readonly statusCode?: number
  readonly errorResponse?: ErrorResponse
  constructor(message?: string, options?: { cause?: unknown; statusCode?: number; errorResponse?: ErrorResponse }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = CredentialUnavailableErrorName
    if (options?.statusCode !== undefined) this.statusCode = options.statusCode
    if (options?.errorResponse !== undefined) this.errorResponse = options.errorResponse
  }
}

/** The OAuth error body of Entra ID, with `@azure/identity`'s field names. */
export interface ErrorResponse {
  error: string
  errorDescription: string
  errorCodes?: number[]
  timestamp?: number | string
  traceId?: string
  correlationId?: string
}

interface OAuthErrorBody {
  error?: string
  error_description?: string
  error_codes?: number[]
  timestamp?: number | string
  trace_id?: string
  correlation_id?: string
}

/** Entra ID (or a managed identity endpoint) refused the request. */
export class AuthenticationError extends Error {
  readonly statusCode: number
  readonly errorResponse: ErrorResponse

  /**
   * As in `@azure/identity`: `errorBody` is the OAuth JSON body (object or string).
   * `options.message` replaces the default message.
   */
  constructor(statusCode: number, errorBody: object | string | undefined | null, options?: { cause?: unknown; message?: string }) {
    const errorResponse = toErrorResponse(statusCode, errorBody)
    super(
      options?.message ?? `${errorResponse.error} Status code: ${statusCode}\nMore details:\n${errorResponse.errorDescription},`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    )
    this.statusCode = statusCode
    this.errorResponse = errorResponse
    this.name = AuthenticationErrorName
  }
}

function toErrorResponse(statusCode: number, body: object | string | undefined | null): ErrorResponse {
  if (body && typeof body === 'object' && 'errorDescription' in body) return body as ErrorResponse
  let parsed: OAuthErrorBody | undefined
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as OAuthErrorBody
    } catch {
      parsed = undefined
    }
  } else if (body && typeof body === 'object') {
    parsed = body as OAuthErrorBody
  }
  if (!parsed || typeof parsed.error !== 'string') {
    return {
      error: statusCode === 400 ? 'invalid_request' : 'unknown_error',
      errorDescription: typeof body === 'string' ? body : 'An unknown error occurred and no additional details are available.',
    }
  }
  return {
    error: parsed.error,
    errorDescription: parsed.error_description ?? '',
    errorCodes: parsed.error_codes,
    timestamp: parsed.timestamp,
    traceId: parsed.trace_id,
    correlationId: parsed.correlation_id,
  }
}

/**
 * A transient failure (connection error, 408, 429, 5xx) that outlasted every retry.
 * It is an `AuthenticationError`, so code that checks for that keeps working.
 */
export class TransientAuthenticationError extends AuthenticationError {
  /** Host that failed. */
  readonly host: string
  /** Attempts made, the first included. */
  readonly attempts: number
  /** The server's Retry-After, in milliseconds, when it sent one. */
  readonly retryAfterMs?: number
  constructor(message: string, fields: { statusCode?: number; errorResponse?: ErrorResponse; host: string; attempts: number; retryAfterMs?: number }) {
    super(fields.statusCode ?? 0, fields.errorResponse ?? { error: 'network_error', errorDescription: message }, { message })
    this.name = TransientAuthenticationErrorName
    this.host = fields.host
    this.attempts = fields.attempts
    if (fields.retryAfterMs !== undefined) this.retryAfterMs = fields.retryAfterMs
  }
}

/**
 * A developer tool (az, azd, pwsh) ran and failed in a way that logging in does not fix.
 * It is an `AuthenticationError`, so a chain stops here instead of hiding it. The message
 * quotes a short, cleaned excerpt of the tool's stderr, never its stdout.
 */
export class DeveloperToolError extends AuthenticationError {
  /** `az`, `azd` or `pwsh`. */
  readonly tool: string
  /** The tool's exit code; undefined when a signal ended it. */
  readonly exitCode?: number
  constructor(message: string, fields: { tool: string; exitCode?: number; errorResponse?: ErrorResponse }) {
    super(0, fields.errorResponse ?? { error: 'tool_error', errorDescription: message }, { message })
    this.name = DeveloperToolErrorName
    this.tool = fields.tool
    if (fields.exitCode !== undefined) this.exitCode = fields.exitCode
  }
}

/** The user must sign in interactively; as in `@azure/identity`, a chain moves on past it. */
export class AuthenticationRequiredError extends Error {
  readonly scopes: string[]
  readonly getTokenOptions?: GetTokenOptions
  constructor(options: { scopes: string[]; getTokenOptions?: GetTokenOptions; message?: string; cause?: unknown }) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause })
    this.scopes = options.scopes
    if (options.getTokenOptions !== undefined) this.getTokenOptions = options.getTokenOptions
    this.name = AuthenticationRequiredErrorName
  }
}

/**
 * Every credential of a chain failed; `errors` holds each one's error in order. The
 * message has one line per credential (`labels`, when given, name them).
 */
export class AggregateAuthenticationError extends Error {
  readonly errors: unknown[]
  constructor(errors: unknown[], errorMessage?: string, labels?: string[]) {
    const lines = errors.map((e, i) => {
      const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
      return labels?.[i] === undefined ? what : `- ${labels[i]}: ${what}`
    })
    super(`${errorMessage ?? 'Authentication failed.'}\n${lines.join('\n')}`)
    this.errors = errors
    this.name = AggregateAuthenticationErrorName
  }
}

/**
 * Key Vault refused or failed a request: `statusCode`, the service's `code` (e.g.
 * `SecretNotFound`, `Forbidden`, `Throttled`) and `innerCode` (e.g. `ForbiddenByRbac`,
 * `SecretDisabled`), and its message. azid adds `ChallengeResourceMismatch` (the vault asked
 * for a token outside its domain) and `NoChallenge`. Never carries a secret value.
 */
export class KeyVaultError extends Error {
  readonly statusCode: number
  readonly code: string
  readonly innerCode?: string
  /** The service's message, verbatim. */
  readonly serviceMessage: string
  readonly requestId?: string
  readonly attempts: number
  readonly retryAfterMs?: number
  constructor(
    message: string,
    fields: { statusCode: number; code: string; innerCode?: string; serviceMessage?: string; requestId?: string; attempts?: number; retryAfterMs?: number },
  ) {
    super(message)
    this.name = 'KeyVaultError'
    this.statusCode = fields.statusCode
    this.code = fields.code
    if (fields.innerCode !== undefined) this.innerCode = fields.innerCode
    this.serviceMessage = fields.serviceMessage ?? ''
    if (fields.requestId !== undefined) this.requestId = fields.requestId
    this.attempts = fields.attempts ?? 1
    if (fields.retryAfterMs !== undefined) this.retryAfterMs = fields.retryAfterMs
  }
}

/**
 * A certificate source gave a certificate that cannot be used (not PEM or PKCS#12, wrong
 * password, key and certificate do not match). The message names the problem, never the
 * key; the credential keeps signing with its previous certificate.
 */
export class InvalidCertificateError extends Error {
  /** The source's id (a path or a Key Vault secret URL; never the value). */
  readonly sourceId: string
  constructor(message: string, sourceId: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'InvalidCertificateError'
    this.sourceId = sourceId
  }
}

/** The caller's AbortSignal fired; other callers waiting on the same request are unaffected. */
export class AbortError extends Error {
  constructor(message = 'The operation was aborted.') {
    super(message)
    this.name = 'AbortError'
  }
}

interface NativeErrorJson {
  kind: 'unavailable' | 'authenticationFailed' | 'transientExhausted' | 'invalidArgument' | 'toolFailed' | 'keyVault'
  code?: string
  innerCode?: string | null
  serviceMessage?: string
  requestId?: string | null
  message: string
  statusCode?: number | null
  errorResponse?: (Omit<ErrorResponse, 'errorCodes'> & { errorCodes?: number[] }) | null
  host?: string
  attempts?: number
  retryAfterMs?: number | null
  tool?: string
  exitCode?: number | null
}

function cleanResponse(r: NativeErrorJson['errorResponse']): ErrorResponse | undefined {
  if (!r) return undefined
  const out: ErrorResponse = { error: r.error, errorDescription: r.errorDescription }
  if (r.errorCodes && r.errorCodes.length > 0) out.errorCodes = r.errorCodes
  if (r.correlationId) out.correlationId = r.correlationId
  if (r.traceId) out.traceId = r.traceId
  if (r.timestamp) out.timestamp = r.timestamp
  return out
}

/** Rebuilds a typed error from an error thrown by the native engine. */
export function fromNative(err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err)
  if (!message.startsWith('{')) return err instanceof Error ? err : new Error(message)
  let e: NativeErrorJson
  try {
    e = JSON.parse(message) as NativeErrorJson
  } catch {
    return err instanceof Error ? err : new Error(message)
  }
  const errorResponse = cleanResponse(e.errorResponse)
  switch (e.kind) {
    case 'unavailable':
      return new CredentialUnavailableError(e.message, { statusCode: e.statusCode ?? undefined, errorResponse })
    case 'authenticationFailed':
      return new AuthenticationError(e.statusCode ?? 0, errorResponse ?? null, { message: e.message })
    case 'transientExhausted':
      return new TransientAuthenticationError(e.message, {
        statusCode: e.statusCode ?? undefined,
        errorResponse,
        host: e.host ?? '',
        attempts: e.attempts ?? 0,
        retryAfterMs: e.retryAfterMs ?? undefined,
      })
    case 'toolFailed':
      return new DeveloperToolError(e.message, { tool: e.tool ?? '', exitCode: e.exitCode ?? undefined, errorResponse })
    case 'keyVault':
      return new KeyVaultError(e.message, {
        statusCode: e.statusCode ?? 0,
        code: e.code ?? 'Unknown',
        innerCode: e.innerCode ?? undefined,
        serviceMessage: e.serviceMessage ?? '',
        requestId: e.requestId ?? undefined,
        attempts: e.attempts ?? 1,
        retryAfterMs: e.retryAfterMs ?? undefined,
      })
    default:
      return new Error(e.message)
  }
}
