// Engines with one configuration are process-wide: worker threads share the cache and
// the request in flight.
import test from 'ava'
import { Worker } from 'node:worker_threads'
import { azid, sleep, startEmulator, uniqueScope } from './helpers/emulator.mjs'

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

function startWorker(emu, extra = {}) {
  const d = emu.defaults
  const w = new Worker(new URL('./fixtures/workerLoop.mjs', import.meta.url), {
    workerData: { tenantId: d.tenantId, clientId: d.clientId, clientSecret: d.clientSecret, authorityHost: emu.authorityHost, ...extra },
  })
  const next = () =>
    new Promise((resolve, reject) => {
      w.once('message', resolve)
      w.once('error', reject)
    })
  const ready = next()
  return {
    ready,
    calls(scope, n) {
      const r = next()
      w.postMessage({ scope, n })
      return r
    },
    terminate: () => w.terminate(),
  }
}

test.serial('a worker terminated mid-herd leaves the others working, and takes its log sink with it', async (t) => {
  const emu = await startEmulator()
  const sinksBefore = azid.nativeLogSinkCount()
  let workers = []
  try {
    emu.setFault('token', { latencyMs: 300 })
    workers = Array.from({ length: 4 }, () => startWorker(emu, { log: true }))
    await Promise.all(workers.map((w) => w.ready))
    t.is(azid.nativeLogSinkCount(), sinksBefore + 4)
    const scope = uniqueScope('terminated')
    const pending = workers.map((w) => w.calls(scope, 250))
    // The request is in flight (300 ms latency); one of the callers' threads goes away.
    await sleep(50)
    await workers[0].terminate()
    const rest = await Promise.all(pending.slice(1))
    t.true(rest.every((r) => r.ok === 250 && r.distinct === 1))
    t.is(emu.requestCount('token'), 1)
    t.is(azid.nativeLogSinkCount(), sinksBefore + 3, 'the dead worker\'s sink was removed with its env')

    // After the termination, the others keep getting new tokens (and logging does not break).
    const later = await Promise.all(workers.slice(1).map((w) => w.calls(uniqueScope('after'), 50)))
    t.true(later.every((r) => r.ok === 50))
    await workers[1].terminate()
    const last = await Promise.all(workers.slice(2).map((w) => w.calls(uniqueScope('last'), 50)))
    t.true(last.every((r) => r.ok === 50))
    await Promise.all(workers.slice(2).map((w) => w.terminate()))
    t.is(azid.nativeLogSinkCount(), sinksBefore)
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
    await emu.stop()
  }
})

test.serial('30 workers started and stopped leave no engine behind and memory bounded', async (t) => {
  const emu = await startEmulator()
  try {
    const enginesBefore = azid.liveEngineCount()
    const rss = []
    for (let round = 0; round < 10; round++) {
      const batch = Array.from({ length: 3 }, () => startWorker(emu, { log: round % 2 === 0 }))
      await Promise.all(batch.map((w) => w.ready))
      t.true(azid.liveEngineCount() > enginesBefore, 'the workers\' credentials hold an engine')
      const results = await Promise.all(batch.map((w) => w.calls(uniqueScope(`round${round}`), 20)))
      t.true(results.every((r) => r.ok === 20), JSON.stringify(results))
      await Promise.all(batch.map((w) => w.terminate()))
      t.is(azid.liveEngineCount(), enginesBefore, `round ${round}: engines freed with their workers`)
      globalThis.gc?.()
      rss.push(process.memoryUsage().rss)
    }
    const growthMb = (rss[rss.length - 1] - rss[2]) / 2 ** 20
    t.log(`RSS after rounds: ${rss.map((b) => Math.round(b / 2 ** 20)).join(', ')} MB`)
    t.true(growthMb < 64, `RSS grew ${growthMb.toFixed(1)} MB over 24 worker lifetimes`)
  } finally {
    await emu.stop()
  }
})
