/**
 * A Key Vault secrets client with the names and result shapes of `@azure/keyvault-secrets`.
 * With an azid credential, tokens come from its engine inside Rust (no JS per request);
 * with any other `TokenCredential`, the token is fetched here and passed down per call.
 */
import native from '../native'
import { NativeBackedCredential, nativeRetry } from '../credentials/nativeBackedCredential'
import { CredentialUnavailableError, fromNative } from '../errors'
import type { TokenCredential } from '../tokenCredential'
import { raceAbort } from '../util/abort'
import { toProperties } from './models'
import type { GetSecretOptions, KeyVaultSecret, NativeSecretProperties, PagedAsyncIterableIterator, SecretClientOptions, SecretProperties } from './models'

type NativeSecretClient = InstanceType<typeof native.NativeSecretClient>

export class SecretClient {
  readonly vaultUrl: string
  private readonly inner: NativeSecretClient
  /** Set for a foreign credential: it is asked for a token before each call. */
  private readonly foreign: TokenCredential | undefined
  /** Set for an azid credential: wraps native calls so a rotating secret is followed. */
  private readonly owner: NativeBackedCredential | undefined

  constructor(vaultUrl: string, credential: TokenCredential, options: SecretClientOptions = {}) {
    if (typeof vaultUrl !== 'string' || vaultUrl === '') throw new TypeError('SecretClient: vaultUrl is required, e.g. https://<vault-name>.vault.azure.net')
    if (!credential || typeof credential.getToken !== 'function') throw new TypeError('SecretClient: credential must be a TokenCredential (an object with getToken).')
    const base = {
      apiVersion: options.serviceVersion,
      disableChallengeResourceVerification: options.disableChallengeResourceVerification,
      retry: nativeRetry(options.retryOptions, undefined),
    }
    try {
      if (credential instanceof NativeBackedCredential) {
        const auth = credential.nativeAuth()
        this.inner = native.NativeSecretClient.withCredential(vaultUrl, auth.engine, {
          ...base,
          homeTenant: auth.homeTenant,
          additionallyAllowedTenants: auth.additionallyAllowedTenants,
          tenantPinned: auth.tenantPinned,
        })
        this.foreign = undefined
        this.owner = credential
      } else {
        this.inner = native.NativeSecretClient.external(vaultUrl, base)
        this.foreign = credential
        this.owner = undefined
      }
    } catch (e) {
      throw fromNative(e)
    }
    this.vaultUrl = this.inner.vaultUrl
  }

  /** The latest version, or `options.version`. */
  async getSecret(name: string, options: GetSecretOptions = {}): Promise<KeyVaultSecret> {
    const call = async (): Promise<KeyVaultSecret> => {
      const bearer = await this.bearer()
      const r = await this.native(() => this.inner.getSecret(name, options.version ?? null, bearer))
      const properties = toProperties(r.properties as NativeSecretProperties)
      const secret: KeyVaultSecret = { name: properties.name, properties }
      if (typeof r.value === 'string') secret.value = r.value
      return secret
    }
    try {
      return await raceAbort(call(), options.abortSignal)
    } catch (e) {
      throw fromNative(e)
    }
  }

  /** Every secret's properties (no values), following the service's `nextLink`. */
  listPropertiesOfSecrets(): PagedAsyncIterableIterator<SecretProperties> {
    return this.paged(null)
  }

  /** Every version of one secret (no values). */
  listPropertiesOfSecretVersions(name: string): PagedAsyncIterableIterator<SecretProperties> {
    return this.paged(name)
  }

  private paged(versionsOf: string | null): PagedAsyncIterableIterator<SecretProperties> {
    const pages = (continuationToken?: string): AsyncIterableIterator<SecretProperties[] & { continuationToken?: string }> => {
      const self = this
      return (async function* () {
        let link: string | null = continuationToken ?? null
        let first = true
        while (first || link !== null) {
          first = false
          let page
          try {
            const bearer = await self.bearer()
            page = await self.native(() => self.inner.listPage(versionsOf, link, bearer))
          } catch (e) {
            throw fromNative(e)
          }
          link = page.nextLink ?? null
          const items = page.items.map((i) => toProperties(i as NativeSecretProperties)) as SecretProperties[] & { continuationToken?: string }
          if (link !== null) items.continuationToken = link
          yield items
        }
      })()
    }
    const items = (async function* () {
      for await (const page of pages()) yield* page
    })()
    return Object.assign(items, { byPage: (settings?: { continuationToken?: string }) => pages(settings?.continuationToken) })
  }

  /** Runs a native call, errors typed, under the azid credential's recovery (rotating secrets). */
  private native<T>(call: () => Promise<T>): Promise<T> {
    const typed = () => call().catch((e: unknown) => Promise.reject(fromNative(e)))
    return this.owner ? this.owner.withNativeRecovery(typed) : typed()
  }

  /** A foreign credential's token for the vault's challenge; null for azid credentials. */
  private async bearer(): Promise<string | null> {
    if (this.foreign === undefined) return null
    const challenge = await this.inner.challenge()
    const token = await this.foreign.getToken(challenge.scope, { tenantId: challenge.tenantId ?? undefined, enableCae: true })
    if (!token) throw new CredentialUnavailableError(`SecretClient: the credential returned no token for ${challenge.scope}.`)
    return token.token
  }
}
