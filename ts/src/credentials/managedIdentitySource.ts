/** Which managed identity endpoint this environment offers, in `@azure/identity`'s order. */
import { existsSync } from 'node:fs'

export type ManagedIdentitySourceName = 'serviceFabric' | 'appService' | 'azureMl' | 'cloudShell' | 'azureArc' | 'imds'

type Env = Record<string, string | undefined>

/** The Connected Machine agent's binary: its presence alone means Azure Arc. */
const HIMDS_LINUX = '/opt/azcmagent/bin/himds'

const set = (env: Env, name: string): boolean => (env[name] ?? '') !== ''

function himdsInstalled(env: Env, exists: (path: string) => boolean): boolean {
  if (process.platform === 'win32') {
    const programFiles = env.ProgramFiles ?? env.PROGRAMFILES
    return programFiles !== undefined && exists(`${programFiles}\\AzureConnectedMachineAgent\\himds.exe`)
  }
  return process.platform === 'linux' && exists(HIMDS_LINUX)
}

export function detectManagedIdentitySource(env: Env, exists: (path: string) => boolean = existsSync): ManagedIdentitySourceName {
  if (set(env, 'IDENTITY_ENDPOINT') && set(env, 'IDENTITY_HEADER') && set(env, 'IDENTITY_SERVER_THUMBPRINT')) return 'serviceFabric'
  if (set(env, 'IDENTITY_ENDPOINT') && set(env, 'IDENTITY_HEADER')) return 'appService'
  if (set(env, 'MSI_ENDPOINT') && set(env, 'MSI_SECRET')) return 'azureMl'
  if (set(env, 'MSI_ENDPOINT')) return 'cloudShell'
  if ((set(env, 'IDENTITY_ENDPOINT') && set(env, 'IMDS_ENDPOINT')) || himdsInstalled(env, exists)) return 'azureArc'
  return 'imds'
}

/** `AZURE_POD_IDENTITY_AUTHORITY_HOST` replaces the IMDS base address when set. */
export function imdsEndpoint(env: Env): string {
  const override = env.AZURE_POD_IDENTITY_AUTHORITY_HOST?.trim()
  return (override ? override : 'http://169.254.169.254').replace(/\/+$/, '')
}

/** What the engine needs for `source`, read from the environment. Secrets go straight to Rust. */
export function sourceSettings(source: ManagedIdentitySourceName, env: Env) {
  switch (source) {
    case 'serviceFabric':
      return { endpoint: env.IDENTITY_ENDPOINT, identityHeader: env.IDENTITY_HEADER, serverThumbprint: env.IDENTITY_SERVER_THUMBPRINT }
    case 'appService':
      return { endpoint: env.IDENTITY_ENDPOINT, identityHeader: env.IDENTITY_HEADER }
    case 'azureMl':
      return { endpoint: env.MSI_ENDPOINT, identityHeader: env.MSI_SECRET, defaultClientId: env.DEFAULT_IDENTITY_CLIENT_ID }
    case 'cloudShell':
      return { endpoint: env.MSI_ENDPOINT }
    case 'azureArc':
      // Without IDENTITY_ENDPOINT (agent binary only) the engine uses the agent's default address.
      return { endpoint: env.IDENTITY_ENDPOINT }
    case 'imds':
      return {}
  }
}
