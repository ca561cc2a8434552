/**
 * What the az, azd and pwsh credentials share: the tool runs in the Rust engine (argv,
 * fixed working directory, timeout, capped output), so its tokens get the engine's cache
 * and single flight. Here: tenant rules and the scope checks done before the native call.
 */
import type native from '../native'
import type { GetTokenOptions, MultiTenantTokenCredentialOptions } from '../tokenCredential'
import { nativeTokenCache } from '../tokenCache'
import type { NativeTokenCacheOptions } from '../tokenCache'
import { checkTenantId, resolveAdditionallyAllowedTenants, resolveTenant } from '../util/tenant'
import { NativeBackedCredential } from './nativeBackedCredential'

export interface DeveloperCliCredentialOptions extends MultiTenantTokenCredentialOptions {
  /** The tenant to ask the tool for; default: the tool's own. */
  tenantId?: string
  /** The tool is stopped after this long (default 10,000 ms). */
  processTimeoutInMs?: number
}

type NativeCredential = InstanceType<typeof native.NativeCredential>

/** Checks the shared options and turns them into the native ones. */
export function nativeCliOptions(options: DeveloperCliCredentialOptions): { tenantId?: string; processTimeoutInMs?: number; tokenCache?: NativeTokenCacheOptions } {
  if (options.tenantId) checkTenantId(options.tenantId)
  const t = options.processTimeoutInMs
  if (t !== undefined && (!Number.isFinite(t) || t <= 0)) {
    throw new RangeError(`processTimeoutInMs must be a positive number of milliseconds, got ${String(t)}.`)
  }
  return {
    tenantId: options.tenantId || undefined,
    processTimeoutInMs: t === undefined ? undefined : Math.min(Math.ceil(t), 0xffffffff),
    tokenCache: nativeTokenCache(options.tokenCache),
  }
}

export abstract class DeveloperCliCredential extends NativeBackedCredential {
  private readonly tenantId?: string
  private readonly additionallyAllowedTenants: string[]

  protected constructor(name: string, engine: NativeCredential, options: DeveloperCliCredentialOptions) {
    super(name, engine)
    this.tenantId = options.tenantId || undefined
    this.additionallyAllowedTenants = resolveAdditionallyAllowedTenants(options.additionallyAllowedTenants)
  }

  /** With no configured tenant, any requested tenant goes to the tool (as `@azure/identity`). */
  protected override resolveTenant(options: GetTokenOptions | undefined): string | undefined {
    const requested = options?.tenantId
    if (this.tenantId !== undefined) return resolveTenant(this.tenantId, requested, this.additionallyAllowedTenants)
    if (requested === undefined || process.env.AZURE_IDENTITY_DISABLE_MULTITENANTAUTH) return undefined
    checkTenantId(requested)
    return requested
  }
}
