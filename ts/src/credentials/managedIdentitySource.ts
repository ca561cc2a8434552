/** Which managed identity endpoint this environment offers, in `@azure/identity`'s order. */

export type ManagedIdentitySourceName = 'serviceFabric' | 'appService' | 'azureMl' | 'cloudShell' | 'azureArc' | 'imds'

type Env = Record<string, string | undefined>

const set = (env: Env, name: string): boolean => (env[name] ?? '') !== ''

export function detectManagedIdentitySource(env: Env): ManagedIdentitySourceName {
  if (set(env, 'IDENTITY_ENDPOINT') && set(env, 'IDENTITY_HEADER') && set(env, 'IDENTITY_SERVER_THUMBPRINT')) return 'serviceFabric'
  if (set(env, 'IDENTITY_ENDPOINT') && set(env, 'IDENTITY_HEADER')) return 'appService'
  if (set(env, 'MSI_ENDPOINT') && set(env, 'MSI_SECRET')) return 'azureMl'
  if (set(env, 'MSI_ENDPOINT')) return 'cloudShell'
  if (set(env, 'IDENTITY_ENDPOINT') && set(env, 'IMDS_ENDPOINT')) return 'azureArc'
  return 'imds'
}

/** `AZURE_POD_IDENTITY_AUTHORITY_HOST` replaces the IMDS base address when set. */
export function imdsEndpoint(env: Env): string {
  const override = env.AZURE_POD_IDENTITY_AUTHORITY_HOST?.trim()
  return (override ? override : 'http://169.254.169.254').replace(/\/+$/, '')
}
