// One benchmark task for one contender, in its own process (started by run.mjs, which
// owns the emulator and sets NODE_EXTRA_CA_CERTS before this process starts).
//
//   node benchmark/suite.mjs hits <lib> <kind>   cache-hit cost at growing cache sizes
//   node benchmark/suite.mjs herd <lib> <kind>   N concurrent cold calls on a fresh credential
//
// Prints progress on stderr and one JSON line (prefixed RESULT) on stdout.
import https from 'node:https'
import { emulatorFromEnv, makeContender } from './lib/contenders.mjs'

const [task, lib, kind] = process.argv.slice(2)
const emu = emulatorFromEnv()
const num = (k, d) => (process.env[k] ? Number(process.env[k]) : d)

// azid (required at every size) and the floor (no upstream) get the safety cap instead
// of the budget: their fill time is the emulator's RSA signing, not their own cost.
const EXEMPT = process.env.BENCH_EXEMPT === '1'
const BUDGET_MS = EXEMPT ? num('BENCH_CAP_MS', 300_000) : num('BENCH_BUDGET_MS', 60_000)
const BATCHES = num('BENCH_BATCHES', 5)
const BATCH_MS = num('BENCH_BATCH_MS', 60)
const WARMUP_MS = num('BENCH_WARMUP_MS', 150)
const FILL_CONCURRENCY = num('BENCH_FILL_CONCURRENCY', 16)
const HERD = num('BENCH_HERD', 1000)
const SIZES = (process.env.BENCH_SIZES ?? '1,100,1000,10000,100000').split(',').map(Number)

const log = (msg) => process.stderr.write(`  [${lib}/${kind}] ${msg}\n`)
const hr = () => process.hrtime.bigint()
const msSince = (t0) => Number(hr() - t0) / 1e6

/** Upstream request counts from the emulator's admin API (not counted itself). */
function counts() {
  return new Promise((resolve, reject) => {
    const req = https.get(`${emu.authorityHost}/_emulator/counts`, { agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c) => (body += c))
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`admin counts: HTTP ${res.statusCode} ${body}`))
        else resolve(JSON.parse(body))
      })
    })
    req.on('error', reject)
  })
}
const upstream = (c) => c.token + c.openid + c.instance_discovery + c.imds

/**
 * Times awaited calls over keys[0..n) with a rotating index: warm-up (which also
 * calibrates the batch length), then BATCHES batches of about BATCH_MS each.
 * Returns the median ns per call and the spread of the batches.
 */
async function timeCell(call, keys, n, deadline) {
  let idx = 0
  const run = async (iters) => {
    const t0 = hr()
    for (let i = 0; i < iters; i++) {
      await call(keys[idx])
      if (++idx === n) idx = 0
    }
    return Number(hr() - t0)
  }
  const warmStart = hr()
  let iters = 1
  let elapsed
  for (;;) {
    elapsed = await run(iters)
    if (elapsed >= (BATCH_MS * 1e6) / 4 || Date.now() > deadline) break
    iters *= 2
  }
  while (msSince(warmStart) < WARMUP_MS && Date.now() < deadline) elapsed = await run(iters)
  const perCall = elapsed / iters
  const batchIters = Math.max(1, Math.ceil((BATCH_MS * 1e6) / perCall))
  const samples = []
  for (let b = 0; b < BATCHES; b++) samples.push((await run(batchIters)) / batchIters)
  const sorted = [...samples].sort((a, b) => a - b)
  return {
    nsPerCall: sorted[Math.floor(sorted.length / 2)],
    minNs: sorted[0],
    maxNs: sorted[sorted.length - 1],
    batchIters,
    calls: batchIters * BATCHES,
  }
}

