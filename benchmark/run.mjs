// Benchmark driver: starts the emulator in this process, runs every task in a fresh child
// process (one contender per process), reads upstream counts around the herd runs, and
// prints/writes the tables.
//
//   node benchmark/run.mjs [--quick] [--budget=SECONDS] [--sizes=1,100,...] [--only=azid,floor]
//                          [--kinds=client-secret,managed-identity] [--herd=1000]
//
// All traffic stays on 127.0.0.1: the emulator listens there and the children get its
// addresses; inherited AZURE_*, IDENTITY_*, MSI_* and proxy variables are removed.
import { spawn } from 'node:child_process'
import http from 'node:http'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'
import { KINDS, LIBRARIES, libraryVersions } from './lib/contenders.mjs'
import { renderMarkdown } from './lib/report.mjs'
import { prepareAddon } from './lib/addon.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=')
    return [k, v ?? true]
  }),
)
const quick = args.quick === true
const budgetS = Number(args.budget ?? (quick ? 10 : 60))
const sizes = String(args.sizes ?? (quick ? '1,100,1000' : '1,100,1000,10000,100000'))
  .split(',')
  .map(Number)
// azid must be measured at every size and the floor makes no requests: both get a
// per-size safety cap instead of the budget.
const EXEMPT = ['azid', 'floor']
const capS = Number(args.cap ?? 300)
const herdSize = Number(args.herd ?? 1000)
const timing = { batches: 5, batchMs: 60, warmupMs: 150, fillConcurrency: 16 }
const libs = args.only ? String(args.only).split(',') : LIBRARIES
const kinds = args.kinds ? String(args.kinds).split(',') : KINDS
for (const l of libs) if (!LIBRARIES.includes(l)) throw new Error(`unknown library ${l}; one of ${LIBRARIES}`)
for (const k of kinds) if (!KINDS.includes(k)) throw new Error(`unknown kind ${k}; one of ${KINDS}`)

/** The environment without anything that could send traffic elsewhere or change credential behaviour. */
function cleanEnv(env) {
  const out = {}
  for (const [k, v] of Object.entries(env)) {
    if (/^(AZURE_|IDENTITY_|MSI_|IMDS_)/i.test(k)) continue
    if (/proxy/i.test(k)) continue
    if (k === 'NODE_OPTIONS' || k === 'NODE_EXTRA_CA_CERTS' || k.startsWith('NAPI_RS_')) continue
    out[k] = v
  }
  return out
}
process.env = cleanEnv(process.env)

// A release addon, snapshotted so a concurrent rebuild cannot change it mid-run.
const addon = prepareAddon(path.join(here, '..'), { explicit: args.addon, allowDebug: args['allow-debug'] === true })
process.env.NAPI_RS_NATIVE_LIBRARY_PATH = addon.path
console.error(`addon: ${addon.source} (${addon.kind} build, ${addon.bytes} bytes, sha256 ${addon.sha256}), loaded from ${addon.path}`)

const { Emulator } = require('../dist/index.js')
const emu = await Emulator.start()
const d = emu.defaults
for (const u of [emu.authorityHost, emu.imdsEndpoint]) {
  if (new URL(u).hostname !== '127.0.0.1') throw new Error(`emulator is not on loopback: ${u}`)
}

/**
 * msal-node (and so @azure/identity) canonicalizes the IMDS address with a trailing slash
 * (`/metadata/identity/oauth2/token/?api-version=...`), which real IMDS accepts and the
 * emulator answers with 404. This loopback forwarder drops that slash. Every managed
 * identity contender, azid included, goes through it, so they all pay the same extra hop.
 */
async function startImdsForwarder(target) {
  const t = new URL(target)
  const agent = new http.Agent({ keepAlive: true })
  const server = http.createServer((req, res) => {
    const [p, q] = req.url.split('?')
    const pathname = p.length > 1 ? p.replace(/\/+$/, '') : p
    const up = http.request(
      { host: t.hostname, port: t.port, method: req.method, path: q === undefined ? pathname : `${pathname}?${q}`, headers: { ...req.headers, host: t.host }, agent },
      (r) => {
        res.writeHead(r.statusCode, r.headers)
        r.pipe(res)
      },
    )
    up.on('error', (e) => {
      res.writeHead(502)
      res.end(String(e))
    })
    req.pipe(up)
  })
  server.maxConnections = 4096
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => (server.close(), agent.destroy(), server.closeAllConnections()) }
}
const imdsForwarder = await startImdsForwarder(emu.imdsEndpoint)

