/**
 * A service principal described by environment variables, as `@azure/identity` reads
 * them: a client secret first, then a client certificate.
 */
import { AbortError, AuthenticationError, CredentialUnavailableError } from '../errors'
import type { AccessToken, GetTokenOptions, MultiTenantTokenCredentialOptions, TokenCredential } from '../tokenCredential'
import { checkTenantId, resolveAdditionallyAllowedTenants } from '../util/tenant'
import { ClientCertificateCredential } from './clientCertificateCredential'
import { ClientSecretCredential } from './clientSecretCredential'

export type EnvironmentCredentialOptions = MultiTenantTokenCredentialOptions

type Env = Record<string, string | undefined>

const TROUBLESHOOT = 'To troubleshoot, visit https://aka.ms/azsdk/js/identity/environmentcredential/troubleshoot.'

interface CertificateSettings {
  tenantId: string
  clientId: string
  certificatePath: string
  certificatePassword?: string
  sendCertificateChain: boolean
  options: EnvironmentCredentialOptions
}

function certificateCredential(s: CertificateSettings): TokenCredential {
  return new ClientCertificateCredential(
    s.tenantId,
    s.clientId,
    { certificatePath: s.certificatePath, certificatePassword: s.certificatePassword },
    { ...s.options, sendCertificateChain: s.sendCertificateChain },
  )
}

const isSet = (env: Env, name: string): boolean => (env[name] ?? '') !== ''

/** Which variables are missing for the secret and the certificate forms, in words. */
function missingMessage(env: Env): string {
  const common = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID'].filter((n) => !isSet(env, n))
  const hasCredential = isSet(env, 'AZURE_CLIENT_SECRET') || isSet(env, 'AZURE_CLIENT_CERTIFICATE_PATH')
  const missing = hasCredential ? common : [...common, 'AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH)']
  return `EnvironmentCredential is unavailable: it needs AZURE_TENANT_ID, AZURE_CLIENT_ID and either AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH. Missing: ${missing.join(', ')}. ${TROUBLESHOOT}`
}

export class EnvironmentCredential implements TokenCredential {
  readonly credentialName = 'EnvironmentCredential'
  private readonly credential?: TokenCredential
  private readonly unavailable?: Error

  constructor(options: EnvironmentCredentialOptions = {}) {
    const env = process.env
    const tenantId = env.AZURE_TENANT_ID ?? ''
    const clientId = env.AZURE_CLIENT_ID ?? ''
    const innerOptions = { ...options, additionallyAllowedTenants: resolveAdditionallyAllowedTenants(options.additionallyAllowedTenants) }
    if (tenantId !== '') checkTenantId(tenantId)
    if (tenantId === '' || clientId === '') {
      this.unavailable = new CredentialUnavailableError(missingMessage(env))
    } else if (isSet(env, 'AZURE_CLIENT_SECRET')) {
      this.credential = new ClientSecretCredential(tenantId, clientId, env.AZURE_CLIENT_SECRET as string, innerOptions)
    } else if (isSet(env, 'AZURE_CLIENT_CERTIFICATE_PATH')) {
      try {
        this.credential = certificateCredential({
          tenantId,
          clientId,
          certificatePath: env.AZURE_CLIENT_CERTIFICATE_PATH as string,
          certificatePassword: env.AZURE_CLIENT_CERTIFICATE_PASSWORD || undefined,
          sendCertificateChain: /^(true|1)$/i.test(env.AZURE_CLIENT_SEND_CERTIFICATE_CHAIN?.trim() ?? ''),
          options: innerOptions,
        })
      } catch (e) {
        this.unavailable = e as Error
      }
    } else {
      this.unavailable = new CredentialUnavailableError(missingMessage(env))
    }
  }

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    if (!this.credential) throw this.unavailable ?? new CredentialUnavailableError(missingMessage(process.env))
    let token: AccessToken | null
    try {
      token = await this.credential.getToken(scopes, options)
    } catch (e) {
      if (e instanceof AbortError || e instanceof TypeError) throw e
      // As @azure/identity: a configured service principal that fails stops a chain. The
      // inner error stays as `cause`, and its AADSTS code and correlation id stay readable.
      const inner = e as Partial<AuthenticationError> & { message?: string }
      throw new AuthenticationError(
        400,
        {
          error: `EnvironmentCredential authentication failed. ${TROUBLESHOOT}`,
          errorDescription: String(inner.message ?? e).split('More details:').join(''),
          ...(inner.errorResponse?.errorCodes ? { errorCodes: inner.errorResponse.errorCodes } : {}),
          ...(inner.errorResponse?.correlationId ? { correlationId: inner.errorResponse.correlationId } : {}),
          ...(inner.errorResponse?.traceId ? { traceId: inner.errorResponse.traceId } : {}),
        },
        { cause: e },
      )
    }
    if (!token) throw new CredentialUnavailableError('EnvironmentCredential: the underlying credential returned no token.')
    return token
  }
}
