/** Tenant id rules of `@azure/identity`: format check and the additionally-allowed list. */
import { CredentialUnavailableError } from '../errors'

const TENANT_ID = /^[0-9a-zA-Z-.]+$/

export function checkTenantId(tenantId: string): void {
  if (!TENANT_ID.test(tenantId)) {
    throw new Error(
      'Invalid tenant id provided. You can locate your tenant id by following the instructions listed here: https://learn.microsoft.com/partner-center/find-ids-and-domain-names.',
    )
  }
}

/** The option, else `AZURE_ADDITIONALLY_ALLOWED_TENANTS` split on ';'. */
export function resolveAdditionallyAllowedTenants(option?: string[]): string[] {
  if (option) return option
  return (process.env.AZURE_ADDITIONALLY_ALLOWED_TENANTS ?? '').split(';').map((t) => t.trim()).filter(Boolean)
}

/**
 * The tenant a request goes to: the configured one, or `requested` when it is allowed.
 * Returns undefined when it is the configured tenant (so both share one cache entry).
 */
export function resolveTenant(configured: string, requested: string | undefined, allowed: string[]): string | undefined {
  if (requested === undefined || requested === configured) return undefined
  if (process.env.AZURE_IDENTITY_DISABLE_MULTITENANTAUTH || configured === 'adfs') return undefined
  checkTenantId(requested)
  if (!allowed.includes('*') && !allowed.some((t) => t.localeCompare(requested) === 0)) {
    throw new CredentialUnavailableError(
      `The current credential is not configured to acquire tokens for tenant ${requested}. To enable acquiring tokens for this tenant add it to the AdditionallyAllowedTenants on the credential options, or add "*" to AdditionallyAllowedTenants to allow acquiring tokens for any tenant.`,
    )
  }
  return requested
}
