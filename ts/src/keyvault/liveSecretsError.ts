/** The one error `LiveSecrets.load` throws, naming every secret that could not be loaded. */
import { KeyVaultError } from '../errors'

export type LoadFailureReason = 'missing' | 'forbidden' | 'disabled' | 'expired' | 'error'

export interface LoadFailure {
  name: string
  reason: LoadFailureReason
  error: Error
}

export function reasonOf(e: unknown): LoadFailureReason {
  if (!(e instanceof KeyVaultError)) return 'error'
  if (e.code === 'SecretNotFound' || e.statusCode === 404) return 'missing'
  if (e.innerCode === 'SecretDisabled') return 'disabled'
  if (e.code === 'SecretExpired' || e.innerCode === 'SecretExpired') return 'expired'
  if (e.statusCode === 403) return 'forbidden'
  return 'error'
}

export class LiveSecretsLoadError extends Error {
  readonly failures: LoadFailure[]
  constructor(vaultUrl: string, total: number, failures: LoadFailure[]) {
    const list = failures
      .map((f) => {
        const code = f.error instanceof KeyVaultError ? `: ${f.error.innerCode ?? f.error.code}` : `: ${f.error.name}`
        return `'${f.name}' (${f.reason}${code})`
      })
      .join(', ')
    super(
      `LiveSecrets.load: ${failures.length} of ${total} secrets could not be loaded from ${vaultUrl}: ${list}. ` +
        'Create the missing ones, enable disabled ones, renew expired ones, and grant the caller read access (e.g. the Key Vault Secrets User role) where it is forbidden.',
    )
    this.name = 'LiveSecretsLoadError'
    this.failures = failures
  }
}
