/** App-only tokens for a service principal with a client secret. */
import native from '../native'
import type { GetTokenOptions, MultiTenantTokenCredentialOptions } from '../tokenCredential'
import { nativeTokenCache } from '../tokenCache'
import { resolveAuthorityHost } from '../util/authorityHost'
import { checkTenantId, resolveAdditionallyAllowedTenants, resolveTenant } from '../util/tenant'
import { NativeBackedCredential, createNative, nativeRetry } from './nativeBackedCredential'

export type ClientSecretCredentialOptions = MultiTenantTokenCredentialOptions

export class ClientSecretCredential extends NativeBackedCredential {
  private readonly tenantId: string
  private readonly additionallyAllowedTenants: string[]

  constructor(tenantId: string, clientId: string, clientSecret: string, options: ClientSecretCredentialOptions = {}) {
    if (!tenantId || !clientId || !clientSecret) {
      throw new Error(
        'ClientSecretCredential: tenantId, clientId, and clientSecret are required parameters. To troubleshoot, visit https://aka.ms/azsdk/js/identity/serviceprincipalauthentication/troubleshoot.',
      )
    }
    checkTenantId(tenantId)
    const authorityHost = resolveAuthorityHost(options.authorityHost)
    const engine = createNative(() =>
      native.NativeCredential.clientSecret({
        authorityHost,
        tenantId,
        clientId,
        clientSecret,
        retry: nativeRetry(options.retryOptions, options.requestTimeoutInMs),
        tokenCache: nativeTokenCache(options.tokenCache),
      }),
    )
    super('ClientSecretCredential', engine)
    this.tenantId = tenantId
    this.additionallyAllowedTenants = resolveAdditionallyAllowedTenants(options.additionallyAllowedTenants)
  }

  protected override resolveTenant(options: GetTokenOptions | undefined): string | undefined {
    return resolveTenant(this.tenantId, options?.tenantId, this.additionallyAllowedTenants)
  }
}
