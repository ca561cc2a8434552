/**
 * What every Entra ID credential (secret, certificate, assertion, workload identity,
 * pipelines, on-behalf-of) shares: the native options and the multi-tenant rule.
 */
import native from '../native'
import type { GetTokenOptions, MultiTenantTokenCredentialOptions } from '../tokenCredential'
import { resolveAuthorityHost } from '../util/authorityHost'
import { checkTenantId, resolveAdditionallyAllowedTenants, resolveTenant } from '../util/tenant'
import { nativeTokenCache } from '../tokenCache'
import { NativeBackedCredential, nativeRetry } from './nativeBackedCredential'
import type { NativeAuth } from './nativeBackedCredential'

export interface EntraCredentialOptions extends MultiTenantTokenCredentialOptions {
  /**
   * ESTS-R region, e.g. `westus2`, or `TryAutoDetect` (reads `REGION_NAME` only; azid
   * never asks IMDS). Defaults to `AZURE_REGIONAL_AUTHORITY_NAME`.
   */
  regionalAuthority?: string
  /** msal-node's name for `regionalAuthority`. */
  azureRegion?: string
}

/** The options object the engine's factories take as `entra`. */
export function entraNativeOptions(tenantId: string, clientId: string, options: EntraCredentialOptions) {
  checkTenantId(tenantId)
  return {
    authorityHost: resolveAuthorityHost(options.authorityHost),
    tenantId,
    clientId,
    retry: nativeRetry(options.retryOptions, options.requestTimeoutInMs),
    regionalAuthority: options.regionalAuthority ?? options.azureRegion ?? process.env.AZURE_REGIONAL_AUTHORITY_NAME,
    regionName: process.env.REGION_NAME,
    tokenCache: nativeTokenCache(options.tokenCache),
  }
}

/** An engine-backed Entra ID credential with `additionallyAllowedTenants`. */
export abstract class EntraCredential extends NativeBackedCredential {
  private readonly tenantId: string
  private readonly additionallyAllowedTenants: string[]

  protected constructor(name: string, engine: InstanceType<typeof native.NativeCredential>, tenantId: string, options: EntraCredentialOptions) {
    super(name, engine)
    this.tenantId = tenantId
    this.additionallyAllowedTenants = resolveAdditionallyAllowedTenants(options.additionallyAllowedTenants)
  }

  protected override resolveTenant(options: GetTokenOptions | undefined): string | undefined {
    return resolveTenant(this.tenantId, options?.tenantId, this.additionallyAllowedTenants)
  }

  /** Native clients (Key Vault) take tokens from the engine with this credential's tenant rules. */
  override nativeAuth(): NativeAuth {
    return {
      engine: this.engine,
      homeTenant: this.tenantId,
      additionallyAllowedTenants: this.additionallyAllowedTenants,
      tenantPinned: Boolean(process.env.AZURE_IDENTITY_DISABLE_MULTITENANTAUTH) || this.tenantId === 'adfs',
    }
  }
}
