// Conformance: the same scenarios through @azure/identity and through azid, against the
// emulator. Where the official library gets a token, azid must too; where it fails, azid
// must fail with the class listed here (the same, or a more precise one by design).
// The table is written to benchmark/results/conformance.md for the README.
import test from 'ava'
import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { cleanEnv } from './helpers/env.mjs'
import { startEmulator } from './helpers/emulator.mjs'
import { fakeJwt, installFakeCli, restorePath } from './helpers/fakeCli.mjs'

const runner = fileURLToPath(new URL('./fixtures/conformance.mjs', import.meta.url))

// scenario -> [environment, official outcome, azid outcome]
function scenarios(emu) {
  const d = emu.defaults
  const secretEnv = { AZURE_TENANT_ID: d.tenantId, AZURE_CLIENT_ID: d.clientId, AZURE_CLIENT_SECRET: d.clientSecret, AZURE_AUTHORITY_HOST: emu.authorityHost }
  const imds = { AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.imdsEndpoint }
  const closed = { AZURE_POD_IDENTITY_AUTHORITY_HOST: 'http://127.0.0.1:9' }
  const appService = { IDENTITY_ENDPOINT: emu.appServiceEndpoint, IDENTITY_HEADER: emu.identityHeader }
  return {
    'client secret': [{}, 'token', 'token'],
    'client secret, wrong secret': [{}, 'AuthenticationRequiredError', 'AuthenticationError'],
    // The official library fails OpenID discovery first; azid does no discovery and reports AADSTS90002.
    'client secret, unknown tenant': [{}, 'CredentialUnavailableError', 'AuthenticationError'],
    'client secret, bare permission scope': [{}, 'AuthenticationRequiredError', 'AuthenticationError'],
    'client secret, tenant not allowed': [{}, 'CredentialUnavailableError', 'CredentialUnavailableError'],
    'IMDS, system-assigned': [imds, 'token', 'token'],
    'IMDS, user-assigned client id': [imds, 'token', 'token'],
    'IMDS, unknown identity': [imds, 'CredentialUnavailableError', 'CredentialUnavailableError'],
    'IMDS, nothing listening': [closed, 'CredentialUnavailableError', 'CredentialUnavailableError'],
    'managed identity, two scopes': [imds, 'CredentialUnavailableError', 'CredentialUnavailableError'],
    'App Service': [appService, 'token', 'token'],
    'App Service, user-assigned client id': [appService, 'token', 'token'],
    'Cloud Shell': [{ MSI_ENDPOINT: emu.cloudShellEndpoint }, 'token', 'token'],
    'Cloud Shell, user-assigned': [{ MSI_ENDPOINT: emu.cloudShellEndpoint }, 'CredentialUnavailableError', 'CredentialUnavailableError'],
    'Azure Arc': [{ IDENTITY_ENDPOINT: emu.arcEndpoint, IMDS_ENDPOINT: new URL(emu.arcEndpoint).origin }, 'token', 'token'],
    'environment, client secret': [secretEnv, 'token', 'token'],
    'environment, nothing set': [{}, 'CredentialUnavailableError', 'CredentialUnavailableError'],
    'environment, wrong secret': [{ ...secretEnv, AZURE_CLIENT_SECRET: 'wrong' }, 'AuthenticationError', 'AuthenticationError'],
    'DefaultAzureCredential, environment': [secretEnv, 'token', 'token'],
    'DefaultAzureCredential, nothing available': [{ ...closed, PATH: '/nonexistent' }, 'AggregateAuthenticationError', 'AggregateAuthenticationError'],
    'DefaultAzureCredential, bad AZURE_TOKEN_CREDENTIALS': [{ AZURE_TOKEN_CREDENTIALS: 'laptop' }, 'Error', 'Error'],
    'chain: unreachable IMDS, then a secret': [closed, 'token', 'token'],
    'Azure CLI, logged in': ['az-ok', 'token', 'token'],
    'Azure CLI, not logged in': ['az-logged-out', 'CredentialUnavailableError', 'CredentialUnavailableError'],
  }
}

function run(lib, scenario, env) {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [runner, lib, scenario], { env, timeout: 90_000 }, (err, out, errOut) => {
      if (err) return reject(new Error(`${lib} / ${scenario}: ${err.message}\n${errOut}`))
      resolve(JSON.parse(out.trim().split('\n').pop()))
    }),
  )
}

test('azid matches @azure/identity scenario by scenario', async (t) => {
  const emu = await startEmulator()
  const rows = []
  const expected = {}
  const actual = {}
  try {
    const d = emu.defaults
    for (const [scenario, [extra, official, expectedAzid]] of Object.entries(scenarios(emu))) {
      let cliEnv = {}
      if (extra === 'az-ok') {
        const exp = Math.floor(Date.now() / 1000) + 3600
        installFakeCli('az', { stdout: JSON.stringify({ accessToken: fakeJwt(exp), expiresOn: '2099-01-01 00:00:00.000000', expires_on: exp, tenant: d.tenantId, tokenType: 'Bearer' }) })
        cliEnv = { PATH: process.env.PATH }
      } else if (extra === 'az-logged-out') {
        installFakeCli('az', { stderr: "ERROR: Please run 'az login' to setup account.", exitCode: 1 })
        cliEnv = { PATH: process.env.PATH }
      }
      const scenarioEnv = typeof extra === 'string' ? cliEnv : extra
      const base = cleanEnv({ ...process.env })
      const env = {
        ...base,
        NODE_EXTRA_CA_CERTS: emu.caFile,
        CONFORMANCE_ENV: JSON.stringify({ ...d, authorityHost: emu.authorityHost, env: { AZURE_POD_IDENTITY_AUTHORITY_HOST: 'http://127.0.0.1:9', NODE_EXTRA_CA_CERTS: emu.caFile, ...scenarioEnv } }),
      }
      const [fromOfficial, fromAzid] = await Promise.all([run('@azure/identity', scenario, env), run('azid', scenario, env)])
      restorePath()
      rows.push(`| ${scenario} | ${fromOfficial.outcome} | ${fromAzid.outcome} |`)
      expected[scenario] = { official, azid: expectedAzid }
      actual[scenario] = { official: fromOfficial.outcome, azid: fromAzid.outcome }
      if (fromOfficial.outcome !== official || fromAzid.outcome !== expectedAzid) {
        t.log(`${scenario}: @azure/identity ${fromOfficial.message ?? fromOfficial.outcome} | azid ${fromAzid.message ?? fromAzid.outcome}`)
      }
    }
    t.deepEqual(actual, expected)
  } finally {
    await emu.stop()
    mkdirSync(new URL('../benchmark/results/', import.meta.url), { recursive: true })
    writeFileSync(new URL('../benchmark/results/conformance.md', import.meta.url), ['| scenario | @azure/identity 4.14 | azid |', '|---|---|---|', ...rows, ''].join('\n'))
  }
})
