// LiveSecrets against the emulator's vault: startup, rotation, failures, Event Grid.
import test from 'ava'
import { once } from 'node:events'
import { azid, secretCredential, sleep, startEmulator } from './helpers/emulator.mjs'

const clientOptions = { disableChallengeResourceVerification: true, retryOptions: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 20 } }
let emu
test.before(async () => {
  emu = await startEmulator()
})
test.after.always(async () => {
  await emu?.stop()
})

// The refresh timers are unref'd, so a test waiting only on them would let the process end.
const keepAlive = (t) => {
  const handle = setInterval(() => undefined, 1000)
  t.teardown(() => clearInterval(handle))
}

const load = (names, extra = {}) =>
  azid.LiveSecrets.load({ vaultUrl: emu.vaultUrl, credential: secretCredential(emu), names, refreshIntervalMs: 0, vaultName: 'emuvault', clientOptions, ...extra })

test.serial('startup fails with one error naming every missing, forbidden, disabled and expired secret', async (t) => {
  emu.setSecret('ok-1', 'fine-value-1')
  emu.setSecret('locked-1', 'locked-value-1')
  emu.denySecretAccess({ secretName: 'locked-1' })
  emu.setSecret('off-1', 'off-value-1', { enabled: false })
  emu.setSecret('stale-1', 'stale-value-1', { exp: Math.floor(Date.now() / 1000) - 60 })
  const e = await t.throwsAsync(load(['ok-1', 'missing-1', 'missing-2', 'locked-1', 'off-1', 'stale-1']), { instanceOf: azid.LiveSecretsLoadError })
  t.deepEqual(
    e.failures.map((f) => [f.name, f.reason]),
    [['missing-1', 'missing'], ['missing-2', 'missing'], ['locked-1', 'forbidden'], ['off-1', 'disabled'], ['stale-1', 'expired']],
  )
  for (const name of ['missing-1', 'missing-2', 'locked-1', 'off-1', 'stale-1']) t.true(e.message.includes(`'${name}'`), name)
  t.false(e.message.includes('ok-1'))
  for (const v of ['fine-value-1', 'locked-value-1', 'off-value-1', 'stale-value-1']) t.false(e.message.includes(v))
  emu.clearSecretDenials()
})

test.serial('get is synchronous from memory and names the set for an unknown secret', async (t) => {
  emu.setSecret('db-url', 'postgres://one')
  const set = await load(['db-url'])
  emu.resetCounts()
  t.is(set.get('db-url'), 'postgres://one')
  t.is(set.get('DB-URL'), 'postgres://one')
  t.is(emu.requestCount('keyvault'), 0)
  t.throws(() => set.get('nope'), { message: /'nope' is not in this set \(loaded: db-url\)/ })
  set.close()
})

test.serial('a rotation is seen by the background refresh and announced without the value', async (t) => {
  const v1 = emu.setSecret('rotating', 'value-before')
  keepAlive(t)
  const set = await load(['rotating'], { refreshIntervalMs: 100, jitter: 0.2 })
  t.teardown(() => set.close())
  const v2 = emu.setSecret('rotating', 'value-after')
  const [event] = await once(set, 'rotation')
  t.deepEqual(event, { name: 'rotating', oldVersion: v1, newVersion: v2 })
  t.false(JSON.stringify(event).includes('value-'))
  t.is(set.get('rotating'), 'value-after')
  t.is(set.properties('rotating').version, v2)
})

test.serial('a failed refresh keeps serving the last good value', async (t) => {
  emu.setSecret('sticky', 'good-value')
  const set = await load(['sticky'])
  emu.setFault('keyvault', { status: 500 })
  try {
    const errored = once(set, 'refreshError')
    t.false(await set.refresh('sticky'))
    const [e] = await errored
    t.is(e.name, 'sticky')
    t.is(e.error.statusCode, 500)
    t.is(set.get('sticky'), 'good-value')
  } finally {
    emu.clearFaults()
  }
  emu.setSecret('sticky', 'next-value')
  t.true(await set.refresh('sticky'))
  t.is(set.get('sticky'), 'next-value')
})

test.serial('concurrent refreshes of one secret share one request', async (t) => {
  emu.setSecret('shared', 'v')
  const set = await load(['shared'])
  emu.setFault('keyvault', { latencyMs: 50 })
  emu.resetCounts()
  await Promise.all(Array.from({ length: 50 }, () => set.refresh('shared')))
  t.is(emu.requestCount('keyvault'), 1)
  emu.clearFaults()
})

const eventFor = (name, vaultName = 'emuvault', version = 'a'.repeat(32)) => ({
  id: crypto.randomUUID(),
  topic: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/${vaultName}`,
  subject: name,
  eventType: 'Microsoft.KeyVault.SecretNewVersionCreated',
  eventTime: new Date().toISOString(),
  data: { Id: `https://${vaultName}.vault.azure.net/secrets/${name}/${version}`, VaultName: vaultName, ObjectType: 'Secret', ObjectName: name, Version: version, NBF: null, EXP: null },
  dataVersion: '1',
  metadataVersion: '1',
})

