// ClientAssertionCredential, WorkloadIdentityCredential (and ManagedIdentityCredential in
// AKS), AzurePipelinesCredential: federated tokens as client assertions (§1.4).
import test from 'ava'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { azid, claimsOf, sleep, startEmulator, uniqueScope } from './helpers/emulator.mjs'
import { fakeJwt } from './helpers/certificates.mjs'

const { AuthenticationError, CredentialUnavailableError, ClientAssertionCredential, WorkloadIdentityCredential, AzurePipelinesCredential, ManagedIdentityCredential } = azid

const CLIENT = 'fede0000-0000-4000-8000-0000000000f1'
const ISSUER = 'https://oidc.aks.example/cluster-1/'
const SUBJECT = 'system:serviceaccount:default:workload'
const AUDIENCE = 'api://AzureADTokenExchange'

let emu
let dir
test.before(async () => {
  emu = await startEmulator()
  dir = mkdtempSync(join(tmpdir(), 'azid-federated-'))
  register([{ issuer: ISSUER, subject: SUBJECT }])
})
test.after.always(async () => {
  await emu?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function register(federatedCredentials) {
  emu.registerApp({ tenantId: emu.defaults.tenantId, clientId: CLIENT, federatedCredentials })
}
const k8sToken = (subject = SUBJECT, extra = {}) =>
  fakeJwt({ iss: ISSUER, sub: subject, aud: [AUDIENCE], exp: Math.floor(Date.now() / 1000) + 3600, jti: `${Math.random()}`, ...extra })
const opts = { retryOptions: { retryDelayInMs: 20, maxRetryDelayInMs: 100 } }
let files = 0
const tokenFile = (content) => {
  const path = join(dir, `token-${++files}`)
  writeFileSync(path, content)
  return path
}
const workload = (tokenFilePath) => new WorkloadIdentityCredential({ tenantId: emu.defaults.tenantId, clientId: CLIENT, tokenFilePath, authorityHost: emu.authorityHost, ...opts })

test.serial('ClientAssertionCredential calls getAssertion only when it needs a token', async (t) => {
  let calls = 0
  const cred = new ClientAssertionCredential(emu.defaults.tenantId, CLIENT, async () => {
    calls += 1
    return k8sToken()
  }, { authorityHost: emu.authorityHost })
  const scope = uniqueScope('assert')
  const first = await cred.getToken(scope)
  t.is(claimsOf(first.token).appid, CLIENT)
  t.is((await cred.getToken(scope)).token, first.token)
  t.is(calls, 1)
  // A synchronous function works too.
  const sync = new ClientAssertionCredential(emu.defaults.tenantId, CLIENT, () => k8sToken(), { authorityHost: emu.authorityHost })
  t.truthy(await sync.getToken(uniqueScope()))
})

test.serial('a failing getAssertion is a typed error, not a crash or a hang', async (t) => {
  const throwing = new ClientAssertionCredential(emu.defaults.tenantId, CLIENT, async () => {
    throw new Error('vault unreachable')
  }, { authorityHost: emu.authorityHost })
  let err = await t.throwsAsync(throwing.getToken(uniqueScope()), { instanceOf: CredentialUnavailableError })
  t.regex(err.message, /ClientAssertionCredential.*getAssertion callback failed: .*vault unreachable/)
  const syncThrow = new ClientAssertionCredential(emu.defaults.tenantId, CLIENT, () => {
    throw new TypeError('boom')
  }, { authorityHost: emu.authorityHost })
  err = await t.throwsAsync(syncThrow.getToken(uniqueScope()), { instanceOf: CredentialUnavailableError })
  t.regex(err.message, /boom/)
  const notString = new ClientAssertionCredential(emu.defaults.tenantId, CLIENT, async () => 42, { authorityHost: emu.authorityHost })
  await t.throwsAsync(notString.getToken(uniqueScope()), { instanceOf: CredentialUnavailableError })
  const hanging = new ClientAssertionCredential(emu.defaults.tenantId, CLIENT, () => new Promise(() => {}), { authorityHost: emu.authorityHost, getAssertionTimeoutInMs: 200 })
  err = await t.throwsAsync(hanging.getToken(uniqueScope()), { instanceOf: CredentialUnavailableError })
  t.regex(err.message, /did not settle within 200 ms/)
  const empty = new ClientAssertionCredential(emu.defaults.tenantId, CLIENT, async () => '  ', { authorityHost: emu.authorityHost })
  err = await t.throwsAsync(empty.getToken(uniqueScope()), { instanceOf: CredentialUnavailableError })
  t.regex(err.message, /empty/)
})

test.serial('WorkloadIdentityCredential reads the token file; a wrong subject is AADSTS700213', async (t) => {
  const ok = await workload(tokenFile(`  ${k8sToken()}\n`)).getToken(uniqueScope('wi'))
  t.is(claimsOf(ok.token).appid, CLIENT)
  const err = await t.throwsAsync(workload(tokenFile(k8sToken('system:serviceaccount:default:other'))).getToken(uniqueScope()), { instanceOf: AuthenticationError })
  t.deepEqual(err.errorResponse.errorCodes, [700213])
  t.is(err.statusCode, 401)
  // Case matters.
  const upper = await t.throwsAsync(workload(tokenFile(k8sToken(SUBJECT.toUpperCase()))).getToken(uniqueScope()), { instanceOf: AuthenticationError })
  t.deepEqual(upper.errorResponse.errorCodes, [700213])
  const wrongIssuer = await t.throwsAsync(workload(tokenFile(k8sToken(SUBJECT, { iss: 'https://elsewhere/' }))).getToken(uniqueScope()), { instanceOf: AuthenticationError })
  t.deepEqual(wrongIssuer.errorResponse.errorCodes, [700211])
  const wrongAud = await t.throwsAsync(workload(tokenFile(k8sToken(SUBJECT, { aud: 'api://other' }))).getToken(uniqueScope()), { instanceOf: AuthenticationError })
  t.deepEqual(wrongAud.errorResponse.errorCodes, [700212])
  const expired = await t.throwsAsync(workload(tokenFile(k8sToken(SUBJECT, { exp: Math.floor(Date.now() / 1000) - 3600 }))).getToken(uniqueScope()), { instanceOf: AuthenticationError })
  t.deepEqual(expired.errorResponse.errorCodes, [700024])
})

test.serial('a missing or empty token file, or missing settings, is CredentialUnavailableError', async (t) => {
  let err = await t.throwsAsync(workload(join(dir, 'nope')).getToken(uniqueScope()), { instanceOf: CredentialUnavailableError })
  t.regex(err.message, /WorkloadIdentityCredential.*could not be read/)
  err = await t.throwsAsync(workload(tokenFile('   \n')).getToken(uniqueScope()), { instanceOf: CredentialUnavailableError })
  t.regex(err.message, /empty/)
  err = await t.throwsAsync(new WorkloadIdentityCredential({ tenantId: emu.defaults.tenantId }).getToken(uniqueScope()), { instanceOf: CredentialUnavailableError })
  t.regex(err.message, /AZURE_CLIENT_ID/)
  t.regex(err.message, /AZURE_FEDERATED_TOKEN_FILE/)
})

test.serial('a rotated token file is picked up, and read again at once after a rejection', async (t) => {
  const path = tokenFile(k8sToken())
  const cred = workload(path)
  await cred.getToken(uniqueScope('rot'))
  // The kubelet rotates to a token for another subject that the app now trusts.
  register([{ issuer: ISSUER, subject: 'system:serviceaccount:default:rotated' }])
  writeFileSync(path, k8sToken('system:serviceaccount:default:rotated'))
  await sleep(2200)
  t.truthy(await cred.getToken(uniqueScope('rot')))
  // A rejected token is not served from the file cache again: fixed file, next call works.
  writeFileSync(path, k8sToken('system:serviceaccount:default:bad'))
  await sleep(2200)
  await t.throwsAsync(cred.getToken(uniqueScope('rot')), { instanceOf: AuthenticationError })
  writeFileSync(path, k8sToken('system:serviceaccount:default:rotated'))
  t.truthy(await cred.getToken(uniqueScope('rot')))
  register([{ issuer: ISSUER, subject: SUBJECT }])
})

test.serial('ManagedIdentityCredential in AKS shares one workload engine and cache', async (t) => {
  const saved = { ...process.env }
  try {
    Object.assign(process.env, {
      AZURE_TENANT_ID: emu.defaults.tenantId,
      AZURE_CLIENT_ID: CLIENT,
      AZURE_FEDERATED_TOKEN_FILE: tokenFile(k8sToken()),
      AZURE_AUTHORITY_HOST: emu.authorityHost,
    })
    const scope = uniqueScope('aks')
    emu.resetCounts()
    const a = await new ManagedIdentityCredential().getToken(scope)
    const b = await new ManagedIdentityCredential(CLIENT).getToken(scope)
    const c = await new WorkloadIdentityCredential().getToken(scope)
    t.is(a.token, b.token)
    t.is(a.token, c.token)
    t.is(emu.requestCount('token'), 1)
    t.is(emu.requestCount('imds'), 0)
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name]
    Object.assign(process.env, saved)
  }
})

test.serial('AzurePipelinesCredential exchanges the job OIDC token', async (t) => {
  const SYSTEM_TOKEN = 'system-access-token-value-for-test'
  const sc = emu.registerServiceConnection({ serviceConnectionId: 'sc-1', systemAccessToken: SYSTEM_TOKEN })
  register([{ issuer: ISSUER, subject: SUBJECT }, { issuer: sc.issuer, subject: sc.subject }])
  const make = (systemToken = SYSTEM_TOKEN, id = 'sc-1') => new AzurePipelinesCredential(emu.defaults.tenantId, CLIENT, id, systemToken, { authorityHost: emu.authorityHost, ...opts })
  process.env.SYSTEM_OIDCREQUESTURI = emu.pipelinesOidcUri
  try {
    emu.resetCounts()
    const token = await make().getToken(uniqueScope('pipe'))
    t.is(claimsOf(token.token).appid, CLIENT)
    t.is(emu.requestCount('pipelines_oidc'), 1)
    const err = await t.throwsAsync(make('wrong-system-token').getToken(uniqueScope()), { instanceOf: AuthenticationError })
    t.is(err.statusCode, 401)
    t.regex(err.message, /OIDC token request .* failed with HTTP 401/)
    t.false(err.message.includes('wrong-system-token'))
    const unknown = await t.throwsAsync(make(SYSTEM_TOKEN, 'sc-unknown').getToken(uniqueScope()), { instanceOf: AuthenticationError })
    t.is(unknown.statusCode, 404)
  } finally {
    delete process.env.SYSTEM_OIDCREQUESTURI
  }
  const err = await t.throwsAsync(make().getToken(uniqueScope()), { instanceOf: CredentialUnavailableError })
  t.regex(err.message, /SYSTEM_OIDCREQUESTURI/)
  t.throws(() => new AzurePipelinesCredential(emu.defaults.tenantId, CLIENT, '', SYSTEM_TOKEN), { instanceOf: CredentialUnavailableError })
})
