// Every managed identity source other than IMDS, against the emulator: success paths
// (token fields, expiry in each source's format) and each documented refusal.
import test from 'ava'
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { cleanEnv } from './helpers/env.mjs'
import { azid, claimsOf, startEmulator, uniqueScope } from './helpers/emulator.mjs'
import { sourceEnv, withEnv } from './helpers/miEnv.mjs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

const { ManagedIdentityCredential, CredentialUnavailableError, AuthenticationError } = azid
const fast = { retryOptions: { retryDelayInMs: 20, maxRetryDelayInMs: 100 } }
const DAY_MS = 86_399_000

let emu
test.before(async () => {
  emu = await startEmulator()
})
test.after.always(async () => emu?.stop())
test.afterEach.always(() => {
  emu.clearFaults()
  emu.setArcChallengePath(null)
})

/** A token for a fresh scope from the source `env` selects, with `options`. */
async function tokenFrom(env, options = {}) {
  const scope = uniqueScope('src')
  const token = await withEnv(env, () => new ManagedIdentityCredential({ ...fast, ...options }).getToken(scope))
  return { token, claims: claimsOf(token.token), scope }
}

function assertDayLong(t, token) {
  const left = token.expiresOnTimestamp - Date.now()
  t.true(left > DAY_MS - 60_000 && left <= DAY_MS + 1_000, `expires in ${left} ms`)
}

test.serial('App Service: system- and user-assigned tokens, string expires_on, cached', async (t) => {
  emu.resetCounts()
  const { token, claims, scope } = await tokenFrom(sourceEnv.appService(emu))
  t.is(claims.aud, scope.replace('/.default', ''))
  t.is(claims.appid, emu.defaults.systemAssignedClientId)
  assertDayLong(t, token)
  t.is(emu.requestCount('app_service'), 1)
  t.is(emu.requestCount('imds'), 0)
  const d = emu.defaults
  for (const options of [{ clientId: d.userAssignedClientId }, { objectId: d.userAssignedObjectId }, { resourceId: d.userAssignedResourceId }]) {
    const { claims: c } = await tokenFrom(sourceEnv.appService(emu), options)
    t.is(c.oid, d.userAssignedObjectId, JSON.stringify(options))
  }
})

test.serial('App Service: a wrong IDENTITY_HEADER is an AuthenticationError that names the variable, not the value', async (t) => {
  const wrong = 'not-the-identity-header-value'
  const err = await t.throwsAsync(tokenFrom({ ...sourceEnv.appService(emu), IDENTITY_HEADER: wrong }), { instanceOf: AuthenticationError })
  t.is(err.statusCode, 401)
  t.regex(err.message, /IDENTITY_HEADER/)
  t.false(err.message.includes(wrong))
})

test.serial('App Service: 503 is retried', async (t) => {
  emu.resetCounts()
  emu.setFault('app_service', { status: 503, times: 2 })
  await tokenFrom(sourceEnv.appService(emu))
  t.is(emu.requestCount('app_service'), 3)
})

test.serial('App Service: 1,000 concurrent cold calls make one request', async (t) => {
  emu.resetCounts()
  emu.setFault('app_service', { latencyMs: 100 })
  const scope = uniqueScope('herd')
  const tokens = await withEnv(sourceEnv.appService(emu), () => {
    const cred = new ManagedIdentityCredential(fast)
    return Promise.all(Array.from({ length: 1000 }, () => cred.getToken(scope)))
  })
  t.is(new Set(tokens.map((x) => x.token)).size, 1)
  t.is(emu.requestCount('app_service'), 1)
})

test.serial('Azure Arc: challenge, key file, token; user-assigned echoed', async (t) => {
  emu.resetCounts()
  const { token, claims } = await tokenFrom(sourceEnv.azureArc(emu))
  t.is(claims.appid, emu.defaults.systemAssignedClientId)
  assertDayLong(t, token)
  t.is(emu.requestCount('arc'), 2)
  const { claims: c } = await tokenFrom(sourceEnv.azureArc(emu), { clientId: emu.defaults.userAssignedClientId })
  t.is(c.appid, emu.defaults.userAssignedClientId)
})

test.serial('Azure Arc: a challenge naming a file outside the token folder is refused', async (t) => {
  for (const [path, why] of [
    ['/var/opt/azcmagent/tokens/../../../etc/shadow.key', /not directly inside/],
    ['/tmp/elsewhere.key', /not directly inside/],
    ['/var/opt/azcmagent/tokens/secret.txt', /\.key extension/],
  ]) {
    emu.setArcChallengePath(path)
    const err = await t.throwsAsync(tokenFrom(sourceEnv.azureArc(emu)), { instanceOf: AuthenticationError })
    t.regex(err.message, why, path)
    t.regex(err.message, /Azure Arc challenge was refused/)
  }
})

test.serial('Service Fabric: the self-signed certificate is trusted by thumbprint, any case', async (t) => {
  const { token, claims } = await tokenFrom(sourceEnv.serviceFabric(emu, emu.serviceFabricThumbprint.toLowerCase()))
  t.is(claims.appid, emu.defaults.systemAssignedClientId)
  assertDayLong(t, token)
})

