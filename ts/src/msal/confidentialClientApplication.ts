/**
 * msal-node's `ConfidentialClientApplication` for app-only and on-behalf-of flows, on
 * azid's engine: the same cache as the credential classes of the same configuration.
 */
import { randomUUID } from 'node:crypto'
import native from '../native'
import { fromNative } from '../errors'
import { createNative } from '../credentials/nativeBackedCredential'
import { type AuthenticationResult, toResult } from './authenticationResult'
import { type AzureCloudOptions, parseAuthority } from './authority'
import { ClientConfigurationError, toMsalError } from './errors'
import { type SystemOptions, connectLogger } from './logging'
import { type TokenCacheOptions, nativeTokenCache } from '../tokenCache'

type NativeCredential = InstanceType<typeof native.NativeCredential>

/** msal-node's certificate form. azid needs the certificate itself (`x5c`) to sign: it derives the thumbprint from it. */
export interface ClientCertificate {
  thumbprint?: string
  thumbprintSha256?: string
  privateKey: string
  x5c?: string
}

export interface ConfidentialClientConfiguration {
  auth: {
    clientId: string
    authority?: string
    clientSecret?: string
    clientCertificate?: ClientCertificate
    clientAssertion?: string | ((config: { clientId: string; tokenEndpoint: string }) => Promise<string>)
    /** Accepted for compatibility: azid does no instance discovery. */
    knownAuthorities?: string[]
    azureCloudOptions?: AzureCloudOptions
  }
  system?: SystemOptions
  /** azid's shared (Redis) and/or file cache behind the engine's memory; see the README. */
  tokenCache?: TokenCacheOptions
}

export interface ClientCredentialRequest {
  scopes: string[]
  skipCache?: boolean
  claims?: string
  correlationId?: string
  /** Another tenant for this request (`https://host/<tenant>`). */
  authority?: string
  /** A region for ESTS-R (e.g. `westus2`), or `TryAutoDetect` (reads `REGION_NAME`). */
  azureRegion?: string
}

export interface OnBehalfOfRequest {
  oboAssertion: string
  scopes: string[]
  skipCache?: boolean
  correlationId?: string
}

const RESERVED_SCOPES = ['openid', 'profile', 'offline_access']

/** How the app authenticates, in the shape the native factories take. */
type ClientAuth = { secret: string } | { certificate: { certificate: string; sendCertificateChain: boolean } } | { assertion: () => Promise<string> }

export class ConfidentialClientApplication {
  private readonly clientId: string
  private readonly host: string
  private readonly tenant: string
  private readonly auth: ClientAuth
  private readonly tokenCache: ReturnType<typeof nativeTokenCache>
  /** One engine per region (undefined = the global endpoint); engines themselves are shared process-wide. */
  private readonly engines = new Map<string | undefined, NativeCredential>()

  constructor(configuration: ConfidentialClientConfiguration) {
    const auth = configuration?.auth
    if (!auth?.clientId) throw new ClientConfigurationError('invalid_client_id', 'auth.clientId is required: the application (client) id.')
    const { host, tenant } = parseAuthority(auth.authority, auth.azureCloudOptions)
    if (['common', 'organizations', 'consumers'].includes(tenant.toLowerCase())) {
      throw new ClientConfigurationError('missing_tenant_id_error', `Client credentials need a tenant id in the authority, not '${tenant}'.`)
    }
    const given = [auth.clientSecret, auth.clientCertificate, auth.clientAssertion].filter((v) => v !== undefined && v !== '')
    if (given.length !== 1) {
      throw new ClientConfigurationError('invalid_client_credential', 'Give exactly one of auth.clientSecret, auth.clientCertificate and auth.clientAssertion.')
    }
    this.clientId = auth.clientId
    this.host = host
    this.tenant = tenant
    this.auth = clientAuth(auth, `${host}/${tenant}/oauth2/v2.0/token`)
    this.tokenCache = nativeTokenCache(configuration.tokenCache)
    this.engine(undefined) // fail fast on bad configuration
    connectLogger(configuration.system)
  }

