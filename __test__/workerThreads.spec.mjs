// Engines with one configuration are process-wide: worker threads share the cache and
// the request in flight.
import test from 'ava'
import { Worker } from 'node:worker_threads'
import { azid, startEmulator, uniqueScope } from './helpers/emulator.mjs'

test('4 worker threads x 250 concurrent cold calls reach the emulator once', async (t) => {
  const emu = await startEmulator()
  try {
    const scope = uniqueScope('workers')
    emu.setFault('token', { latencyMs: 300 })
    const d = emu.defaults
    // The main thread holds a credential of the same configuration, as a gateway would.
    const main = new azid.ClientSecretCredential(d.tenantId, d.clientId, d.clientSecret, { authorityHost: emu.authorityHost })
    const data = { tenantId: d.tenantId, clientId: d.clientId, clientSecret: d.clientSecret, authorityHost: emu.authorityHost, scope, calls: 250 }
    const results = await Promise.all(
      Array.from({ length: 4 }, () => new Promise((resolve, reject) => {
        const w = new Worker(new URL('./fixtures/workerCalls.mjs', import.meta.url), { workerData: data })
        w.once('message', resolve)
        w.once('error', reject)
      })),
    )
    t.true(results.every((n) => n > 0), 'every worker got one shared token')
    t.is(emu.requestCount('token'), 1)
    // The workers are gone; the main thread still has the shared cached token.
    t.truthy((await main.getToken(scope)).token)
    t.is(emu.requestCount('token'), 1)
  } finally {
    await emu.stop()
  }
})
