/**
 * msal-node's `ConfidentialClientApplication` for app-only flows, on azid's engine:
 * the same cache as `ClientSecretCredential` of the same configuration.
 */
import { randomUUID } from 'node:crypto'
import native from '../native'
import { fromNative } from '../errors'
import { createNative } from '../credentials/nativeBackedCredential'
import { type AuthenticationResult, toResult } from './authenticationResult'
import { type AzureCloudOptions, parseAuthority } from './authority'
import { ClientConfigurationError, toMsalError } from './errors'
import { type SystemOptions, connectLogger } from './logging'

export interface ConfidentialClientConfiguration {
  auth: {
    clientId: string
    authority?: string
    clientSecret?: string
    knownAuthorities?: string[]
    azureCloudOptions?: AzureCloudOptions
  }
  system?: SystemOptions
}

export interface ClientCredentialRequest {
  scopes: string[]
  skipCache?: boolean
  claims?: string
  correlationId?: string
  /** Another tenant for this request (`https://host/<tenant>`). */
  authority?: string
}

const CLIENT_CREDENTIAL_UNSUPPORTED = ['openid', 'profile', 'offline_access']

export class ConfidentialClientApplication {
  private readonly engine: InstanceType<typeof native.NativeCredential>
  private readonly host: string
  private readonly tenant: string

  constructor(configuration: ConfidentialClientConfiguration) {
    const auth = configuration?.auth
    if (!auth?.clientId) throw new ClientConfigurationError('invalid_client_id', 'auth.clientId is required: the application (client) id.')
    const { host, tenant } = parseAuthority(auth.authority, auth.azureCloudOptions)
    if (['common', 'organizations', 'consumers'].includes(tenant.toLowerCase())) {
      throw new ClientConfigurationError('missing_tenant_id_error', `Client credentials need a tenant id in the authority, not '${tenant}'.`)
    }
    if (!auth.clientSecret) {
      throw new ClientConfigurationError('invalid_client_credential', 'auth.clientSecret is required (client certificates and assertions come with their credentials).')
    }
    const secret = auth.clientSecret
    this.engine = createNative(() => native.NativeCredential.clientSecret({ authorityHost: host, tenantId: tenant, clientId: auth.clientId, clientSecret: secret }))
    this.host = host
    this.tenant = tenant
    connectLogger(configuration.system)
  }

  async acquireTokenByClientCredential(request: ClientCredentialRequest): Promise<AuthenticationResult | null> {
    const scopes = (request?.scopes ?? []).filter((s) => !CLIENT_CREDENTIAL_UNSUPPORTED.includes(s))
    if (scopes.length === 0) throw new ClientConfigurationError('empty_input_scopes_error', 'Scopes cannot be passed as null, undefined or empty array because they are required to obtain an access token.')
    const tenant = request.authority ? parseAuthority(request.authority, undefined).tenant : this.tenant
    const correlationId = request.correlationId ?? randomUUID()
    try {
      const t = await this.engine.getToken(scopes, tenant === this.tenant ? null : tenant, request.claims ?? null, false, request.skipCache === true)
      return toResult(t, `${this.host}/${tenant}/`, tenant, scopes, correlationId)
    } catch (e) {
      throw toMsalError(fromNative(e))
    }
  }
}
