/** App-only tokens for a service principal with a client secret. */
import native from '../native'
import { createNative } from './nativeBackedCredential'
import { EntraCredential, entraNativeOptions } from './entraCredential'
import type { EntraCredentialOptions } from './entraCredential'

export type ClientSecretCredentialOptions = EntraCredentialOptions

export class ClientSecretCredential extends EntraCredential {
  constructor(tenantId: string, clientId: string, clientSecret: string, options: ClientSecretCredentialOptions = {}) {
    if (!tenantId || !clientId || !clientSecret) {
      throw new Error(
        'ClientSecretCredential: tenantId, clientId, and clientSecret are required parameters. To troubleshoot, visit https://aka.ms/azsdk/js/identity/serviceprincipalauthentication/troubleshoot.',
      )
    }
    const entra = entraNativeOptions(tenantId, clientId, options)
    const engine = createNative(() => native.NativeCredential.clientSecret({ ...entra, clientSecret }))
    super('ClientSecretCredential', engine, tenantId, options)
  }
}
