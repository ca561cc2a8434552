// RSA-2048 test certificates made with openssl in a temp dir: PEM (cert + key), an
// encrypted PKCS#8 key, and PKCS#12 with a password.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const PASSWORD = 'c3rt-pa55word-for-test'

const run = (dir, args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })

export function makeCertificate(tag = 'cert') {
  const dir = mkdtempSync(join(tmpdir(), `azid-${tag}-`))
  run(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', `/CN=azid-${tag}`])
  run(dir, ['pkcs8', '-topk8', '-in', 'key.pem', '-out', 'enc-key.pem', '-v2', 'aes256', '-passout', `pass:${PASSWORD}`])
  run(dir, ['pkcs12', '-export', '-in', 'cert.pem', '-inkey', 'key.pem', '-out', 'cert.p12', '-passout', `pass:${PASSWORD}`])
  const read = (f) => readFileSync(join(dir, f), 'utf8')
  const certPem = read('cert.pem')
  const keyPem = read('key.pem')
  writeFileSync(join(dir, 'combined.pem'), certPem + keyPem)
  writeFileSync(join(dir, 'encrypted.pem'), certPem + read('enc-key.pem'))
  return {
    dir,
    certPem,
    keyPem,
    combined: certPem + keyPem,
    path: (f) => join(dir, f),
    p12: readFileSync(join(dir, 'cert.p12')),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** An unsigned JWT with these claims: enough for the emulator's federated checks. */
export function fakeJwt(claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url')
  return `${b64({ alg: 'RS256', typ: 'JWT', kid: 'k' })}.${b64(claims)}.${Buffer.from('not-a-signature').toString('base64url')}`
}
