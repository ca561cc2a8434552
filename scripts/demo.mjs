// The azid demo: starts the embedded emulator, points credentials at it, fires a burst
// of calls and prints a short report. It never prints a token or a secret.
import { createRequire } from 'node:module'

for (const name of Object.keys(process.env)) {
  if (/^(AZURE_|IDENTITY_|MSI_|IMDS_)/.test(name) || /^(https?|all|no)_proxy$/i.test(name)) delete process.env[name]
}
const require = createRequire(import.meta.url)
const { ClientSecretCredential, ManagedIdentityCredential, Emulator, AuthenticationError } = require('../dist/index.js')

const emu = await Emulator.start()
process.env.NODE_EXTRA_CA_CERTS = emu.caFile
process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = emu.imdsEndpoint
const d = emu.defaults
const fmt = (n) => n.toLocaleString('en-US')
const line = (label, value) => console.log(`  ${label.padEnd(44)} ${value}`)

console.log(`azid demo against the embedded emulator (${emu.authorityHost}, IMDS ${emu.imdsEndpoint})\n`)

// 1. A herd: 10,000 concurrent cold calls over 10 scopes, with 50 ms of upstream latency.
emu.setFault('token', { latencyMs: 50 })
const app = new ClientSecretCredential(d.tenantId, d.clientId, d.clientSecret, { authorityHost: emu.authorityHost })
const scopes = Array.from({ length: 10 }, (_, i) => `api://demo-resource-${i}/.default`)
let t0 = performance.now()
const herd = await Promise.all(Array.from({ length: 10_000 }, (_, i) => app.getToken(scopes[i % scopes.length])))
const herdMs = performance.now() - t0
emu.clearFaults()
console.log('ClientSecretCredential')
line('10,000 concurrent cold calls over 10 scopes', `${herdMs.toFixed(0)} ms`)
line('token requests that reached the emulator', `${emu.requestCount('token')} (one per scope)`)
line('distinct tokens handed out', `${new Set(herd.map((x) => x.token)).size}`)

// 2. Cache hits.
const N = 1_000_000
t0 = performance.now()
for (let i = 0; i < N; i++) await app.getToken(scopes[i % scopes.length])
const hitNs = ((performance.now() - t0) * 1e6) / N
line(`${fmt(N)} cached getToken calls`, `${(hitNs / 1000).toFixed(3)} µs each`)
const first = herd[0]
line('lifetime / background refresh after', `${Math.round((first.expiresOnTimestamp - Date.now()) / 60000)} min / ${Math.round((first.refreshAfterTimestamp - Date.now()) / 60000)} min`)

// 3. Managed identity through the emulated IMDS.
emu.resetCounts()
const mi = new ManagedIdentityCredential()
t0 = performance.now()
await Promise.all(Array.from({ length: 1_000 }, () => mi.getToken('https://vault.azure.net/.default')))
console.log('\nManagedIdentityCredential (system-assigned, IMDS)')
line('1,000 concurrent cold calls', `${(performance.now() - t0).toFixed(0)} ms, ${emu.requestCount('imds')} IMDS request`)

// 4. Faults: transient ones are retried, definite ones are typed errors.
emu.resetCounts()
emu.setFault('token', { status: 503, times: 2 })
await app.getToken('api://demo-flaky/.default')
line('\n  two injected 503s, then success'.trimStart(), `${emu.requestCount('token')} attempts, caller saw no error`)
const wrong = new ClientSecretCredential(d.tenantId, d.clientId, 'a-wrong-secret', { authorityHost: emu.authorityHost })
try {
  await wrong.getToken(scopes[0])
} catch (e) {
  const ok = e instanceof AuthenticationError
  line('a wrong secret', `${e.name} ${e.statusCode} AADSTS${e.errorResponse.errorCodes?.[0]} (${ok ? 'typed' : 'untyped!'})`)
}
await emu.stop()
console.log('\nNo token or secret was printed. Run `npm test` for the test suite, `npm run bench` for the comparison with @azure/identity.')
