// The MSAL-style API: msal-node's option names and result shape, on azid's engine.
import test from 'ava'
import { azid, claimsOf, startEmulator, uniqueScope } from './helpers/emulator.mjs'
import { makeCertificate } from './helpers/certificates.mjs'
import { X509Certificate, randomUUID, sign } from 'node:crypto'

const { ConfidentialClientApplication, ManagedIdentityApplication, ServerError, ClientConfigurationError, ClientSecretCredential, LogLevel } = azid

let emu
test.before(async () => {
  emu = await startEmulator()
})
test.after.always(async () => emu?.stop())
test.afterEach.always(() => emu.clearFaults())

const cca = (extra = {}) =>
  new ConfidentialClientApplication({
    auth: { clientId: emu.defaults.clientId, clientSecret: emu.defaults.clientSecret, authority: `${emu.authorityHost}/${emu.defaults.tenantId}`, knownAuthorities: [new URL(emu.authorityHost).host] },
    ...extra,
  })

test.serial('acquireTokenByClientCredential: msal-node result shape, fromCache, skipCache', async (t) => {
  const scope = uniqueScope('msal')
  emu.resetCounts()
  const app = cca()
  const first = await app.acquireTokenByClientCredential({ scopes: [scope] })
  t.false(first.fromCache)
  t.is(first.tokenType, 'Bearer')
  t.is(first.tenantId, emu.defaults.tenantId)
  t.deepEqual(first.scopes, [scope])
  t.true(first.expiresOn instanceof Date && first.expiresOn.getTime() > Date.now())
  t.true(first.refreshOn instanceof Date && first.refreshOn < first.expiresOn)
  t.regex(first.correlationId, /^[0-9a-f-]{36}$/)
  const second = await app.acquireTokenByClientCredential({ scopes: [scope] })
  t.true(second.fromCache)
  t.is(second.accessToken, first.accessToken)
  const forced = await app.acquireTokenByClientCredential({ scopes: [scope], skipCache: true })
  t.false(forced.fromCache)
  t.not(forced.accessToken, first.accessToken)
  t.is(emu.requestCount('token'), 2)
})

test.serial('it shares the engine and cache with ClientSecretCredential of the same config', async (t) => {
  const scope = uniqueScope('msal-shared')
  const cred = new ClientSecretCredential(emu.defaults.tenantId, emu.defaults.clientId, emu.defaults.clientSecret, { authorityHost: emu.authorityHost })
  const viaCredential = await cred.getToken(scope)
  const viaApp = await cca().acquireTokenByClientCredential({ scopes: [scope] })
  t.true(viaApp.fromCache)
  t.is(viaApp.accessToken, viaCredential.token)
})

test.serial('server refusals are ServerError with errorCode, errorNo and correlation id', async (t) => {
  const app = new ConfidentialClientApplication({ auth: { clientId: emu.defaults.clientId, clientSecret: 'wrong', authority: `${emu.authorityHost}/${emu.defaults.tenantId}` } })
  const err = await t.throwsAsync(app.acquireTokenByClientCredential({ scopes: [uniqueScope()] }), { instanceOf: ServerError })
  t.is(err.errorCode, 'invalid_client')
  t.is(err.errorNo, '7000215')
  t.is(err.status, 401)
  t.regex(err.correlationId, /^[0-9a-f-]{36}$/)
})

test.serial('configuration errors are ClientConfigurationError', async (t) => {
  t.throws(() => new ConfidentialClientApplication({ auth: { clientId: 'c', clientSecret: 's', authority: 'https://login.microsoftonline.com/common' } }), { instanceOf: ClientConfigurationError, message: /missing_tenant_id_error/ })
  t.throws(() => new ConfidentialClientApplication({ auth: { clientId: 'c', clientSecret: 's', authority: 'http://login.example/t' } }), { instanceOf: ClientConfigurationError })
  await t.throwsAsync(cca().acquireTokenByClientCredential({ scopes: [] }), { instanceOf: ClientConfigurationError })
})

