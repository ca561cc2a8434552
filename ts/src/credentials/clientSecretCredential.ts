/** App-only tokens for a service principal with a client secret, fixed or rotating. */
import native from '../native'
import type { AccessToken, GetTokenOptions } from '../tokenCredential'
import { createNative } from './nativeBackedCredential'
import { EntraCredential, entraNativeOptions } from './entraCredential'
import type { EntraCredentialOptions } from './entraCredential'
import { SecretRotation } from './secretRotation'
import { toSecretSource } from './secretSource'
import type { ClientSecretInput } from './secretSource'

export type ClientSecretCredentialOptions = EntraCredentialOptions

/** The engine's secret until an async source gives its first value (never sent: getToken waits for it). */
const PENDING = 'azid-pending-secret-source'

export class ClientSecretCredential extends EntraCredential {
  /** Set when the secret comes from a source that can change. */
  private readonly rotation: SecretRotation | undefined

  /**
   * `clientSecret` is the secret's value, or a source it is read from and re-read when Entra
   * ID refuses it: a function (sync or async), `{ clientSecretFile: path }`, or
   * `liveSecrets.source(name)`.
   */
  constructor(tenantId: string, clientId: string, clientSecret: ClientSecretInput, options: ClientSecretCredentialOptions = {}) {
    if (!tenantId || !clientId || !clientSecret) {
      throw new Error(
        'ClientSecretCredential: tenantId, clientId, and clientSecret are required parameters. To troubleshoot, visit https://aka.ms/azsdk/js/identity/serviceprincipalauthentication/troubleshoot.',
      )
    }
    const entra = entraNativeOptions(tenantId, clientId, options)
    const source = typeof clientSecret === 'string' ? undefined : toSecretSource(clientSecret)
    let engineRef: { replaceSecret(s: string): void } | undefined
    const label = `ClientSecretCredential(tenant=${tenantId}, client=${clientId})`
    const rotation = source && new SecretRotation(label, source, (s) => engineRef?.replaceSecret(s))
    const engine = createNative(() =>
      native.NativeCredential.clientSecret({
        ...entra,
        clientSecret: rotation ? (rotation.initial() ?? PENDING) : (clientSecret as string),
        sourceId: source?.id,
      }),
    )
    engineRef = engine
    super('ClientSecretCredential', engine, tenantId, options)
    this.rotation = rotation
  }

  override getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    if (this.rotation === undefined) return super.getToken(scopes, options)
    return this.withNativeRecovery(() => super.getToken(scopes, options))
  }

  override withNativeRecovery<T>(call: () => Promise<T>): Promise<T> {
    return this.rotation === undefined ? call() : this.rotation.run(call)
  }
}
