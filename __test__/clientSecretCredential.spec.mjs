import test from 'ava'
import { azid, claimsOf, secretCredential, startEmulator, uniqueScope } from './helpers/emulator.mjs'

const { AuthenticationError, CredentialUnavailableError, TransientAuthenticationError, AbortError, getBearerTokenProvider } = azid

let emu
test.before(async () => {
  emu = await startEmulator()
})
test.after.always(async () => emu?.stop())
test.afterEach.always(() => emu.clearFaults())

test.serial('gets a real JWT for the scope, then serves it from the cache', async (t) => {
  const scope = uniqueScope()
  const cred = secretCredential(emu)
  emu.resetCounts()
  const first = await cred.getToken(scope)
  t.is(first.tokenType, 'Bearer')
  t.is(claimsOf(first.token).aud, scope.replace('/.default', ''))
  t.true(first.expiresOnTimestamp > Date.now() + 3_000_000)
  t.true(first.refreshAfterTimestamp < first.expiresOnTimestamp)
  const again = await cred.getToken([scope])
  t.is(again.token, first.token)
  // A second credential object with the same config shares the engine and its cache.
  const other = secretCredential(emu)
  t.is((await other.getToken(scope)).token, first.token)
  t.is(emu.requestCount('token'), 1)
})

test.serial('1,000 concurrent cold calls reach the token endpoint once and all get the token', async (t) => {
  const scope = uniqueScope('herd')
  const cred = secretCredential(emu)
  emu.resetCounts()
  emu.setFault('token', { latencyMs: 100 })
  const tokens = await Promise.all(Array.from({ length: 1000 }, () => cred.getToken(scope)))
  t.is(new Set(tokens.map((x) => x.token)).size, 1)
  t.is(emu.requestCount('token'), 1)
  t.is(emu.requestCount('openid') + emu.requestCount('instance_discovery'), 0)
})

test.serial('a wrong secret is an AuthenticationError with the AADSTS fields, not retried', async (t) => {
  emu.resetCounts()
  const cred = secretCredential(emu, {}, 'not-the-secret')
  const err = await t.throwsAsync(cred.getToken(uniqueScope()), { instanceOf: AuthenticationError })
  t.is(err.name, 'AuthenticationError')
  t.is(err.statusCode, 401)
  t.is(err.errorResponse.error, 'invalid_client')
  t.deepEqual(err.errorResponse.errorCodes, [7000215])
  t.regex(err.errorResponse.correlationId, /^[0-9a-f-]{36}$/)
  t.regex(err.errorResponse.traceId, /^[0-9a-f-]{36}$/)
  t.regex(String(err.errorResponse.timestamp), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/)
  t.regex(err.message, /AADSTS7000215/)
  t.regex(err.message, /Value \(not its Secret ID\)/)
  t.false(err.message.includes('not-the-secret'))
  t.is(emu.requestCount('token'), 1)
})

test.serial('unknown app, unknown tenant and bad scopes give their AADSTS codes', async (t) => {
  const unknownApp = new azid.ClientSecretCredential(emu.defaults.tenantId, '11111111-2222-3333-4444-555555555555', 'x', { authorityHost: emu.authorityHost })
  let err = await t.throwsAsync(unknownApp.getToken(uniqueScope()), { instanceOf: AuthenticationError })
  t.is(err.statusCode, 400)
  t.is(err.errorResponse.error, 'unauthorized_client')
  t.deepEqual(err.errorResponse.errorCodes, [700016])

  const unknownTenant = new azid.ClientSecretCredential('contoso-nowhere.example', emu.defaults.clientId, 'x', { authorityHost: emu.authorityHost })
  err = await t.throwsAsync(unknownTenant.getToken(uniqueScope()), { instanceOf: AuthenticationError })
  t.deepEqual(err.errorResponse.errorCodes, [90002])

  const cred = secretCredential(emu)
  err = await t.throwsAsync(cred.getToken('User.Read'), { instanceOf: AuthenticationError })
  t.is(err.errorResponse.error, 'invalid_scope')
  t.deepEqual(err.errorResponse.errorCodes, [1002012])
  err = await t.throwsAsync(cred.getToken(['https://vault.azure.net/.default', 'https://graph.microsoft.com/.default']), { instanceOf: AuthenticationError })
  t.deepEqual(err.errorResponse.errorCodes, [700022])
})

test.serial('transient 503s are retried and the call succeeds', async (t) => {
  emu.resetCounts()
  emu.setFault('token', { status: 503, times: 2 })
  const token = await secretCredential(emu).getToken(uniqueScope())
  t.truthy(token.token)
  t.is(emu.requestCount('token'), 3)
})