test.serial('loggerOptions.loggerCallback receives engine lines at its level', async (t) => {
  const lines = []
  const app = cca({ system: { loggerOptions: { logLevel: LogLevel.Info, loggerCallback: (level, message, pii) => lines.push({ level, message, pii }) } } })
  await app.acquireTokenByClientCredential({ scopes: [uniqueScope('msal-log')] })
  await new Promise((r) => setTimeout(r, 100))
  t.true(lines.some((l) => l.level === LogLevel.Info && /cache miss/.test(l.message) && l.pii === false))
  t.false(lines.some((l) => l.message.includes(emu.defaults.clientSecret)))
})

test.serial('ManagedIdentityApplication.acquireToken: resource, forceRefresh, user-assigned', async (t) => {
  emu.resetCounts()
  const resource = uniqueScope('msal-mi').replace('/.default', '')
  const app = new ManagedIdentityApplication()
  const first = await app.acquireToken({ resource })
  t.false(first.fromCache)
  t.true((await app.acquireToken({ resource })).fromCache)
  const forced = await app.acquireToken({ resource, forceRefresh: true })
  t.false(forced.fromCache)
  t.is(emu.requestCount('imds'), 2)
  const uami = new ManagedIdentityApplication({ managedIdentityIdParams: { userAssignedObjectId: emu.defaults.userAssignedObjectId } })
  const r = await uami.acquireToken({ resource })
  t.is(JSON.parse(Buffer.from(r.accessToken.split('.')[1], 'base64url')).oid, emu.defaults.userAssignedObjectId)
})

