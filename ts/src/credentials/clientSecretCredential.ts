/** App-only tokens for a service principal with a client secret, fixed or rotating. */
import native from '../native'
import type { AccessToken, GetTokenOptions, MultiTenantTokenCredentialOptions } from '../tokenCredential'
import { resolveAuthorityHost } from '../util/authorityHost'
import { checkTenantId, resolveAdditionallyAllowedTenants, resolveTenant } from '../util/tenant'
import { NativeBackedCredential, createNative, nativeRetry } from './nativeBackedCredential'
import type { NativeAuth } from './nativeBackedCredential'
import { SecretRotation, isRefusedSecret } from './secretRotation'
import { toSecretSource } from './secretSource'
import type { ClientSecretInput } from './secretSource'

export type ClientSecretCredentialOptions = MultiTenantTokenCredentialOptions

export class ClientSecretCredential extends NativeBackedCredential {
  private readonly tenantId: string
  private readonly additionallyAllowedTenants: string[]
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
    checkTenantId(tenantId)
    const authorityHost = resolveAuthorityHost(options.authorityHost)
    const source = typeof clientSecret === 'string' ? undefined : toSecretSource(clientSecret)
    let engineRef: { replaceSecret(s: string): void } | undefined
    const label = `ClientSecretCredential(tenant=${tenantId}, client=${clientId})`
    const rotation = source && new SecretRotation(label, source, (s) => engineRef?.replaceSecret(s))
    const engine = createNative(() =>
      native.NativeCredential.clientSecret({
        authorityHost,
        tenantId,
        clientId,
        clientSecret: rotation ? rotation.initial() : (clientSecret as string),
        sourceId: source?.id,
        retry: nativeRetry(options.retryOptions, options.requestTimeoutInMs),
      }),
    )
    engineRef = engine
    super('ClientSecretCredential', engine)
    this.tenantId = tenantId
    this.additionallyAllowedTenants = resolveAdditionallyAllowedTenants(options.additionallyAllowedTenants)
    this.rotation = rotation
  }

  override getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    if (this.rotation === undefined) return super.getToken(scopes, options)
    return this.withNativeRecovery(() => super.getToken(scopes, options))
  }

  override async withNativeRecovery<T>(call: () => Promise<T>): Promise<T> {
    const rotation = this.rotation
    if (rotation === undefined) return call()
    if (rotation.pending) await rotation.pending
    const generation = rotation.generation
    try {
      return await call()
    } catch (e) {
      if (!isRefusedSecret(e)) throw e
      // Reload unless someone already rotated since this call began; retry once if the value is new.
      if (rotation.generation === generation) await rotation.reload()
      if (rotation.generation === generation) throw e
      return call()
    }
  }

  override nativeAuth(): NativeAuth {
    return {
      engine: this.engine,
      homeTenant: this.tenantId,
      additionallyAllowedTenants: this.additionallyAllowedTenants,
      tenantPinned: Boolean(process.env.AZURE_IDENTITY_DISABLE_MULTITENANTAUTH) || this.tenantId === 'adfs',
    }
  }

  protected override resolveTenant(options: GetTokenOptions | undefined): string | undefined {
    return resolveTenant(this.tenantId, options?.tenantId, this.additionallyAllowedTenants)
  }
}
