import test from 'ava'
import { azid, claimsOf, startEmulator, uniqueScope } from './helpers/emulator.mjs'

const { ManagedIdentityCredential, CredentialUnavailableError, TransientAuthenticationError } = azid
const fast = { retryOptions: { retryDelayInMs: 20, maxRetryDelayInMs: 100 } }

let emu
test.before(async () => {
  emu = await startEmulator()
})
test.after.always(async () => emu?.stop())
test.afterEach.always(() => emu.clearFaults())

test.serial('system-assigned identity from IMDS, cached', async (t) => {
  emu.resetCounts()
  const cred = new ManagedIdentityCredential(fast)
  const scope = uniqueScope('mi')
  const token = await cred.getToken(scope)
  const claims = claimsOf(token.token)
  t.is(claims.aud, scope.replace('/.default', ''))
  t.is(claims.appid, emu.defaults.systemAssignedClientId)
  t.true(token.expiresOnTimestamp > Date.now() + 80_000_000)
  t.is((await cred.getToken(scope)).token, token.token)
  t.is(emu.requestCount('imds'), 1)
})

test.serial('user-assigned identity by clientId, objectId or resourceId', async (t) => {
  const d = emu.defaults
  for (const cred of [
    new ManagedIdentityCredential(d.userAssignedClientId, fast),
    new ManagedIdentityCredential({ clientId: d.userAssignedClientId, ...fast }),
    new ManagedIdentityCredential({ objectId: d.userAssignedObjectId, ...fast }),
    new ManagedIdentityCredential({ resourceId: d.userAssignedResourceId, ...fast }),
  ]) {
    const claims = claimsOf((await cred.getToken(uniqueScope('uami'))).token)
    t.is(claims.appid, d.userAssignedClientId)
    t.is(claims.oid, d.userAssignedObjectId)
  }
})

test.serial('an identity not assigned here is CredentialUnavailableError with the IMDS answer', async (t) => {
  const cred = new ManagedIdentityCredential({ clientId: '99999999-0000-4000-8000-000000000099', ...fast })
  const err = await t.throwsAsync(cred.getToken(uniqueScope()), { instanceOf: CredentialUnavailableError })
  t.is(err.statusCode, 400)
  t.regex(err.message, /Identity not found/)
  t.regex(err.message, /clientId=99999999/)
})

test.serial('1,000 concurrent cold calls reach IMDS once', async (t) => {
  emu.resetCounts()
  emu.setFault('imds', { latencyMs: 100 })
  const cred = new ManagedIdentityCredential(fast)
  const scope = uniqueScope('mi-herd')
  const tokens = await Promise.all(Array.from({ length: 1000 }, () => cred.getToken(scope)))
  t.is(new Set(tokens.map((x) => x.token)).size, 1)
  t.is(emu.requestCount('imds'), 1)
})

test.serial('IMDS 410, 429 and 5xx are retried', async (t) => {
  for (const status of [410, 429, 503]) {
    emu.resetCounts()
    emu.setFault('imds', { status, times: 2 })
    t.truthy((await new ManagedIdentityCredential(fast).getToken(uniqueScope('mi-retry'))).token)
    t.is(emu.requestCount('imds'), 3, `status ${status}`)
  }
})

test.serial('IMDS faults that outlast the retries are transient errors', async (t) => {
  emu.setFault('imds', { status: 500 })
  const cred = new ManagedIdentityCredential({ retryOptions: { maxRetries: 1, retryDelayInMs: 10 } })
  const err = await t.throwsAsync(cred.getToken(uniqueScope()), { instanceOf: TransientAuthenticationError })
  t.is(err.statusCode, 500)
  t.is(err.attempts, 2)
})

test.serial('no IMDS listening is CredentialUnavailableError, fast, and names the fix', async (t) => {
  const saved = process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST
  process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = 'http://127.0.0.1:9'
  try {
    const err = await t.throwsAsync(new ManagedIdentityCredential().getToken(uniqueScope()), { instanceOf: CredentialUnavailableError })
    t.regex(err.message, /127\.0\.0\.1:9/)
    t.regex(err.message, /AZURE_POD_IDENTITY_AUTHORITY_HOST/)
  } finally {
    process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = saved
  }
})

test.serial('managed identity takes exactly one scope and one kind of id', async (t) => {
  const cred = new ManagedIdentityCredential(fast)
  await t.throwsAsync(cred.getToken(['a/.default', 'b/.default']), { instanceOf: CredentialUnavailableError, message: /Multiple scopes are not supported/ })
  t.throws(() => new ManagedIdentityCredential({ clientId: 'a', objectId: 'b' }), { message: /only one of 'clientId', 'resourceId', or 'objectId'/ })
})

test.serial('an App Service environment goes to IDENTITY_ENDPOINT, not silently to IMDS', async (t) => {
  process.env.IDENTITY_ENDPOINT = 'http://127.0.0.1:9/msi/token'
  process.env.IDENTITY_HEADER = 'h'
  try {
    const err = await t.throwsAsync(new ManagedIdentityCredential(fast).getToken(uniqueScope()), { instanceOf: CredentialUnavailableError, message: /App Service.*127\.0\.0\.1:9.*IDENTITY_ENDPOINT/ })
    t.false(err.message.includes('IMDS'))
  } finally {
    delete process.env.IDENTITY_ENDPOINT
    delete process.env.IDENTITY_HEADER
  }
})
