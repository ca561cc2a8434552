/**
 * App-only tokens for a service principal with a certificate. The certificate is parsed
 * and the client assertion signed in Rust, off the JS thread; a certificate file is read
 * once and again when it changes.
 */
import native from '../native'
import { createNative } from './nativeBackedCredential'
import { EntraCredential, entraNativeOptions } from './entraCredential'
import type { EntraCredentialOptions } from './entraCredential'

export interface ClientCertificateCredentialOptions extends EntraCredentialOptions {
  /** Send the chain as `x5c` (needed for subject name + issuer authentication). Default: `AZURE_CLIENT_SEND_CERTIFICATE_CHAIN`. */
  sendCertificateChain?: boolean
}

/** A PEM certificate and key as text. */
export interface ClientCertificatePEMCertificate {
  certificate: string
  certificatePassword?: string
}
/** A PEM file, or with azid a PKCS#12 (.pfx/.p12) file. */
export interface ClientCertificatePEMCertificatePath {
  certificatePath: string
  certificatePassword?: string
}
/** azid: PKCS#12 (or PEM) bytes, e.g. a .pfx read from a vault. */
export interface ClientCertificateBytes {
  certificate: Uint8Array
  certificatePassword?: string
}
export type ClientCertificateCredentialPEMConfiguration = ClientCertificatePEMCertificate | ClientCertificatePEMCertificatePath
export type ClientCertificateConfiguration = ClientCertificateCredentialPEMConfiguration | ClientCertificateBytes

const NAME = 'ClientCertificateCredential'

/** Turns the constructor's third argument into the engine's certificate options. */
export function nativeCertificate(config: string | ClientCertificateConfiguration | undefined, sendChain: boolean | undefined) {
  const c: Partial<ClientCertificatePEMCertificatePath & { certificate: string | Uint8Array }> = typeof config === 'string' ? { certificatePath: config } : { ...config }
  const hasPath = typeof c.certificatePath === 'string' && c.certificatePath !== ''
  const hasCert = c.certificate !== undefined && c.certificate !== null && c.certificate.length > 0
  if (hasPath === hasCert) {
    throw new Error(
      `${NAME}: Provide either a PEM certificate in string form, or the path to that certificate in the filesystem. To troubleshoot, visit https://aka.ms/azsdk/js/identity/serviceprincipalauthentication/troubleshoot.`,
    )
  }
  const envChain = process.env.AZURE_CLIENT_SEND_CERTIFICATE_CHAIN
  return {
    certificatePath: hasPath ? c.certificatePath : undefined,
    certificate: typeof c.certificate === 'string' ? c.certificate : undefined,
    certificateBytes: c.certificate instanceof Uint8Array ? Buffer.from(c.certificate.buffer, c.certificate.byteOffset, c.certificate.byteLength) : undefined,
    certificatePassword: c.certificatePassword,
    sendCertificateChain: sendChain ?? (envChain === 'true' || envChain === '1'),
  }
}

export class ClientCertificateCredential extends EntraCredential {
  constructor(tenantId: string, clientId: string, certificatePath: string, options?: ClientCertificateCredentialOptions)
  constructor(tenantId: string, clientId: string, configuration: ClientCertificateConfiguration, options?: ClientCertificateCredentialOptions)
  constructor(tenantId: string, clientId: string, certificate: string | ClientCertificateConfiguration, options: ClientCertificateCredentialOptions = {}) {
    if (!tenantId || !clientId) throw new Error(`${NAME}: tenantId and clientId are required parameters.`)
    const entra = entraNativeOptions(tenantId, clientId, options)
    const cert = nativeCertificate(certificate, options.sendCertificateChain)
    const engine = createNative(() => native.NativeCredential.clientCertificate({ entra, certificate: cert }))
    super(NAME, engine, tenantId, options)
  }
}
