/**
 * App-only tokens for a service principal with a certificate. The certificate is parsed
 * and the client assertion signed in Rust, off the JS thread; a certificate file is read
 * once and again when it changes (at once when Entra ID refuses it). A `certificateSource`
 * (a function, a Key Vault secret) is reloaded once when Entra ID refuses the certificate.
 */
import native from '../native'
import { InvalidCertificateError, fromNative } from '../errors'
import type { AccessToken, GetTokenOptions } from '../tokenCredential'
import { createNative } from './nativeBackedCredential'
import { EntraCredential, entraNativeOptions } from './entraCredential'
import type { EntraCredentialOptions } from './entraCredential'
import { certificateBytes, toCertificateSource } from './certificateSource'
import type { CertificateSourceInput } from './certificateSource'
import { CERTIFICATE, SecretRotation } from './secretRotation'
import type { SecretValue } from './secretSource'

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
/** azid: a certificate that rotates: a function (sync or async) or `liveSecrets.source(name)`. */
export interface ClientCertificateSourceConfiguration {
  certificateSource: CertificateSourceInput
  /** Decrypts an encrypted PEM key or the PKCS#12, for every value the source gives. */
  certificatePassword?: string
}
export type ClientCertificateCredentialPEMConfiguration = ClientCertificatePEMCertificate | ClientCertificatePEMCertificatePath
export type ClientCertificateConfiguration = ClientCertificateCredentialPEMConfiguration | ClientCertificateBytes | ClientCertificateSourceConfiguration

const NAME = 'ClientCertificateCredential'

/** Turns the constructor's third argument into the engine's certificate options. */
export function nativeCertificate(config: string | Exclude<ClientCertificateConfiguration, ClientCertificateSourceConfiguration> | undefined, sendChain: boolean | undefined) {
  const c: Partial<ClientCertificatePEMCertificatePath & { certificate: string | Uint8Array }> = typeof config === 'string' ? { certificatePath: config } : { ...config }
  const hasPath = typeof c.certificatePath === 'string' && c.certificatePath !== ''
  const hasCert = c.certificate !== undefined && c.certificate !== null && c.certificate.length > 0
  if (hasPath === hasCert) {
    throw new Error(
      `${NAME}: Provide either a PEM certificate in string form, or the path to that certificate in the filesystem. To troubleshoot, visit https://aka.ms/azsdk/js/identity/serviceprincipalauthentication/troubleshoot.`,
    )
  }
  return {
    certificatePath: hasPath ? c.certificatePath : undefined,
    certificate: typeof c.certificate === 'string' ? c.certificate : undefined,
    certificateBytes: c.certificate instanceof Uint8Array ? Buffer.from(c.certificate.buffer, c.certificate.byteOffset, c.certificate.byteLength) : undefined,
    certificatePassword: c.certificatePassword,
    sendCertificateChain: sendCertificateChain(sendChain),
  }
}

function sendCertificateChain(option: boolean | undefined): boolean {
  const env = process.env.AZURE_CLIENT_SEND_CERTIFICATE_CHAIN
  return option ?? (env === 'true' || env === '1')
}

const hasSource = (c: string | ClientCertificateConfiguration): c is ClientCertificateSourceConfiguration =>
  typeof c === 'object' && c !== null && 'certificateSource' in c && c.certificateSource !== undefined

export class ClientCertificateCredential extends EntraCredential {
  /** Set when the certificate comes from a `certificateSource`. */
  private readonly rotation: SecretRotation<SecretValue> | undefined

  constructor(tenantId: string, clientId: string, certificatePath: string, options?: ClientCertificateCredentialOptions)
  constructor(tenantId: string, clientId: string, configuration: ClientCertificateConfiguration, options?: ClientCertificateCredentialOptions)
  constructor(tenantId: string, clientId: string, certificate: string | ClientCertificateConfiguration, options: ClientCertificateCredentialOptions = {}) {
    if (!tenantId || !clientId) throw new Error(`${NAME}: tenantId and clientId are required parameters.`)
    const entra = entraNativeOptions(tenantId, clientId, options)
    if (!hasSource(certificate)) {
      const cert = nativeCertificate(certificate, options.sendCertificateChain)
      super(NAME, createNative(() => native.NativeCredential.clientCertificate({ entra, certificate: cert })), tenantId, options)
      this.rotation = undefined
      return
    }
    if ('certificatePath' in certificate || 'certificate' in certificate) {
      throw new Error(`${NAME}: pass either certificateSource or a certificate (certificatePath, certificate), not both.`)
    }
    const source = toCertificateSource(certificate.certificateSource)
    const bytes = (v: SecretValue): Buffer => certificateBytes(v, source.contentType?.())
    let engineRef: { replaceCertificate(c: Buffer): void } | undefined
    const replace = (v: SecretValue): void => {
      try {
        engineRef?.replaceCertificate(bytes(v))
      } catch (e) {
        const err = fromNative(e)
        throw new InvalidCertificateError(err.message, source.id, { cause: err })
      }
    }
    const rotation = new SecretRotation(`${NAME}(tenant=${tenantId}, client=${clientId})`, source, replace, CERTIFICATE)
    const first = rotation.initial()
    const cert = {
      certificateBytes: first === undefined ? undefined : bytes(first),
      certificatePassword: certificate.certificatePassword,
      sendCertificateChain: sendCertificateChain(options.sendCertificateChain),
      sourceId: source.id,
    }
    const engine = createNative(() => native.NativeCredential.clientCertificate({ entra, certificate: cert }))
    engineRef = engine
    super(NAME, engine, tenantId, options)
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