test.serial('Event Grid: the validation handshake is answered', async (t) => {
  emu.setSecret('hooked', 'h1')
  const set = await load(['hooked'])
  const body = JSON.stringify([
    { id: '1', topic: '/subscriptions/x', subject: '', eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: { validationCode: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6', validationUrl: 'https://example.invalid/validate' }, dataVersion: '2', metadataVersion: '1', eventTime: new Date().toISOString() },
  ])
  const r = await set.handleEventGrid(body, { 'aeg-event-type': 'SubscriptionValidation' })
  t.is(r.validationResponse, '512d38b6-c7b8-40c8-89fe-f46f9e9622b6')
  await t.throwsAsync(set.handleEventGrid('not json'), { instanceOf: TypeError })
  // CloudEvents schema: the handshake is an OPTIONS request with WebHook-Request-Origin.
  const ce = await set.handleEventGrid('', { 'webhook-request-origin': 'eventgrid.azure.net' })
  t.is(ce.webhookAllowedOrigin, 'eventgrid.azure.net')
})

test.serial('Event Grid: 100 new-version events refresh the secret with one request; others are ignored', async (t) => {
  emu.setSecret('hooked-2', 'h1')
  const set = await load(['hooked-2'])
  const rotations = []
  set.on('rotation', (e) => rotations.push(e))
  const v2 = emu.setSecret('hooked-2', 'h2')
  emu.resetCounts()
  const results = await Promise.all(Array.from({ length: 100 }, () => set.handleEventGrid([eventFor('hooked-2', 'emuvault', v2)], { 'aeg-event-type': 'Notification' })))
  t.is(emu.requestCount('keyvault'), 1)
  t.deepEqual(results[0].refreshed, ['hooked-2'])
  t.is(set.get('hooked-2'), 'h2')
  t.is(rotations.length, 1)
  t.is(rotations[0].newVersion, v2)

  // The CloudEvents schema carries the same data.
  const v3 = emu.setSecret('hooked-2', 'h3')
  const cloudEvent = { specversion: '1.0', id: '1', type: 'Microsoft.KeyVault.SecretNewVersionCreated', source: eventFor('x').topic, subject: 'hooked-2', data: { VaultName: 'emuvault', ObjectName: 'hooked-2', Version: v3 } }
  t.deepEqual((await set.handleEventGrid(JSON.stringify(cloudEvent))).refreshed, ['hooked-2'])
  t.is(set.get('hooked-2'), 'h3')

  emu.resetCounts()
  const other = await set.handleEventGrid([eventFor('hooked-2', 'some-other-vault'), eventFor('not-in-set')])
  t.deepEqual(other.refreshed, [])
  t.is(other.ignored.length, 2)
  t.regex(other.ignored[0].reason, /some-other-vault/)
  t.regex(other.ignored[1].reason, /not in this set/)
  t.is(emu.requestCount('keyvault'), 0)
})

test.serial('close() stops the background refresh', async (t) => {
  emu.setSecret('closing', 'c1')
  keepAlive(t)
  const set = await load(['closing'], { refreshIntervalMs: 30, jitter: 0 })
  emu.resetCounts()
  while (emu.requestCount('keyvault') === 0) await sleep(10) // the timer runs
  set.close()
  emu.resetCounts()
  await sleep(200)
  t.is(emu.requestCount('keyvault'), 0)
})

test.serial('no secret value reaches the log lines', async (t) => {
  const lines = []
  const original = azid.AzureLogger.log
  azid.setLogLevel('verbose')
  azid.AzureLogger.log = (...args) => lines.push(args.join(' '))
  try {
    emu.setSecret('logged', 'log-secret-value-1')
    const set = await load(['logged'])
    emu.setSecret('logged', 'log-secret-value-2')
    await set.refresh('logged')
    emu.setFault('keyvault', { status: 500 })
    await set.refresh('logged')
    emu.clearFaults()
    await set.handleEventGrid([eventFor('logged', 'other-vault')])
  } finally {
    azid.AzureLogger.log = original
    azid.setLogLevel()
  }
  t.true(lines.some((l) => /rotated from version/.test(l)))
  t.true(lines.some((l) => /still serving version/.test(l)))
  t.true(lines.some((l) => /GET \/secrets\/logged/.test(l)))
  t.false(lines.some((l) => l.includes('log-secret-value')))
})

test.serial('a loaded set does not keep the process alive, even without close()', async (t) => {
  emu.setSecret('exit-check', 'x')
  const script = `
    const azid = require(${JSON.stringify(new URL('../dist/index.js', import.meta.url).pathname)})
    process.env.NODE_EXTRA_CA_CERTS = ${JSON.stringify(emu.caFile)}
    const credential = new azid.ClientSecretCredential(${JSON.stringify(emu.defaults.tenantId)}, ${JSON.stringify(emu.defaults.clientId)}, ${JSON.stringify(emu.defaults.clientSecret)}, { authorityHost: ${JSON.stringify(emu.authorityHost)} })
    azid.LiveSecrets.load({ vaultUrl: ${JSON.stringify(emu.vaultUrl)}, credential, names: ['exit-check'], refreshIntervalMs: 50, clientOptions: { disableChallengeResourceVerification: true } })
      .then((s) => console.log('loaded ' + s.get('exit-check').length))`
  const { execFile } = await import('node:child_process')
  const out = await new Promise((resolve, reject) =>
    execFile(process.execPath, ['-e', script], { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
  )
  t.is(out.trim(), 'loaded 1')
})
