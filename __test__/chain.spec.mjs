// ChainedTokenCredential and DefaultAzureCredential: order, stickiness, which errors move
// on, the aggregate message, AZURE_TOKEN_CREDENTIALS, exclude flags, requiredEnvVars and
// the IMDS probe. Env and PATH are process-wide, so every test here is serial.
import test from 'ava'
import { createRequire } from 'node:module'
import { azid, startEmulator, uniqueScope } from './helpers/emulator.mjs'
import { cleanEnv } from './helpers/env.mjs'
import { emptyPath, fakeJwt, installFakeCli, restorePath } from './helpers/fakeCli.mjs'

const require = createRequire(import.meta.url)
const { ProbedManagedIdentityCredential } = require('../dist/credentials/probedManagedIdentityCredential.js')
const { shouldProbeImds } = require('../dist/credentials/defaultAzureCredentialFactories.js')
const {
  AggregateAuthenticationError,
  AuthenticationError,
  AuthenticationRequiredError,
  ChainedTokenCredential,
  CredentialUnavailableError,
  DefaultAzureCredential,
} = azid

/** A TokenCredential whose answers the test scripts, counting calls. */
class Fake {
  constructor(credentialName, ...answers) {
    this.credentialName = credentialName
    this.answers = answers
    this.calls = 0
  }
  async getToken() {
    const answer = this.answers[Math.min(this.calls, this.answers.length - 1)]
    this.calls += 1
    if (answer instanceof Error) throw answer
    return answer
  }
}
const token = (t) => ({ token: t, expiresOnTimestamp: Date.now() + 3_600_000 })
const unavailable = (why) => new CredentialUnavailableError(why)

let emu
test.before(async () => {
  emu = await startEmulator()
})
test.after.always(async () => emu?.stop())
test.afterEach.always(() => {
  cleanEnv()
  process.env.NODE_EXTRA_CA_CERTS = emu.caFile
  restorePath()
  emu.clearFaults()
})

test.serial('tries in order, then goes straight to the credential that worked', async (t) => {
  const a = new Fake('A', unavailable('no A here'))
  const b = new Fake('B', token('from-b'))
  const c = new Fake('C', token('from-c'))
  const chain = new ChainedTokenCredential(a, b, c)
  t.is((await chain.getToken('s')).token, 'from-b')
  t.deepEqual([a.calls, b.calls, c.calls], [1, 1, 0])
  t.is((await chain.getToken('s')).token, 'from-b')
  t.is((await chain.getToken('s')).token, 'from-b')
  t.deepEqual([a.calls, b.calls, c.calls], [1, 3, 0], 'the winner alone is called after the first success')
})

test.serial('a winner that becomes unavailable is forgotten and the chain is walked again', async (t) => {
  const a = new Fake('A', unavailable('no A'))
  const b = new Fake('B', token('b1'), unavailable('logged out'))
  const c = new Fake('C', token('from-c'))
  const chain = new ChainedTokenCredential(a, b, c)
  t.is((await chain.getToken('s')).token, 'b1')
  t.is((await chain.getToken('s')).token, 'from-c')
  t.is((await chain.getToken('s')).token, 'from-c')
  t.deepEqual([a.calls, b.calls, c.calls], [2, 3, 2])
})

