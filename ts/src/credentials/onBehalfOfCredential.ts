/**
 * On-behalf-of: a middle-tier API exchanges the user's access token for a token to a
 * downstream API. Each user assertion has its own cache, keyed by its hash.
 */
import native from '../native'
import { createNative } from './nativeBackedCredential'
import { nativeCertificate } from './clientCertificateCredential'
import { EntraCredential, entraNativeOptions } from './entraCredential'
import type { EntraCredentialOptions } from './entraCredential'

interface OnBehalfOfBase extends EntraCredentialOptions {
  tenantId: string
  clientId: string
  /** The access token the API received from the user. */
  userAssertionToken: string
}
export interface OnBehalfOfCredentialSecretOptions extends OnBehalfOfBase {
  clientSecret: string
}
export interface OnBehalfOfCredentialCertificateOptions extends OnBehalfOfBase {
  certificatePath: string
  certificatePassword?: string
  sendCertificateChain?: boolean
}
export type OnBehalfOfCredentialOptions = OnBehalfOfCredentialSecretOptions | OnBehalfOfCredentialCertificateOptions

const NAME = 'OnBehalfOfCredential'

export class OnBehalfOfCredential extends EntraCredential {
  constructor(options: OnBehalfOfCredentialOptions) {
    const o = options as Partial<OnBehalfOfCredentialSecretOptions & OnBehalfOfCredentialCertificateOptions>
    const { tenantId, clientId, userAssertionToken, clientSecret, certificatePath } = o
    if (!tenantId || !clientId || !userAssertionToken || (!clientSecret && !certificatePath)) {
      throw new Error(`${NAME}: tenantId, clientId, clientSecret (or certificatePath) and userAssertionToken are required parameters.`)
    }
    if (clientSecret && certificatePath) throw new Error(`${NAME}: pass either clientSecret or certificatePath, not both.`)
    const entra = entraNativeOptions(tenantId, clientId, options)
    const certificate = certificatePath ? nativeCertificate({ certificatePath, certificatePassword: o.certificatePassword }, o.sendCertificateChain) : undefined
    const engine = createNative(() => native.NativeCredential.onBehalfOf({ entra, clientSecret, certificate, userAssertionToken }))
    super(NAME, engine, tenantId, options)
  }
}
