/**
 * The local emulator of Entra ID and managed identity endpoints, for tests and local
 * development. It serves HTTPS with a CA made at start; `env()` gives the variables
 * that point azid (and the official Azure SDK) at it.
 */
import native from './native'

type NativeEmulator = InstanceType<typeof native.NativeEmulator>
export type EmulatorRoute =
  | 'token'
  | 'openid'
  | 'instance_discovery'
  | 'jwks'
  | 'imds'
  | 'app_service'
  | 'arc'
  | 'service_fabric'
  | 'cloud_shell'
  | 'azure_ml'
  | 'pipelines_oidc'
  | 'keyvault'
export type EmulatorSecretOptions = NonNullable<Parameters<NativeEmulator['setSecret']>[2]>
export type EmulatorFault = Parameters<NativeEmulator['setFault']>[1]
export type EmulatorApp = Parameters<NativeEmulator['registerApp']>[0]
export type EmulatorIdentity = Parameters<NativeEmulator['registerIdentity']>[0]
export type EmulatorServiceConnection = Parameters<NativeEmulator['registerServiceConnection']>[0]

export interface EmulatorOptions {
  tokenPort?: number
  imdsPort?: number
  /** Where the CA file is written (default: a fresh temp folder). */
  stateDir?: string
  tokenLifetimeSecs?: number
  imdsTokenLifetimeSecs?: number
  serviceFabricPort?: number
  /** Where Arc challenge key files are written (default `/var/opt/azcmagent/tokens`, where clients look). */
  arcKeyDir?: string
}

/** Apps and identities every emulator starts with. The secret is a public demo value. */
export interface EmulatorDefaults {
  tenantId: string
  clientId: string
  clientSecret: string
  userAssignedClientId: string
  userAssignedObjectId: string
  userAssignedResourceId: string
  systemAssignedClientId: string
}

export class Emulator {
  private constructor(private readonly inner: NativeEmulator) {}

  static async start(options: EmulatorOptions = {}): Promise<Emulator> {
    return new Emulator(await native.startNativeEmulator(options))
  }

  /** `https://127.0.0.1:<port>`: use as `authorityHost`. */
  get authorityHost(): string {
    return this.inner.authorityHost
  }
  /** `http://127.0.0.1:<port>`: use as `AZURE_POD_IDENTITY_AUTHORITY_HOST`. */
  get imdsEndpoint(): string {
    return this.inner.imdsEndpoint
  }
  /** App Service's `IDENTITY_ENDPOINT` (with `IDENTITY_HEADER` = `identityHeader`). */
  get appServiceEndpoint(): string {
    return this.inner.appServiceEndpoint
  }
  /** The `IDENTITY_HEADER` the App Service and Service Fabric routes require. */
  get identityHeader(): string {
    return this.inner.identityHeader
  }
  /** Azure Arc's `IDENTITY_ENDPOINT` (with `IMDS_ENDPOINT` = `imdsEndpoint`). */
  get arcEndpoint(): string {
    return this.inner.arcEndpoint
  }
  /** Service Fabric's `IDENTITY_ENDPOINT`: https with a self-signed certificate. */
  get serviceFabricEndpoint(): string {
    return this.inner.serviceFabricEndpoint
  }
  /** `IDENTITY_SERVER_THUMBPRINT`: SHA-1 of the Service Fabric certificate (upper-case hex). */
  get serviceFabricThumbprint(): string {
    return this.inner.serviceFabricThumbprint
  }
  /** Cloud Shell's `MSI_ENDPOINT`. */
  get cloudShellEndpoint(): string {
    return this.inner.cloudShellEndpoint
  }
  /** Azure ML's `MSI_ENDPOINT` (with `MSI_SECRET` = `msiSecret`). */
  get azureMlEndpoint(): string {
    return this.inner.azureMlEndpoint
  }
  /** The `MSI_SECRET` the Azure ML route requires. */
  get msiSecret(): string {
    return this.inner.msiSecret
  }
  /** Makes Arc challenges name `path` instead of a fresh key file; `null` restores them. */
  setArcChallengePath(path: string | null): void {
    this.inner.setArcChallengePath(path)
  }
  /** The contents of the latest Arc key file, to check that it never reaches a log. */
  lastArcKey(): string | null {
    return this.inner.lastArcKey() ?? null
  }
  /** PEM file of the emulator's CA: use as `NODE_EXTRA_CA_CERTS`. */
  get caFile(): string {
    return this.inner.caFile
  }
  get defaults(): EmulatorDefaults {
    return this.inner.defaults as EmulatorDefaults
  }