test.serial('an AuthenticationError stops the chain; unavailable and AuthenticationRequired move on', async (t) => {
  const refused = new AuthenticationError(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret', error_codes: [7000215] })
  const a = new Fake('A', new AuthenticationRequiredError({ scopes: ['s'], message: 'sign in' }))
  const b = new Fake('B', refused)
  const c = new Fake('C', token('never'))
  const err = await t.throwsAsync(new ChainedTokenCredential(a, b, c).getToken('s'))
  t.is(err, refused)
  t.deepEqual([a.calls, b.calls, c.calls], [1, 1, 0])
})

test.serial('any other error is rethrown as is', async (t) => {
  const boom = new TypeError('bad input')
  const c = new Fake('C', token('never'))
  const err = await t.throwsAsync(new ChainedTokenCredential(new Fake('A', boom), c).getToken('s'))
  t.is(err, boom)
  t.is(c.calls, 0)
})

test.serial('all unavailable: AggregateAuthenticationError naming each credential and why', async (t) => {
  const errA = unavailable('A needs AZURE_X')
  const errB = new AuthenticationRequiredError({ scopes: ['s'], message: 'B needs an interactive login' })
  const chain = new ChainedTokenCredential(new Fake('A', errA), new Fake('B', errB), new Fake('C', null))
  const err = await t.throwsAsync(chain.getToken('s'), { instanceOf: AggregateAuthenticationError })
  t.is(err.name, 'AggregateAuthenticationError')
  t.is(err.errors.length, 3)
  t.is(err.errors[0], errA)
  const lines = err.message.split('\n')
  t.is(lines[0], 'ChainedTokenCredential authentication failed.')
  t.is(lines[1], '- A: CredentialUnavailableError: A needs AZURE_X')
  t.is(lines[2], '- B: AuthenticationRequiredError: B needs an interactive login')
  t.regex(lines[3], /^- C: CredentialUnavailableError: C returned no token/)
})

test.serial('AuthenticationRequiredError carries scopes and getTokenOptions', (t) => {
  const e = new AuthenticationRequiredError({ scopes: ['a', 'b'], getTokenOptions: { tenantId: 't' }, message: 'm' })
  t.deepEqual(e.scopes, ['a', 'b'])
  t.is(e.getTokenOptions.tenantId, 't')
  t.is(e.name, azid.AuthenticationRequiredErrorName)
})

test.serial('AZURE_TOKEN_CREDENTIALS: an unknown value throws at construction, listing valid ones', (t) => {
  process.env.AZURE_TOKEN_CREDENTIALS = 'VisualStudioCodeCredential'
  const err = t.throws(() => new DefaultAzureCredential())
  t.regex(err.message, /AZURE_TOKEN_CREDENTIALS/)
  for (const valid of ['prod', 'dev', 'EnvironmentCredential', 'ManagedIdentityCredential', 'AzureCliCredential', 'AzureDeveloperCliCredential', 'AzurePowerShellCredential']) {
    t.true(err.message.includes(valid), valid)
  }
})

test.serial('AZURE_TOKEN_CREDENTIALS=dev skips the environment; a class name (any case, padded) picks only it', async (t) => {
  Object.assign(process.env, emu.env())
  const exp = Math.floor(Date.now() / 1000) + 3600
  const az = installFakeCli('az', { stdout: JSON.stringify({ accessToken: fakeJwt(exp), expires_on: exp }) })
  emu.resetCounts()
  process.env.AZURE_TOKEN_CREDENTIALS = ' Dev '
  await new DefaultAzureCredential().getToken(uniqueScope('dac-dev'))
  t.is(az.calls().length, 1)
  t.is(emu.requestCount('token'), 0, 'the environment credential was not tried')

  process.env.AZURE_TOKEN_CREDENTIALS = '  environmentcredential '
  await new DefaultAzureCredential().getToken(uniqueScope('dac-env'))
  t.is(emu.requestCount('token'), 1)
  t.is(az.calls().length, 1, 'the CLI was not tried')

  process.env.AZURE_TOKEN_CREDENTIALS = 'prod'
  delete process.env.AZURE_CLIENT_SECRET
  process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = emu.imdsEndpoint
  delete process.env.AZURE_CLIENT_ID
  await new DefaultAzureCredential().getToken(uniqueScope('dac-prod'))
  t.is(emu.requestCount('imds'), 1, 'managed identity answered')
  t.is(az.calls().length, 1, 'dev credentials are not in prod')
})

test.serial('exclude flags leave credentials out; excluding all throws', async (t) => {
  Object.assign(process.env, emu.env())
  const exp = Math.floor(Date.now() / 1000) + 3600
  const az = installFakeCli('az', { stdout: JSON.stringify({ accessToken: fakeJwt(exp), expires_on: exp }) })
  emu.resetCounts()
  const cred = new DefaultAzureCredential({ excludeEnvironmentCredential: true, excludeWorkloadIdentityCredential: true, excludeManagedIdentityCredential: true })
  await cred.getToken(uniqueScope('dac-exclude'))
  t.is(az.calls().length, 1)
  t.is(emu.requestCount('token') + emu.requestCount('imds'), 0)

  const err = t.throws(() =>
    new DefaultAzureCredential({
      excludeEnvironmentCredential: true,
      excludeWorkloadIdentityCredential: true,
      excludeManagedIdentityCredential: true,
      excludeAzureCliCredential: true,
      excludeAzureDeveloperCliCredential: true,
      excludeAzurePowerShellCredential: true,
    }),
  )
  t.regex(err.message, /no credential left/)
})

test.serial('requiredEnvVars throws at construction when a variable is unset or empty', (t) => {
  process.env.AZID_TEST_EMPTY = ''
  const err = t.throws(() => new DefaultAzureCredential({ requiredEnvVars: ['AZURE_TENANT_ID', 'AZID_TEST_EMPTY'] }))
  t.regex(err.message, /AZURE_TENANT_ID, AZID_TEST_EMPTY/)
  process.env.AZURE_TENANT_ID = 'contoso.com'
  process.env.AZID_TEST_EMPTY = 'x'
  t.notThrows(() => new DefaultAzureCredential({ requiredEnvVars: ['AZURE_TENANT_ID', 'AZID_TEST_EMPTY'] }))
  delete process.env.AZID_TEST_EMPTY
})

test.serial('nothing available: the aggregate says, credential by credential, what is missing', async (t) => {
  emptyPath()
  const err = await t.throwsAsync(new DefaultAzureCredential().getToken(uniqueScope()), { instanceOf: AggregateAuthenticationError })
  const names = ['EnvironmentCredential', 'WorkloadIdentityCredential', 'ManagedIdentityCredential', 'AzureCliCredential', 'AzurePowerShellCredential', 'AzureDeveloperCliCredential']
  const lines = err.message.split('\n').slice(1)
  t.deepEqual(lines.map((l) => l.split(':')[0]), names.map((n) => `- ${n}`))
  t.regex(lines[0], /Missing: AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET/)
  t.regex(lines[1], /WorkloadIdentityCredential: is not configured: set .*AZURE_FEDERATED_TOKEN_FILE/)
  t.regex(lines[2], /127\.0\.0\.1:9/)
  t.regex(lines[3], /'az' was not found on PATH.*az login/)
  t.regex(lines[4], /'pwsh' was not found on PATH.*Connect-AzAccount/)
  t.regex(lines[5], /'azd' was not found on PATH.*azd auth login/)
})

test.serial('a configured environment credential that is refused stops DefaultAzureCredential', async (t) => {
  Object.assign(process.env, emu.env(), { AZURE_CLIENT_SECRET: 'wrong-secret-value' })
  const az = installFakeCli('az', { stdout: '{}' })
  const err = await t.throwsAsync(new DefaultAzureCredential().getToken(uniqueScope()), { instanceOf: AuthenticationError })
  t.is(err.statusCode, 400)
  t.regex(err.message, /^EnvironmentCredential authentication failed/)
  t.deepEqual(err.errorResponse.errorCodes, [7000215])
  t.is(az.calls().length, 0)
})

test.serial('a factory that throws becomes an unavailable credential that says why', async (t) => {
  emptyPath()
  const err = await t.throwsAsync(
    new DefaultAzureCredential({ tenantId: 'not a tenant!', excludeEnvironmentCredential: true, excludeManagedIdentityCredential: true }).getToken(uniqueScope()),
    { instanceOf: AggregateAuthenticationError },
  )
  t.regex(err.message, /- AzureCliCredential: CredentialUnavailableError: AzureCliCredential is unavailable: it could not be created: Invalid tenant id/)
})

test.serial('the IMDS probe runs when IMDS is at its usual address, and not otherwise', (t) => {
  t.true(shouldProbeImds({}, undefined))
  t.true(shouldProbeImds({}, 'prod'))
  t.false(shouldProbeImds({ AZURE_POD_IDENTITY_AUTHORITY_HOST: 'http://127.0.0.1:1' }, undefined))
  t.false(shouldProbeImds({}, 'managedidentitycredential'))
  t.false(shouldProbeImds({ IDENTITY_ENDPOINT: 'http://x', IDENTITY_HEADER: 'h' }, undefined))
})

test.serial('the IMDS probe runs once and is remembered', async (t) => {
  emu.resetCounts()
  const inner = new Fake('MI', token('mi-token'))
  const mi = new ProbedManagedIdentityCredential(inner, emu.imdsEndpoint)
  t.is((await mi.getToken('s')).token, 'mi-token')
  t.is((await mi.getToken('s')).token, 'mi-token')
  t.is(emu.requestCount('imds'), 1, 'one probe, however many calls')
  t.is(inner.calls, 2)
})

test.serial('a probe that gets no answer moves on in about a second, and is not repeated', async (t) => {
  emu.resetCounts()
  emu.setFault('imds', { latencyMs: 5000 })
  const inner = new Fake('MI', token('never'))
  const mi = new ProbedManagedIdentityCredential(inner, emu.imdsEndpoint)
  const started = Date.now()
  const err = await t.throwsAsync(mi.getToken('s'), { instanceOf: CredentialUnavailableError })
  const took = Date.now() - started
  // Had the 1 s timeout not fired, the 400 arriving after 5 s would count as "available".
  t.true(took >= 900, `took ${took} ms`)
  t.regex(err.message, /1 attempt, 1000 ms timeout/)
  await t.throwsAsync(mi.getToken('s'), { instanceOf: CredentialUnavailableError })
  t.is(inner.calls, 0)
  t.is(emu.requestCount('imds'), 1)

  // Nothing listening: unavailable at once.
  await t.throwsAsync(new ProbedManagedIdentityCredential(inner, 'http://127.0.0.1:9').getToken('s'), { instanceOf: CredentialUnavailableError })
})

test.serial('inside a chain, a failed probe lets the next credential answer', async (t) => {
  const next = new Fake('Next', token('next'))
  const chain = new ChainedTokenCredential(new ProbedManagedIdentityCredential(new Fake('MI', token('never')), 'http://127.0.0.1:9'), next)
  t.is((await chain.getToken('s')).token, 'next')
})
