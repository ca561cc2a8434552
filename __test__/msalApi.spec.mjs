// The MSAL-style API: msal-node's option names and result shape, on azid's engine.
import test from 'ava'
import { azid, startEmulator, uniqueScope } from './helpers/emulator.mjs'

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