  /** Variables that point credentials at this emulator (set `NODE_EXTRA_CA_CERTS` before Node starts for the official SDK). */
  env(): Record<string, string> {
    const d = this.defaults
    return {
      AZURE_AUTHORITY_HOST: this.authorityHost,
      AZURE_POD_IDENTITY_AUTHORITY_HOST: this.imdsEndpoint,
      NODE_EXTRA_CA_CERTS: this.caFile,
      AZURE_TENANT_ID: d.tenantId,
      AZURE_CLIENT_ID: d.clientId,
      AZURE_CLIENT_SECRET: d.clientSecret,
    }
  }

  registerTenant(tenantId: string): void {
    this.inner.registerTenant(tenantId)
  }
  registerApp(app: EmulatorApp): void {
    this.inner.registerApp(app)
  }
  registerIdentity(identity: EmulatorIdentity): Required<EmulatorIdentity> {
    return this.inner.registerIdentity(identity) as Required<EmulatorIdentity>
  }
  /** An Azure Pipelines service connection; its OIDC tokens carry the returned `issuer` and `subject`. */
  registerServiceConnection(connection: EmulatorServiceConnection): { serviceConnectionId: string; issuer: string; subject: string } {
    return this.inner.registerServiceConnection(connection)
  }
  /** Set as `SYSTEM_OIDCREQUESTURI` for AzurePipelinesCredential. */
  get pipelinesOidcUri(): string {
    return this.inner.pipelinesOidcUri
  }
  /** A user's access token to `audience` (an app id or `api://…`), signed by the emulator: an on-behalf-of user assertion. Negative `expiresInSecs` makes an expired one. */
  issueUserToken(options: { tenantId: string; audience: string; upn?: string; expiresInSecs?: number }): string {
    return this.inner.issueUserToken(options.tenantId, options.audience, options.upn ?? 'user@azid.example', options.expiresInSecs ?? 3600)
  }
  /** Injects latency, a status (with Retry-After), a dropped connection or a malformed body. */
  setFault(route: EmulatorRoute, fault: EmulatorFault): void {
    this.inner.setFault(route, fault)
  }
  /**
   * The vault: its URL is this emulator's HTTPS origin, and its challenge names the
   * public-cloud resource (https://vault.azure.net), so clients must be given
   * `disableChallengeResourceVerification: true`.
   */
  get vaultUrl(): string {
    return this.inner.authorityHost
  }
  /** Adds a new version of a vault secret (creating it); returns the version id. `exp`/`nbf` are Unix seconds. */
  setSecret(name: string, value: string, options: EmulatorSecretOptions = {}): string {
    return this.inner.setSecret(name, value, options)
  }
  /** Vault reads matching this answer 403 Forbidden/ForbiddenByRbac (both fields optional: all secrets, all callers). */
  denySecretAccess(denial: { secretName?: string; principalId?: string }): void {
    this.inner.denySecretAccess(denial)
  }
  clearSecretDenials(): void {
    this.inner.clearSecretDenials()
  }
  /** The tenant the vault's challenge names (default: the default tenant). */
  setVaultTenant(tenantId: string): void {
    this.inner.setVaultTenant(tenantId)
  }
  clearFaults(): void {
    this.inner.clearFaults()
  }
  /** Requests that reached `route` since start or the last `resetCounts()`. */
  requestCount(route: EmulatorRoute): number {
    return this.inner.requestCount(route)
  }
  resetCounts(): void {
    this.inner.resetCounts()
  }
  setTokenLifetime(secs: number): void {
    this.inner.setTokenLifetime(secs)
  }
  setImdsTokenLifetime(secs: number): void {
    this.inner.setImdsTokenLifetime(secs)
  }
  setRefreshIn(secs: number | null): void {
    this.inner.setRefreshIn(secs)
  }
  async stop(): Promise<void> {
    await this.inner.shutdown()
  }
}
