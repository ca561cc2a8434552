// ClientSecretCredential following a rotated app secret from a function, a file or a
// Key Vault secret: the refused secret is reloaded once and no failed call reaches the caller.
import test from 'ava'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { azid, secretCredential, startEmulator, uniqueScope } from './helpers/emulator.mjs'

let emu
test.before(async () => {
  emu = await startEmulator()
})
test.after.always(async () => {
  await emu?.stop()
})

const options = () => ({ authorityHost: emu.authorityHost, retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 20 } })
/** A fresh app with its first secret. */
function app(secret) {
  const clientId = crypto.randomUUID()
  emu.registerApp({ tenantId: emu.defaults.tenantId, clientId, clientSecret: secret })
  return clientId
}
const rotateApp = (clientId, secret) => emu.registerApp({ tenantId: emu.defaults.tenantId, clientId, clientSecret: secret })

test.serial('a function source: the refused secret is reloaded and the call succeeds; the cache survives', async (t) => {
  let current = 'fn-secret-1'
  let calls = 0
  const clientId = app(current)
  const cred = new azid.ClientSecretCredential(emu.defaults.tenantId, clientId, async () => (calls++, current), options())
  const before = uniqueScope('rot')
  const first = await cred.getToken(before)
  rotateApp(clientId, 'fn-secret-2')
  current = 'fn-secret-2'
  emu.resetCounts()
  const token = await cred.getToken(uniqueScope('rot'))
  t.truthy(token.token)
  t.is(emu.requestCount('token'), 2, 'one refused request, one with the new secret')
  t.is(calls, 2)
  // The engine (and its cache) is the same one: the old scope is still a hit.
  t.is((await cred.getToken(before)).token, first.token)
  t.is(emu.requestCount('token'), 2)
})

test.serial('concurrent callers share one reload', async (t) => {
  let current = 'c-secret-1'
  let calls = 0
  const clientId = app(current)
  const cred = new azid.ClientSecretCredential(emu.defaults.tenantId, clientId, () => (calls++, current), options())
  rotateApp(clientId, 'c-secret-2')
  current = 'c-secret-2'
  const scopes = Array.from({ length: 20 }, () => uniqueScope('con'))
  const tokens = await Promise.all(scopes.map((s) => cred.getToken(s)))
  t.is(tokens.length, 20)
  t.is(calls, 2, 'read at start, reloaded once')
})

test.serial('a source that still has the old secret: the caller sees the refusal', async (t) => {
  const clientId = app('stuck-1')
  const cred = new azid.ClientSecretCredential(emu.defaults.tenantId, clientId, () => 'stuck-1', options())
  rotateApp(clientId, 'stuck-2')
  const e = await t.throwsAsync(cred.getToken(uniqueScope('stuck')), { instanceOf: azid.AuthenticationError })
  t.deepEqual(e.errorResponse.errorCodes, [7000215])
  t.false(e.message.includes('stuck-'))
})

test.serial('a file source is re-read after the secret is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'azid-rot-'))
  const file = join(dir, 'client-secret')
  writeFileSync(file, 'file-secret-1\n')
  const clientId = app('file-secret-1')
  const cred = new azid.ClientSecretCredential(emu.defaults.tenantId, clientId, { clientSecretFile: file }, options())
  await cred.getToken(uniqueScope('file'))
  rotateApp(clientId, 'file-secret-2')
  writeFileSync(file, 'file-secret-2\n')
  t.truthy((await cred.getToken(uniqueScope('file'))).token)
  t.throws(() => new azid.ClientSecretCredential(emu.defaults.tenantId, clientId, { clientSecretFile: join(dir, 'absent') }, options()), { message: /cannot read the client secret file .*absent.*ENOENT/ })
})

test.serial('a Key Vault secret in a live set: rotation in the vault is followed', async (t) => {
  const clientId = app('kv-secret-1')
  emu.setSecret('app-secret', 'kv-secret-1')
  const secrets = await azid.LiveSecrets.load({
    vaultUrl: emu.vaultUrl,
    credential: secretCredential(emu), // the reader: the default app
    names: ['app-secret'],
    refreshIntervalMs: 0,
    clientOptions: { disableChallengeResourceVerification: true },
  })
  const cred = new azid.ClientSecretCredential(emu.defaults.tenantId, clientId, secrets.source('app-secret'), options())
  await cred.getToken(uniqueScope('kv'))
  // Rotate: the app gets a new secret and the vault its new version; the set has not refreshed yet.
  rotateApp(clientId, 'kv-secret-2')
  emu.setSecret('app-secret', 'kv-secret-2')
  emu.resetCounts()
  t.truthy((await cred.getToken(uniqueScope('kv'))).token)
  t.is(emu.requestCount('keyvault'), 1)
  t.is(secrets.get('app-secret'), 'kv-secret-2')
  // A pushed rotation (event or timer) reaches the credential before any refusal.
  rotateApp(clientId, 'kv-secret-3')
  emu.setSecret('app-secret', 'kv-secret-3')
  await secrets.refresh('app-secret')
  emu.resetCounts()
  t.truthy((await cred.getToken(uniqueScope('kv'))).token)
  t.is(emu.requestCount('token'), 1, 'no refused request: the new secret was already in place')
})

test.serial('SecretClient on a rotating credential follows the rotation too (tokens fetched in Rust)', async (t) => {
  const clientId = app('sc-secret-2') // already rotated: the source's first answer is stale
  const answers = ['sc-secret-1', 'sc-secret-2']
  let calls = 0
  const cred = new azid.ClientSecretCredential(emu.defaults.tenantId, clientId, () => answers[Math.min(calls++, 1)], options())
  emu.setSecret('read-by-rotating', 'rv')
  const client = new azid.SecretClient(emu.vaultUrl, cred, { disableChallengeResourceVerification: true })
  t.is((await client.getSecret('read-by-rotating')).value, 'rv')
  t.is(calls, 2)
})