/** Fills keys[from..to) with CONCURRENCY calls in flight; stops issuing at the deadline. */
async function fill(c, keys, from, to, deadline) {
  let next = from
  let done = 0
  let firstError
  const doFill = c.fill ?? c.call
  const worker = async () => {
    while (next < to && Date.now() < deadline && firstError === undefined) {
      const i = next++
      try {
        const r = await doFill(keys[i], i)
        if (!c.check(r)) throw new Error(`no token in result for key ${i}`)
        done++
      } catch (e) {
        firstError ??= e
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(FILL_CONCURRENCY, to - from) }, worker))
  if (firstError) throw firstError
  return from + done
}

async function hits() {
  const c = await makeContender(lib, kind, emu)
  const keys = []
  const cells = []
  let filled = 0
  let lastNs = 0
  for (const size of SIZES) {
    // Each insert does at least one lookup, and a lookup does not get cheaper as the cache
    // grows, so (inserts x the last measured hit cost) is a lower bound on the fill time.
    const projectedMs = ((size - filled) * lastNs) / 1e6
    if (!EXEMPT && projectedMs > BUDGET_MS) {
      log(`size ${size}: over budget, fill would take at least ${(projectedMs / 1000).toFixed(0)} s`)
      cells.push({ size, status: 'over-budget', phase: 'projected', projectedMs, lastNs, inserts: size - filled })
      break
    }
    while (keys.length < size) keys.push(c.keyFor(keys.length))
    const t0 = hr()
    const deadline = Date.now() + BUDGET_MS
    const beforeFill = await counts()
    const reached = await fill(c, keys, filled, size, deadline)
    const fillMs = msSince(t0)
    const fillUpstream = upstream(await counts()) - upstream(beforeFill)
    if (reached < size) {
      log(`size ${size}: over budget while filling (${reached} of ${size} after ${(fillMs / 1000).toFixed(1)} s)`)
      cells.push({ size, status: 'over-budget', phase: 'fill', reached, fillMs })
      break
    }
    filled = size
    const before = await counts()
    const m = await timeCell(c.call, keys, size, deadline)
    const during = upstream(await counts()) - upstream(before)
    const totalMs = msSince(t0)
    lastNs = m.nsPerCall
    const cell = { size, status: 'ok', fillMs, fillUpstream, upstreamWhileTiming: during, totalMs, ...m }
    if (totalMs > BUDGET_MS) {
      cell.status = 'over-budget'
      cell.phase = 'measure'
    }
    cells.push(cell)
    log(
      `size ${size}: ${(m.nsPerCall / 1000).toFixed(3)} µs/call (fill ${(fillMs / 1000).toFixed(1)} s, ` +
        `${fillUpstream} upstream; ${during} upstream while timing)`,
    )
    if (cell.status !== 'ok') break
  }
  return { cells }
}

async function herd() {
  const c = await makeContender(lib, kind, emu)
  const key = c.keyFor(0)
  const t0 = hr()
  const settled = await Promise.allSettled(Array.from({ length: HERD }, () => c.call(key)))
  const wallMs = msSince(t0)
  const ok = settled.filter((s) => s.status === 'fulfilled' && c.check(s.value)).length
  const rejected = settled.find((s) => s.status === 'rejected')
  const firstError = rejected ? String(rejected.reason?.message ?? rejected.reason).slice(0, 300) : undefined
  log(`herd of ${HERD}: ${wallMs.toFixed(1)} ms, ${ok} ok${firstError ? `, first error: ${firstError}` : ''}`)
  return { calls: HERD, wallMs, ok, failed: HERD - ok, firstError }
}

const tasks = { hits, herd }
if (!tasks[task]) {
  console.error(`usage: node benchmark/suite.mjs <${Object.keys(tasks).join('|')}> <lib> <kind>`)
  process.exit(2)
}
try {
  const result = await tasks[task]()
  process.stdout.write(`RESULT ${JSON.stringify({ task, lib, kind, ...result })}\n`)
  process.exit(0)
} catch (e) {
  process.stdout.write(`RESULT ${JSON.stringify({ task, lib, kind, error: String(e?.stack ?? e).slice(0, 1000) })}\n`)
  process.exit(1)
}