test.serial('429 with Retry-After is honoured, then the call succeeds', async (t) => {
  emu.resetCounts()
  emu.setFault('token', { status: 429, retryAfter: '1', times: 1 })
  const started = Date.now()
  const token = await secretCredential(emu).getToken(uniqueScope())
  t.truthy(token.token)
  t.is(emu.requestCount('token'), 2)
  // Retry-After said one second; the retry must not come sooner (a lower bound only).
  t.true(Date.now() - started >= 900)
})

test.serial('a dropped connection is retried', async (t) => {
  emu.resetCounts()
  emu.setFault('token', { dropConnection: true, times: 1 })
  t.truthy((await secretCredential(emu).getToken(uniqueScope())).token)
  t.is(emu.requestCount('token'), 2)
})

test.serial('transient faults that outlast the retries give a TransientAuthenticationError', async (t) => {
  emu.resetCounts()
  emu.setFault('token', { status: 503 })
  const cred = secretCredential(emu, { retryOptions: { maxRetries: 2, retryDelayInMs: 10 } })
  const err = await t.throwsAsync(cred.getToken(uniqueScope()), { instanceOf: TransientAuthenticationError })
  t.true(err instanceof AuthenticationError)
  t.is(err.name, 'TransientAuthenticationError')
  t.is(err.statusCode, 503)
  t.is(err.attempts, 3)
  t.is(err.errorResponse.error, 'temporarily_unavailable')
  t.is(emu.requestCount('token'), 3)
})

test.serial('a malformed token response is a typed error', async (t) => {
  emu.setFault('token', { malformedBody: true, times: 1 })
  const err = await t.throwsAsync(secretCredential(emu).getToken(uniqueScope()), { instanceOf: AuthenticationError })
  t.is(err.errorResponse.error, 'invalid_response')
})

test.serial('an unreachable authority host is a TransientAuthenticationError naming the host', async (t) => {
  const cred = new azid.ClientSecretCredential(emu.defaults.tenantId, emu.defaults.clientId, 's', {
    authorityHost: 'https://127.0.0.1:9',
    retryOptions: { maxRetries: 1, retryDelayInMs: 10 },
  })
  const err = await t.throwsAsync(cred.getToken(uniqueScope()), { instanceOf: TransientAuthenticationError })
  t.is(err.attempts, 2)
  t.regex(err.message, /127\.0\.0\.1:9/)
})

test.serial('an aborted caller rejects at once; the others still get the token from one request', async (t) => {
  const scope = uniqueScope('abort')
  const cred = secretCredential(emu)
  emu.resetCounts()
  emu.setFault('token', { latencyMs: 400 })
  const controller = new AbortController()
  const aborted = cred.getToken(scope, { abortSignal: controller.signal })
  const others = Promise.all([cred.getToken(scope), cred.getToken(scope)])
  controller.abort()
  await t.throwsAsync(aborted, { instanceOf: AbortError })
  const [a, b] = await others
  t.is(a.token, b.token)
  t.is(emu.requestCount('token'), 1)
  // An already-aborted signal rejects before any request.
  await t.throwsAsync(cred.getToken(uniqueScope(), { abortSignal: AbortSignal.abort() }), { instanceOf: AbortError })
  t.is(emu.requestCount('token'), 1)
})

test.serial('another tenant needs additionallyAllowedTenants', async (t) => {
  const other = '0f0f0f0f-0000-4000-8000-000000000abc'
  emu.registerTenant(other)
  emu.registerApp({ tenantId: emu.defaults.tenantId, clientId: emu.defaults.clientId, clientSecret: emu.defaults.clientSecret, additionalTenants: [other] })
  const strict = secretCredential(emu)
  await t.throwsAsync(strict.getToken(uniqueScope(), { tenantId: other }), { instanceOf: CredentialUnavailableError, message: /AdditionallyAllowedTenants/ })
  const open = secretCredential(emu, { additionallyAllowedTenants: [other] })
  const token = await open.getToken(uniqueScope(), { tenantId: other })
  t.is(claimsOf(token.token).tid, other)
})

test.serial('bad constructor input fails fast with a clear message', (t) => {
  t.throws(() => new azid.ClientSecretCredential('bad tenant!', 'c', 's'), { message: /Invalid tenant id/ })
  t.throws(() => new azid.ClientSecretCredential('', 'c', 's'), { message: /required parameters/ })
  t.throws(() => new azid.ClientSecretCredential('t', 'c', 's', { authorityHost: 'http://login.example' }), { message: /must use the 'https' protocol/ })
})

test.serial('bad scopes fail before any request', async (t) => {
  const cred = secretCredential(emu)
  await t.throwsAsync(cred.getToken([]), { instanceOf: TypeError })
  await t.throwsAsync(cred.getToken(['']), { instanceOf: TypeError })
})

test.serial('getBearerTokenProvider yields the bearer string', async (t) => {
  const provider = getBearerTokenProvider(secretCredential(emu), uniqueScope())
  const a = await provider()
  t.is(a.split('.').length, 3)
  t.is(await provider(), a)
})
