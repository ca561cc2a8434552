/**
 * Workload identity (AKS or any OIDC federation): the federated token in
 * `AZURE_FEDERATED_TOKEN_FILE` is the client assertion. The file is read in Rust, kept at
 * most 5 minutes, and read again when the kubelet rotates it or Entra rejects it.
 */
import native from '../native'
import { CredentialUnavailableError } from '../errors'
import type { AccessToken, GetTokenOptions } from '../tokenCredential'
import { createNative } from './nativeBackedCredential'
import { EntraCredential, entraNativeOptions } from './entraCredential'
import type { EntraCredentialOptions } from './entraCredential'

export interface WorkloadIdentityCredentialOptions extends EntraCredentialOptions {
  tenantId?: string
  clientId?: string
  tokenFilePath?: string
}

const NAME = 'WorkloadIdentityCredential'

export class WorkloadIdentityCredential extends EntraCredential {
  private readonly unavailable?: string

  constructor(options: WorkloadIdentityCredentialOptions = {}) {
    const tenantId = options.tenantId ?? process.env.AZURE_TENANT_ID
    const clientId = options.clientId ?? process.env.AZURE_CLIENT_ID
    const tokenFilePath = options.tokenFilePath ?? process.env.AZURE_FEDERATED_TOKEN_FILE
    const missing = [
      tenantId ? undefined : 'tenantId (AZURE_TENANT_ID)',
      clientId ? undefined : 'clientId (AZURE_CLIENT_ID)',
      tokenFilePath ? undefined : 'tokenFilePath (AZURE_FEDERATED_TOKEN_FILE)',
    ].filter((m) => m !== undefined)
    if (missing.length > 0) {
      // As @azure/identity: construction succeeds and getToken reports what is missing.
      super(NAME, createNative(() => native.NativeCredential.workloadIdentity({ entra: entraNativeOptions('unconfigured', 'unconfigured', options), tokenFilePath: '' })), 'unconfigured', options)
      this.unavailable = `${NAME}: is not configured: set ${missing.join(', ')}. See the troubleshooting guide for more information: https://aka.ms/azsdk/js/identity/workloadidentitycredential/troubleshoot`
      return
    }
    const entra = entraNativeOptions(tenantId!, clientId!, options)
    const engine = createNative(() => native.NativeCredential.workloadIdentity({ entra, tokenFilePath: tokenFilePath! }))
    super(NAME, engine, tenantId!, options)
  }

  override async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    if (this.unavailable) throw new CredentialUnavailableError(this.unavailable)
    return super.getToken(scopes, options)
  }
}
