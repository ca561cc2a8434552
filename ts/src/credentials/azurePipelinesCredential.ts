/**
 * A service connection's workload identity federation in Azure Pipelines: the job's OIDC
 * token (from `SYSTEM_OIDCREQUESTURI`, authorised by `System.AccessToken`) is the client assertion.
 */
import native from '../native'
import { CredentialUnavailableError } from '../errors'
import type { AccessToken, GetTokenOptions } from '../tokenCredential'
import { createNative } from './nativeBackedCredential'
import { EntraCredential, entraNativeOptions } from './entraCredential'
import type { EntraCredentialOptions } from './entraCredential'

export type AzurePipelinesCredentialOptions = EntraCredentialOptions

const NAME = 'AzurePipelinesCredential'

export class AzurePipelinesCredential extends EntraCredential {
  private readonly unavailable?: string

  constructor(tenantId: string, clientId: string, serviceConnectionId: string, systemAccessToken: string, options: AzurePipelinesCredentialOptions = {}) {
    if (!clientId) throw new CredentialUnavailableError(`${NAME}: is not configured. clientId is a required parameter.`)
    if (!tenantId) throw new CredentialUnavailableError(`${NAME}: is not configured. tenantId is a required parameter.`)
    if (!serviceConnectionId) throw new CredentialUnavailableError(`${NAME}: is not configured. serviceConnectionId is a required parameter.`)
    if (!systemAccessToken) throw new CredentialUnavailableError(`${NAME}: is not configured. systemAccessToken is a required parameter.`)
    const entra = entraNativeOptions(tenantId, clientId, options)
    const oidcRequestUri = process.env.SYSTEM_OIDCREQUESTURI
    const engine = createNative(() =>
      native.NativeCredential.azurePipelines({
        entra,
        // Without the variable the engine is never asked; getToken reports it instead.
        oidcRequestUri: oidcRequestUri || 'https://unset.invalid/',
        serviceConnectionId,
        systemAccessToken,
      }),
    )
    super(NAME, engine, tenantId, options)
    if (!oidcRequestUri) {
      this.unavailable = `${NAME}: is not configured. Missing environment variable: SYSTEM_OIDCREQUESTURI. It is set in Azure Pipelines jobs; run inside one (the AzureCLI@2 or AzurePowerShell@5 task sets it for the script).`
    }
  }

  override async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    if (this.unavailable) throw new CredentialUnavailableError(this.unavailable)
    return super.getToken(scopes, options)
  }
}
