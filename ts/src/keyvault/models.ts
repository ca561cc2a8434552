/** Result and option shapes of `@azure/keyvault-secrets`, as azid's SecretClient returns them. */
import type { AbortSignalLike, RetryOptions } from '../tokenCredential'

export interface SecretProperties {
  /** `https://{vault}/secrets/{name}/{version}` */
  id?: string
  name: string
  version?: string
  vaultUrl: string
  enabled?: boolean
  notBefore?: Date
  expiresOn?: Date
  createdOn?: Date
  updatedOn?: Date
  contentType?: string
  tags?: Record<string, string>
  recoveryLevel?: string
  recoverableDays?: number
  /** The key of a certificate-backed secret (`kid`), as keyvault-secrets names it. */
  certificateKeyId?: string
  managed?: boolean
}

export interface KeyVaultSecret {
  name: string
  value?: string
  properties: SecretProperties
}

export interface SecretClientOptions {
  /** Default `2025-07-01`, as keyvault-secrets 4.11. */
  serviceVersion?: string
  /** Skip the check that the challenge's resource is in the vault's domain (emulators, private endpoints). */
  disableChallengeResourceVerification?: boolean
  retryOptions?: RetryOptions
}

export interface GetSecretOptions {
  /** A specific version; the latest when absent. */
  version?: string
  abortSignal?: AbortSignalLike
}

/** What `listPropertiesOfSecrets()` returns: an async iterator of items with `byPage()`. */
export interface PagedAsyncIterableIterator<T> extends AsyncIterableIterator<T> {
  byPage(settings?: { continuationToken?: string }): AsyncIterableIterator<T[] & { continuationToken?: string }>
}

/** The native shape (times in Unix ms) before dates are made. @internal */
export interface NativeSecretProperties {
  id: string
  name: string
  version?: string | null
  vaultUrl: string
  enabled?: boolean | null
  notBefore?: number | null
  expiresOn?: number | null
  createdOn?: number | null
  updatedOn?: number | null
  contentType?: string | null
  tags?: Record<string, string>
  recoveryLevel?: string | null
  recoverableDays?: number | null
  keyId?: string | null
  managed?: boolean | null
}

const date = (ms: number | null | undefined) => (typeof ms === 'number' ? new Date(ms) : undefined)

/** Drops absent fields, as the SDK's objects have none set to null. @internal */
export function toProperties(n: NativeSecretProperties): SecretProperties {
  const p: SecretProperties = { id: n.id, name: n.name, vaultUrl: n.vaultUrl }
  if (n.version) p.version = n.version
  if (typeof n.enabled === 'boolean') p.enabled = n.enabled
  const nb = date(n.notBefore)
  if (nb) p.notBefore = nb
  const ex = date(n.expiresOn)
  if (ex) p.expiresOn = ex
  const cr = date(n.createdOn)
  if (cr) p.createdOn = cr
  const up = date(n.updatedOn)
  if (up) p.updatedOn = up
  if (n.contentType) p.contentType = n.contentType
  p.tags = n.tags ?? {}
  if (n.recoveryLevel) p.recoveryLevel = n.recoveryLevel
  if (typeof n.recoverableDays === 'number') p.recoverableDays = n.recoverableDays
  if (n.keyId) p.certificateKeyId = n.keyId
  if (typeof n.managed === 'boolean') p.managed = n.managed
  return p
}
