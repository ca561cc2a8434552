// ClientCertificateCredential following a rotated certificate from a function, a file or a
// Key Vault secret: the refused certificate is reloaded once and no failed call reaches
// the caller; a new certificate that does not parse leaves the old one in use.
import test from 'ava'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { azid, secretCredential, startEmulator, uniqueScope } from './helpers/emulator.mjs'
import { PASSWORD, makeCertificate } from './helpers/certificates.mjs'
import { cleanEnv } from './helpers/env.mjs'

const { AuthenticationError, ClientCertificateCredential, InvalidCertificateError, LiveSecrets } = azid

let emu
let a
let b
test.before(async () => {
  emu = await startEmulator()
  a = makeCertificate('rot-a')
  b = makeCertificate('rot-b')
})
test.after.always(async () => {
  await emu?.stop()
  a?.cleanup()
  b?.cleanup()
})

const options = () => ({ authorityHost: emu.authorityHost, retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 20 } })
/** Registers (or re-registers, replacing every certificate) the app with one certificate. */
const register = (clientId, cert) => emu.registerApp({ tenantId: emu.defaults.tenantId, clientId, certificates: [cert.certPem] })
function app(cert) {
  const clientId = crypto.randomUUID()
  register(clientId, cert)
  return clientId
}
const credential = (clientId, config) => new ClientCertificateCredential(emu.defaults.tenantId, clientId, config, options())

test.serial('a function source: the refused certificate is reloaded and the call succeeds; the cache survives', async (t) => {
  let current = a.combined
  let calls = 0
  const clientId = app(a)
  const cred = credential(clientId, { certificateSource: async () => (calls++, current) })
  const before = uniqueScope('crot')
  const first = await cred.getToken(before)
  register(clientId, b)
  current = b.combined
  emu.resetCounts()
  t.truthy((await cred.getToken(uniqueScope('crot'))).token)
  t.is(emu.requestCount('token'), 2, 'one refused request, one with the new certificate')
  t.is(calls, 2, 'read at start, reloaded once')
  // The engine (and its cache) is the same one: the old scope is still a hit.
  t.is((await cred.getToken(before)).token, first.token)
  t.is(emu.requestCount('token'), 2)
})

test.serial('PKCS#12 bytes from a function, with the password', async (t) => {
  let current = a.p12
  const clientId = app(a)
  const cred = credential(clientId, { certificateSource: () => current, certificatePassword: PASSWORD })
  await cred.getToken(uniqueScope('crot-p12'))
  register(clientId, b)
  current = b.p12
  emu.resetCounts()
  t.truthy((await cred.getToken(uniqueScope('crot-p12'))).token)
  t.is(emu.requestCount('token'), 2)
})

test('certificateSource with another certificate form, or not a source, is refused at construction', (t) => {
  t.throws(() => credential('c', { certificateSource: () => a.combined, certificatePath: a.path('combined.pem') }), { message: /either certificateSource or a certificate/ })
  t.throws(() => credential('c', { certificateSource: 'pem text' }), { instanceOf: TypeError, message: /certificateSource must be a function/ })
  t.throws(() => credential('c', { certificateSource: () => 'not a certificate' }), { message: /not a certificate/ })
})

test.serial('concurrent callers share one reload', async (t) => {
  let current = a.combined
  let calls = 0
  const clientId = app(a)
  const cred = credential(clientId, { certificateSource: () => (calls++, current) })
  register(clientId, b)
  current = b.combined
  const tokens = await Promise.all(Array.from({ length: 20 }, () => cred.getToken(uniqueScope('crot-con'))))
  t.is(tokens.length, 20)
  t.is(calls, 2, 'read at start, reloaded once')
})

test.serial('a source that keeps the refused certificate: the caller sees 700027 after one reload', async (t) => {
  let calls = 0
  const clientId = app(b)
  const cred = credential(clientId, { certificateSource: () => (calls++, a.combined) })
  emu.resetCounts()
  const e = await t.throwsAsync(cred.getToken(uniqueScope('crot-stuck')), { instanceOf: AuthenticationError })
  t.deepEqual(e.errorResponse.errorCodes, [700027])
  t.is(calls, 2, 'read at start, reloaded once')
  t.is(emu.requestCount('token'), 1, 'the same certificate is not sent twice')
})