test.serial('Service Fabric: a wrong thumbprint is refused', async (t) => {
  emu.resetCounts()
  const started = Date.now()
  // Default retry options: an untrusted certificate is not retried (the first backoff is ≥ 500 ms).
  const err = await t.throwsAsync(tokenFrom(sourceEnv.serviceFabric(emu, 'A'.repeat(40)), { retryOptions: {} }), { instanceOf: CredentialUnavailableError })
  t.true(Date.now() - started < 450, `took ${Date.now() - started} ms`)
  t.regex(err.message, /thumbprint differs from IDENTITY_SERVER_THUMBPRINT/)
  t.is(emu.requestCount('service_fabric'), 0)
})

test.serial('Service Fabric and Cloud Shell reject user-assigned identities', async (t) => {
  for (const env of [sourceEnv.serviceFabric(emu), sourceEnv.cloudShell(emu)]) {
    const err = await t.throwsAsync(tokenFrom(env, { clientId: emu.defaults.userAssignedClientId }), { instanceOf: CredentialUnavailableError })
    t.regex(err.message, /does not support user-assigned identities/)
  }
})

test.serial('Cloud Shell: form POST, system-assigned token', async (t) => {
  emu.resetCounts()
  const { token, claims } = await tokenFrom(sourceEnv.cloudShell(emu))
  t.is(claims.appid, emu.defaults.systemAssignedClientId)
  assertDayLong(t, token)
  t.is(emu.requestCount('cloud_shell'), 1)
})

test.serial('Azure ML: legacy expires_on parsed; clientId selects; other selectors are refused', async (t) => {
  const { token, claims } = await tokenFrom(sourceEnv.azureMl(emu))
  t.is(claims.appid, emu.defaults.systemAssignedClientId)
  assertDayLong(t, token)
  const { claims: c } = await tokenFrom(sourceEnv.azureMl(emu), { clientId: emu.defaults.userAssignedClientId })
  t.is(c.appid, emu.defaults.userAssignedClientId)
  const err = await t.throwsAsync(tokenFrom(sourceEnv.azureMl(emu), { objectId: emu.defaults.userAssignedObjectId }), { instanceOf: CredentialUnavailableError })
  t.regex(err.message, /client id only/)
})

test('verbose logs never contain IDENTITY_HEADER, MSI_SECRET, the Arc key or a token', async (t) => {
  const fixture = fileURLToPath(new URL('./fixtures/miLogRun.mjs', import.meta.url))
  const wrongHeader = 'wrong-identity-header-for-log-test'
  const env = { ...cleanEnv({ ...process.env }), AZURE_LOG_LEVEL: 'verbose', WRONG_HEADER: wrongHeader }
  const { code, output, secrets } = await new Promise((resolve, reject) => {
    const child = fork(fixture, [], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
    let output = ''
    let secrets
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('message', (m) => (secrets = m))
    child.on('error', reject)
    child.on('exit', (code) => resolve({ code, output, secrets }))
  })
  t.is(code, 0, output)
  t.truthy(secrets?.arcKey)
  t.regex(output, /ManagedIdentityCredential\(App Service, system-assigned\): GET http:\/\/127\.0\.0\.1:\d+\/msi\/token/)
  t.regex(output, /ManagedIdentityCredential\(Azure Arc, system-assigned\)/)
  t.regex(output, /ManagedIdentityCredential\(Azure ML, system-assigned\)/)
  t.regex(output, /attempt 1 got HTTP 503/)
  t.regex(output, /failed as expected: AuthenticationError/)
  for (const [name, value] of Object.entries({ header: secrets.header, msiSecret: secrets.msiSecret, arcKey: secrets.arcKey, wrongHeader, ...secrets.tokens })) {
    t.false(output.includes(value), `${name} appears in the output`)
  }
})

test('sources are chosen in @azure/identity order; the Arc agent binary alone means Arc', (t) => {
  const { detectManagedIdentitySource: detect } = require('../dist/credentials/managedIdentitySource.js')
  const none = () => false
  const all = { IDENTITY_ENDPOINT: 'e', IDENTITY_HEADER: 'h', IDENTITY_SERVER_THUMBPRINT: 't', IMDS_ENDPOINT: 'i', MSI_ENDPOINT: 'm', MSI_SECRET: 's' }
  t.is(detect(all, none), 'serviceFabric')
  t.is(detect({ ...all, IDENTITY_SERVER_THUMBPRINT: '' }, none), 'appService')
  t.is(detect({ IMDS_ENDPOINT: 'i', IDENTITY_ENDPOINT: 'e', MSI_ENDPOINT: 'm', MSI_SECRET: 's' }, none), 'azureMl')
  t.is(detect({ IMDS_ENDPOINT: 'i', IDENTITY_ENDPOINT: 'e', MSI_ENDPOINT: 'm' }, none), 'cloudShell')
  t.is(detect({ IMDS_ENDPOINT: 'i', IDENTITY_ENDPOINT: 'e' }, none), 'azureArc')
  t.is(detect({ IDENTITY_ENDPOINT: 'e' }, none), 'imds')
  const linux = process.platform === 'linux'
  t.is(detect({}, (p) => p === '/opt/azcmagent/bin/himds'), linux ? 'azureArc' : 'imds')
  t.is(detect({}, none), 'imds')
})