const childEnv = {
  ...cleanEnv(process.env),
  NAPI_RS_NATIVE_LIBRARY_PATH: addon.path,
  NODE_EXTRA_CA_CERTS: emu.caFile,
  AZURE_POD_IDENTITY_AUTHORITY_HOST: imdsForwarder.url,
  NO_PROXY: '127.0.0.1,localhost',
  BENCH_AUTHORITY_HOST: emu.authorityHost,
  BENCH_IMDS_ENDPOINT: imdsForwarder.url,
  BENCH_TENANT_ID: d.tenantId,
  BENCH_CLIENT_ID: d.clientId,
  BENCH_CLIENT_SECRET: d.clientSecret,
  BENCH_BUDGET_MS: String(budgetS * 1000),
  BENCH_SIZES: sizes.join(','),
  BENCH_HERD: String(herdSize),
  BENCH_BATCHES: String(timing.batches),
  BENCH_BATCH_MS: String(timing.batchMs),
  BENCH_WARMUP_MS: String(timing.warmupMs),
  BENCH_FILL_CONCURRENCY: String(timing.fillConcurrency),
}

/** Runs one suite task in a child; resolves with its RESULT JSON (or an error record). */
function runChild(task, lib, kind, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(here, 'suite.mjs'), task, lib, kind], {
      env: { ...childEnv, BENCH_EXEMPT: EXEMPT.includes(lib) ? '1' : '0', BENCH_CAP_MS: String(capS * 1000) },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (c) => (out += c))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const line = out.split('\n').find((l) => l.startsWith('RESULT '))
      if (line) return resolve(JSON.parse(line.slice(7)))
      resolve({ task, lib, kind, error: `child exited (code ${code}, signal ${signal}) without a result${signal === 'SIGKILL' ? ' (timed out)' : ''}` })
    })
  })
}

const started = Date.now()
const results = { hits: {}, herd: {} }
for (const kind of kinds) {
  results.hits[kind] = {}
  results.herd[kind] = {}
  for (const lib of libs) {
    console.error(`hits: ${lib} / ${kind}`)
    const perSizeS = EXEMPT.includes(lib) ? capS : budgetS
    results.hits[kind][lib] = await runChild('hits', lib, kind, sizes.length * perSizeS * 1000 + 60_000)
  }
  for (const lib of libs) {
    if (lib === 'floor') continue
    emu.resetCounts()
    console.error(`herd: ${lib} / ${kind}`)
    const r = await runChild('herd', lib, kind, 120_000)
    r.upstream = {
      token: emu.requestCount('token'),
      openid: emu.requestCount('openid'),
      instance_discovery: emu.requestCount('instance_discovery'),
      imds: emu.requestCount('imds'),
    }
    results.herd[kind][lib] = r
  }
}
imdsForwarder.close()
await emu.stop()
rmSync(addon.dir, { recursive: true, force: true })

const cpus = os.cpus()
const report = {
  date: new Date().toISOString(),
  machine: { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memGiB: +(os.totalmem() / 2 ** 30).toFixed(1), platform: `${os.platform()} ${os.release()} ${os.arch()}` },
  node: process.version,
  versions: libraryVersions(),
  addon: { source: addon.source, kind: addon.kind, bytes: addon.bytes, sha256: addon.sha256 },
  settings: { sizes, budgetS, capS, exempt: EXEMPT, imdsForwarder: true, herd: herdSize, ...timing, quick },
  durationS: +((Date.now() - started) / 1000).toFixed(1),
  results,
}
const md = renderMarkdown(report)
process.stdout.write(md)
mkdirSync(path.join(here, 'results'), { recursive: true })
writeFileSync(path.join(here, 'results', 'latest.md'), md)
writeFileSync(path.join(here, 'results', 'latest.json'), JSON.stringify(report, null, 2) + '\n')
console.error(`wrote benchmark/results/latest.md and latest.json (${report.durationS} s)`)