test.serial('a new value that does not parse is an InvalidCertificateError and the old certificate stays in use', async (t) => {
  let current = a.combined
  let calls = 0
  const clientId = app(a)
  const cred = credential(clientId, { certificateSource: () => (calls++, current) })
  await cred.getToken(uniqueScope('crot-bad'))
  register(clientId, b)
  current = 'not a certificate at all'
  const e = await t.throwsAsync(cred.getToken(uniqueScope('crot-bad')), { instanceOf: InvalidCertificateError })
  t.regex(e.message, /not a certificate/)
  t.regex(e.sourceId, /^function:/)
  t.is(calls, 2)
  // A key that does not belong to the certificate is named too.
  current = b.certPem + a.keyPem
  const m = await t.throwsAsync(cred.getToken(uniqueScope('crot-bad')), { instanceOf: InvalidCertificateError })
  t.regex(m.message, /does not belong/)
  t.false(m.message.includes(a.keyPem.split('\n')[1]), 'no key material in the message')
  // Roll the app back to A: the next call signs with A again, without another reload.
  register(clientId, a)
  emu.resetCounts()
  t.truthy((await cred.getToken(uniqueScope('crot-bad'))).token)
  t.is(emu.requestCount('token'), 1)
  t.is(calls, 3)
})

test.serial('a certificate file is re-read at once when the certificate is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'azid-crot-'))
  const file = join(dir, 'cert.pem')
  writeFileSync(file, a.combined)
  const clientId = app(a)
  const cred = credential(clientId, { certificatePath: file })
  await cred.getToken(uniqueScope('crot-file'))
  register(clientId, b)
  writeFileSync(file, b.combined)
  emu.resetCounts()
  // Well inside the 2 s between stats: only the refusal makes it read the file now.
  t.truthy((await cred.getToken(uniqueScope('crot-file'))).token)
  t.is(emu.requestCount('token'), 2, 'one refused request, one with the new certificate')
})

async function liveSet(name, value, contentType) {
  emu.setSecret(name, value, { contentType })
  return LiveSecrets.load({
    vaultUrl: emu.vaultUrl,
    credential: secretCredential(emu), // the reader: the default app
    names: [name],
    refreshIntervalMs: 0,
    clientOptions: { disableChallengeResourceVerification: true },
  })
}

for (const [form, value, contentType, password] of [
  ['PEM', (c) => c.combined, 'application/x-pem-file', undefined],
  ['PKCS#12', (c) => c.p12.toString('base64'), 'application/x-pkcs12', PASSWORD],
]) {
  test.serial(`a Key Vault certificate (${form}) in a live set: rotation in the vault is followed`, async (t) => {
    const name = `app-cert-${form === 'PEM' ? 'pem' : 'pfx'}`
    const clientId = app(a)
    const secrets = await liveSet(name, value(a), contentType)
    const cred = credential(clientId, { certificateSource: secrets.source(name), certificatePassword: password })
    await cred.getToken(uniqueScope('crot-kv'))
    // Rotate: the app gets certificate B and the vault its new version; the set has not refreshed yet.
    register(clientId, b)
    emu.setSecret(name, value(b), { contentType })
    emu.resetCounts()
    t.truthy((await cred.getToken(uniqueScope('crot-kv'))).token)
    t.is(emu.requestCount('token'), 2, 'one refused request, one with the new certificate')
    t.is(emu.requestCount('keyvault'), 1)
    // A pushed rotation (event or timer) reaches the credential before any refusal.
    register(clientId, a)
    emu.setSecret(name, value(a), { contentType })
    await secrets.refresh(name)
    emu.resetCounts()
    t.truthy((await cred.getToken(uniqueScope('crot-kv'))).token)
    t.is(emu.requestCount('token'), 1, 'no refused request: the new certificate was already in place')
  })
}

test('verbose logs of a rotation, including a bad certificate, show no key material', async (t) => {
  const fixture = fileURLToPath(new URL('./fixtures/certRotationLogRun.mjs', import.meta.url))
  const env = { ...cleanEnv({ ...process.env }), AZURE_LOG_LEVEL: 'verbose', CERT_A_DIR: a.dir, CERT_B_DIR: b.dir }
  const { code, output } = await new Promise((resolve, reject) => {
    const child = fork(fixture, [], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('error', reject)
    child.on('exit', (c) => resolve({ code: c, output: out }))
  })
  t.is(code, 0, output)
  t.regex(output, /refused the certificate; reloading it from 'function:/)
  t.regex(output, /now using certificate x5t#S256=/)
  t.regex(output, /cannot be used \(.*does not belong/)
  for (const c of [a, b]) {
    const keyLines = c.keyPem.split('\n').filter((l) => l.length > 40)
    t.true(keyLines.length > 10)
    for (const line of keyLines) t.false(output.includes(line), 'a line of a private key appears in the output')
    const p12 = c.p12.toString('base64')
    t.false(output.includes(p12.slice(100, 160)), 'PKCS#12 content appears in the output')
  }
})