test.serial('clientCertificate (privateKey + x5c) and clientAssertion forms get tokens', async (t) => {
  const cert = makeCertificate('msal')
  try {
    const clientId = '4c4c4c4c-0000-4000-8000-0000000000c1'
    emu.registerApp({ tenantId: emu.defaults.tenantId, clientId, certificates: [cert.certPem] })
    const authority = `${emu.authorityHost}/${emu.defaults.tenantId}`
    const byCert = new ConfidentialClientApplication({ auth: { clientId, authority, clientCertificate: { privateKey: cert.keyPem, x5c: cert.certPem } } })
    const r = await byCert.acquireTokenByClientCredential({ scopes: [uniqueScope('msal-cert')] })
    t.is(claimsOf(r.accessToken).appid, clientId)
    t.throws(() => new ConfidentialClientApplication({ auth: { clientId, authority, clientCertificate: { privateKey: cert.keyPem, thumbprintSha256: 'ab' } } }), { instanceOf: ClientConfigurationError, message: /x5c/ })

    // A callback assertion signed here with the registered key (RS256 + x5t), as an external signer would.
    const tokenEndpoint = `${authority}/oauth2/v2.0/token`
    const signAssertion = async (config) => {
      t.is(config.clientId, clientId)
      const now = Math.floor(Date.now() / 1000)
      const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url')
      const x5t = Buffer.from(new X509Certificate(cert.certPem).fingerprint.replace(/:/g, ''), 'hex').toString('base64url')
      const unsigned = `${b64({ alg: 'RS256', typ: 'JWT', x5t })}.${b64({ aud: config.tokenEndpoint, iss: clientId, sub: clientId, jti: randomUUID(), nbf: now, iat: now, exp: now + 600 })}`
      return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), cert.keyPem).toString('base64url')}`
    }
    const byAssertion = new ConfidentialClientApplication({ auth: { clientId, authority, clientAssertion: signAssertion } })
    const viaCallback = await byAssertion.acquireTokenByClientCredential({ scopes: [uniqueScope('msal-assert-ok')] })
    t.is(claimsOf(viaCallback.accessToken).appid, clientId)
    const byString = new ConfidentialClientApplication({ auth: { clientId, authority, clientAssertion: await signAssertion({ clientId, tokenEndpoint }) } })
    t.truthy((await byString.acquireTokenByClientCredential({ scopes: [uniqueScope('msal-assert-str')] })).accessToken)

    let calls = 0
    const failing = new ConfidentialClientApplication({ auth: { clientId, authority, clientAssertion: async () => { calls++; throw new Error('signer offline') } } })
    await t.throwsAsync(failing.acquireTokenByClientCredential({ scopes: [uniqueScope('msal-assert')] }), { instanceOf: azid.ClientAuthError })
    t.is(calls, 1)
  } finally {
    cert.cleanup()
  }
})

test.serial('exactly one client credential is required', (t) => {
  const authority = `${emu.authorityHost}/${emu.defaults.tenantId}`
  t.throws(() => new ConfidentialClientApplication({ auth: { clientId: 'c', authority } }), { instanceOf: ClientConfigurationError, message: /exactly one/ })
  t.throws(() => new ConfidentialClientApplication({ auth: { clientId: 'c', authority, clientSecret: 's', clientAssertion: 'a' } }), { instanceOf: ClientConfigurationError })
})

test.serial('acquireTokenOnBehalfOf: a token for the downstream API, cached per user', async (t) => {
  const api = '5d5d5d5d-0000-4000-8000-0000000000d1'
  const apiSecret = 'middle-tier-secret-for-test'
  emu.registerApp({ tenantId: emu.defaults.tenantId, clientId: api, clientSecret: apiSecret })
  const app = new ConfidentialClientApplication({ auth: { clientId: api, clientSecret: apiSecret, authority: `${emu.authorityHost}/${emu.defaults.tenantId}` } })
  const userToken = emu.issueUserToken({ tenantId: emu.defaults.tenantId, audience: `api://${api}`, upn: 'ada@azid.example' })
  emu.resetCounts()
  const scopes = [uniqueScope('obo')]
  const first = await app.acquireTokenOnBehalfOf({ oboAssertion: userToken, scopes })
  t.false(first.fromCache)
  t.is(claimsOf(first.accessToken).aud, scopes[0].replace('/.default', ''))
  const again = await app.acquireTokenOnBehalfOf({ oboAssertion: userToken, scopes })
  t.true(again.fromCache)
  t.is(emu.requestCount('token'), 1)
  const expired = emu.issueUserToken({ tenantId: emu.defaults.tenantId, audience: `api://${api}`, upn: 'bob@azid.example', expiresInSecs: -60 })
  const err = await t.throwsAsync(app.acquireTokenOnBehalfOf({ oboAssertion: expired, scopes }), { instanceOf: ServerError })
  t.is(err.errorNo, '500133')
})

test.serial('azureRegion TryAutoDetect without REGION_NAME stays on the global endpoint (never asks IMDS)', async (t) => {
  const r = await cca().acquireTokenByClientCredential({ scopes: [uniqueScope('region')], azureRegion: 'TryAutoDetect' })
  t.truthy(r.accessToken)
})

test.serial('tokenCache reaches the engine: each app writes its sealed cache file', async (t) => {
  const { mkdtempSync, existsSync, readFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const { randomBytes } = await import('node:crypto')
  const dir = mkdtempSync(join(tmpdir(), 'azid-msal-cache-'))
  const waitFor = async (file) => {
    for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 50))
    return existsSync(file)
  }
  const ccaFile = join(dir, 'cca.json')
  const app = cca({ tokenCache: { file: { path: ccaFile }, encryptionKey: randomBytes(32) } })
  const r = await app.acquireTokenByClientCredential({ scopes: [uniqueScope('msal-file')] })
  t.true(await waitFor(ccaFile))
  t.false(readFileSync(ccaFile, 'utf8').includes(r.accessToken.split('.')[2]))

  const miFile = join(dir, 'mi.json')
  const mia = new ManagedIdentityApplication({ tokenCache: { file: { path: miFile }, encryptionKey: randomBytes(32) } })
  const m = await mia.acquireToken({ resource: uniqueScope('msal-mi-file').replace('/.default', '') })
  t.true(await waitFor(miFile))
  t.false(readFileSync(miFile, 'utf8').includes(m.accessToken.split('.')[2]))
})
