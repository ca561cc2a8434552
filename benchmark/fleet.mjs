// Upstream requests for N replicas (separate Node processes) x 500 concurrent cold
// calls on one configuration, with and without the Redis token cache. Counts what
// reached the emulator; needs redis-server on PATH (see scripts/test.sh).
//
//   npm run build && node benchmark/fleet.mjs [--replicas=3,6] [--calls=500] [--latency=100]
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { startRedis } from '../__test__/helpers/redis.mjs'
import { startReplica } from '../__test__/helpers/replicas.mjs'

const require = createRequire(import.meta.url)
const azid = require('../dist/index.js')
const arg = (name, dflt) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt
const replicaCounts = arg('replicas', '3,6').split(',').map(Number)
const calls = Number(arg('calls', '500'))
const latencyMs = Number(arg('latency', '100'))

const emu = await azid.Emulator.start()
emu.setFault('token', { latencyMs })
const redis = await startRedis()
const rows = []
try {
  for (const n of replicaCounts) {
    for (const withRedis of [false, true]) {
      const cache = { key: randomBytes(32).toString('base64'), redisUrl: withRedis ? redis.url : undefined }
      const fleet = await Promise.all(Array.from({ length: n }, () => startReplica(emu, cache)))
      const scope = `api://azid-fleet-${n}-${withRedis}-${Date.now()}/.default`
      const before = emu.requestCount('token')
      const started = Date.now()
      const results = await Promise.all(fleet.map((r) => r.calls(scope, calls)))
      const ms = Date.now() - started
      await Promise.all(fleet.map((r) => r.stop()))
      const ok = results.reduce((a, r) => a + r.ok, 0)
      rows.push({ replicas: n, redis: withRedis, calls: n * calls, ok, requests: emu.requestCount('token') - before, ms })
    }
  }
} finally {
  await redis.stop()
  await emu.stop()
}
console.log(`| replicas | cold calls | token cache | upstream token requests | all calls done in |`)
console.log(`|---:|---:|---|---:|---:|`)
for (const r of rows) {
  console.log(`| ${r.replicas} | ${r.calls} (${r.ok} ok) | ${r.redis ? 'Redis' : 'memory only'} | **${r.requests}** | ${r.ms} ms |`)
}
