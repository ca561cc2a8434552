/** Options of DefaultAzureCredential, as `@azure/identity` names them, plus exclude flags. */
import type { MultiTenantTokenCredentialOptions } from '../tokenCredential'

export interface DefaultAzureCredentialOptions extends MultiTenantTokenCredentialOptions {
  /** Tenant for the developer tool credentials. */
  tenantId?: string
  /** User-assigned managed identity by client id; default `AZURE_CLIENT_ID`. */
  managedIdentityClientId?: string
  /** User-assigned managed identity by resource id; wins over the client ids. */
  managedIdentityResourceId?: string
  /** Client id for workload identity; default: the managed identity client id. */
  workloadIdentityClientId?: string
  /** Timeout of the developer tools (az, azd, pwsh); default 10,000 ms. */
  processTimeoutInMs?: number
  /** Variables that must be set and non-empty, checked at construction. */
  requiredEnvVars?: string | string[]
  excludeEnvironmentCredential?: boolean
  excludeWorkloadIdentityCredential?: boolean
  excludeManagedIdentityCredential?: boolean
  excludeAzureCliCredential?: boolean
  excludeAzureDeveloperCliCredential?: boolean
  excludeAzurePowerShellCredential?: boolean
}
