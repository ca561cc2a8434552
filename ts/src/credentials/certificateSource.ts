/**
 * Where a rotating client certificate comes from, and how its value becomes the bytes the
 * engine parses. The source is a `SecretSource`: a function, or a Key Vault secret in a
 * live set. Key Vault stores a certificate's secret as PEM text (`application/x-pem-file`)
 * or as base64 of the PFX (`application/x-pkcs12`).
 */
import { functionSource, isSecretSource } from './secretSource'
import type { SecretSource, SecretValue } from './secretSource'

/** A function returning PEM text (certificate + key) or PKCS#12 bytes, or a source such as `liveSecrets.source(name)`. */
export type CertificateSourceInput = (() => SecretValue | Promise<SecretValue>) | SecretSource<SecretValue> | SecretSource

const PKCS12 = 'application/x-pkcs12'
const PEM = 'application/x-pem-file'

export function toCertificateSource(input: CertificateSourceInput): SecretSource<SecretValue> {
  if (typeof input === 'function') return functionSource<SecretValue>(input)
  if (isSecretSource<SecretValue>(input)) return input
  throw new TypeError('ClientCertificateCredential: certificateSource must be a function returning the certificate (PEM text or PKCS#12 bytes) or a SecretSource such as liveSecrets.source(name).')
}

/**
 * The bytes the engine parses. Text is PEM unless the source says PKCS#12, or it has no
 * PEM header and no PEM content type (a PFX stored as base64 without one).
 */
export function certificateBytes(value: SecretValue, contentType: string | undefined): Buffer {
  if (typeof value !== 'string') return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  const type = contentType?.toLowerCase()
  const pkcs12 = type === PKCS12 || (type !== PEM && !value.includes('-----BEGIN '))
  return pkcs12 ? Buffer.from(value.trim(), 'base64') : Buffer.from(value, 'utf8')
}
