// The emulator is faithful if the official clients accept it.
import test from 'ava'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { cleanEnv } from './helpers/env.mjs'
import { startEmulator } from './helpers/emulator.mjs'
import { sourceEnv } from './helpers/miEnv.mjs'

test('@azure/identity and @azure/msal-node get tokens from the emulator and read its errors', async (t) => {
  const emu = await startEmulator()
  try {
    const d = emu.defaults
    const env = {
      ...cleanEnv({ ...process.env }),
      NODE_EXTRA_CA_CERTS: emu.caFile,
      AUTHORITY: emu.authorityHost,
      HOST: new URL(emu.authorityHost).host,
      IMDS: emu.imdsEndpoint,
      TENANT: d.tenantId,
      CLIENT: d.clientId,
      SECRET: d.clientSecret,
    }
    const fixture = fileURLToPath(new URL('./fixtures/officialClients.mjs', import.meta.url))
    const stdout = await new Promise((resolve, reject) =>
      execFile(process.execPath, [fixture], { env, timeout: 60_000 }, (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out))),
    )
    const r = JSON.parse(stdout.trim().split('\n').pop())
    t.deepEqual(r.identitySecret, { ok: true })
    // @azure/identity turns MSAL's ServerError into AuthenticationRequiredError; it still names the code.
    t.is(r.identityWrongSecret.error, 'AuthenticationRequiredError')
    t.regex(r.identityWrongSecret.message, /7000215/)
    t.deepEqual(r.identityManagedIdentity, { ok: true })
    t.deepEqual(r.msalClientCredential, { ok: true, tokenType: 'Bearer' })
    t.deepEqual(r.msalManagedIdentity, { ok: true })
  } finally {
    await emu.stop()
  }
})

test('the official clients on the emulated App Service, Arc, Cloud Shell, Azure ML and Service Fabric sources', async (t) => {
  const emu = await startEmulator()
  const fixture = fileURLToPath(new URL('./fixtures/officialMiSource.mjs', import.meta.url))
  const run = (env) =>
    new Promise((resolve, reject) =>
      execFile(process.execPath, [fixture], { env: { ...cleanEnv({ ...process.env }), NODE_EXTRA_CA_CERTS: emu.caFile, MI_ENV: JSON.stringify(env) }, timeout: 60_000 }, (err, out, errOut) =>
        err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(JSON.parse(out.trim().split('\n').pop())),
      ),
    )
  try {
    const good = { token: true, longLived: true }
    for (const source of ['appService', 'azureArc', 'cloudShell']) {
      t.deepEqual(await run(sourceEnv[source](emu)), { identity: good, msal: good }, source)
    }
    // msal-node reads only a numeric or ISO expires_on, so the 2017 format's date looks expired to it.
    const ml = await run(sourceEnv.azureMl(emu))
    t.deepEqual(ml, { identity: { token: true, longLived: false }, msal: { token: true, longLived: false } })
    // msal-node does not pin IDENTITY_SERVER_THUMBPRINT, so it cannot trust a self-signed cluster certificate.
    const sf = await run(sourceEnv.serviceFabric(emu))
    t.is(sf.msal.error, 'ClientAuthError')
    t.is(sf.identity.error, 'CredentialUnavailableError')
  } finally {
    await emu.stop()
  }
})