  async acquireTokenByClientCredential(request: ClientCredentialRequest): Promise<AuthenticationResult | null> {
    const scopes = checkScopes(request?.scopes)
    const tenant = request.authority ? parseAuthority(request.authority, undefined).tenant : this.tenant
    const correlationId = request.correlationId ?? randomUUID()
    try {
      const engine = this.engine(request.azureRegion)
      const t = await engine.getToken(scopes, tenant === this.tenant ? null : tenant, request.claims ?? null, false, request.skipCache === true)
      return toResult(t, `${this.host}/${tenant}/`, tenant, scopes, correlationId)
    } catch (e) {
      throw toMsalError(fromNative(e))
    }
  }

  /** A token for a downstream API on behalf of the user whose token is `oboAssertion`. Cached per user. */
  async acquireTokenOnBehalfOf(request: OnBehalfOfRequest): Promise<AuthenticationResult | null> {
    const scopes = checkScopes(request?.scopes)
    if (!request.oboAssertion) throw new ClientConfigurationError('empty_input_obo_assertion', 'oboAssertion is required: the access token the user sent to this API.')
    if ('assertion' in this.auth) {
      throw new ClientConfigurationError('invalid_client_credential', 'On-behalf-of needs auth.clientSecret or auth.clientCertificate in azid.')
    }
    const correlationId = request.correlationId ?? randomUUID()
    try {
      const entra = { authorityHost: this.host, tenantId: this.tenant, clientId: this.clientId, tokenCache: this.tokenCache }
      const engine = native.NativeCredential.onBehalfOf({
        entra,
        clientSecret: 'secret' in this.auth ? this.auth.secret : undefined,
        certificate: 'certificate' in this.auth ? this.auth.certificate : undefined,
        userAssertionToken: request.oboAssertion,
      })
      const t = await engine.getToken(scopes, null, null, false, request.skipCache === true)
      return toResult(t, `${this.host}/${this.tenant}/`, this.tenant, scopes, correlationId)
    } catch (e) {
      throw toMsalError(fromNative(e))
    }
  }

  private engine(region: string | undefined): NativeCredential {
    let engine = this.engines.get(region)
    if (engine) return engine
    const entra = {
      authorityHost: this.host,
      tenantId: this.tenant,
      clientId: this.clientId,
      regionalAuthority: region,
      regionName: process.env.REGION_NAME,
      tokenCache: this.tokenCache,
    }
    const a = this.auth
    engine = createNative(() =>
      'secret' in a
        ? native.NativeCredential.clientSecret({ ...entra, clientSecret: a.secret })
        : 'certificate' in a
          ? native.NativeCredential.clientCertificate({ entra, certificate: a.certificate })
          : native.NativeCredential.clientAssertion(entra, a.assertion),
    )
    this.engines.set(region, engine)
    return engine
  }
}

function checkScopes(scopes: string[] | undefined): string[] {
  const list = (scopes ?? []).filter((s) => !RESERVED_SCOPES.includes(s))
  if (list.length === 0) {
    throw new ClientConfigurationError('empty_input_scopes_error', 'Scopes cannot be passed as null, undefined or empty array because they are required to obtain an access token.')
  }
  return list
}

function clientAuth(auth: ConfidentialClientConfiguration['auth'], tokenEndpoint: string): ClientAuth {
  if (auth.clientSecret) return { secret: auth.clientSecret }
  if (auth.clientCertificate) {
    const c = auth.clientCertificate
    if (!c.privateKey) throw new ClientConfigurationError('invalid_client_credential', 'auth.clientCertificate.privateKey is required (PEM).')
    if (!c.x5c) {
      throw new ClientConfigurationError(
        'invalid_client_credential',
        'azid needs the certificate as well as the key: set auth.clientCertificate.x5c to the certificate PEM (azid derives the SHA-256 thumbprint from it and sends it as x5c).',
      )
    }
    return { certificate: { certificate: `${c.x5c.trim()}\n${c.privateKey.trim()}\n`, sendCertificateChain: true } }
  }
  const assertion = auth.clientAssertion!
  const clientId = auth.clientId
  return { assertion: typeof assertion === 'string' ? async () => assertion : () => assertion({ clientId, tokenEndpoint }) }
}
