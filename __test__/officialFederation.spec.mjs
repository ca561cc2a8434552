// The emulator's certificate and federated checks accept what @azure/identity (msal-node) sends.
import test from 'ava'
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { cleanEnv } from './helpers/env.mjs'
import { startEmulator } from './helpers/emulator.mjs'
import { fakeJwt, makeCertificate } from './helpers/certificates.mjs'

test('@azure/identity certificate, assertion and workload credentials get tokens from the emulator', async (t) => {
  const emu = await startEmulator()
  const cert = makeCertificate('official')
  const other = makeCertificate('official-other')
  try {
    const CLIENT = '0ff1c1a1-0000-4000-8000-000000000c01'
    const issuer = 'https://oidc.official.example/'
    emu.registerApp({ tenantId: emu.defaults.tenantId, clientId: CLIENT, certificates: [cert.certPem], federatedCredentials: [{ issuer, subject: 'sa' }] })
    const fed = fakeJwt({ iss: issuer, sub: 'sa', aud: 'api://AzureADTokenExchange', exp: Math.floor(Date.now() / 1000) + 600 })
    writeFileSync(cert.path('token'), fed)
    const env = {
      ...cleanEnv({ ...process.env }),
      NODE_EXTRA_CA_CERTS: emu.caFile,
      AUTHORITY: emu.authorityHost,
      TENANT: emu.defaults.tenantId,
      CLIENT,
      CERT_PATH: cert.path('combined.pem'),
      OTHER_CERT_PATH: other.path('combined.pem'),
      TOKEN_FILE: cert.path('token'),
      FED_TOKEN: fed,
    }
    const fixture = fileURLToPath(new URL('./fixtures/officialFederation.mjs', import.meta.url))
    const stdout = await new Promise((resolve, reject) =>
      execFile(process.execPath, [fixture], { env, timeout: 60_000 }, (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out))),
    )
    const r = JSON.parse(stdout.trim().split('\n').pop())
    t.deepEqual(r.certificate, { ok: true }, JSON.stringify(r.certificate))
    t.deepEqual(r.certificateChain, { ok: true }, JSON.stringify(r.certificateChain))
    t.regex(r.wrongCertificate.message ?? '', /700027/)
    t.deepEqual(r.assertion, { ok: true }, JSON.stringify(r.assertion))
    t.deepEqual(r.workload, { ok: true }, JSON.stringify(r.workload))
  } finally {
    await emu.stop()
    cert.cleanup()
    other.cleanup()
  }
})
