// azid's SecretClient against the emulator's vault, and the official @azure/keyvault-secrets
// client reading the same secrets with an azid credential (in a child with NODE_EXTRA_CA_CERTS).
import test from 'ava'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { cleanEnv } from './helpers/env.mjs'
import { azid, secretCredential, startEmulator } from './helpers/emulator.mjs'

// The emulator vault is https://127.0.0.1:<port> (*.localhost does not resolve on every
// machine), and its challenge names https://vault.azure.net, so verification is off here.
const kvOptions = { disableChallengeResourceVerification: true, retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 40 } }

let emu
test.before(async () => {
  emu = await startEmulator()
})
test.after.always(async () => {
  await emu?.stop()
})

test.serial('getSecret: latest, a version, both URL forms; typed errors for missing, disabled and RBAC', async (t) => {
  const v1 = emu.setSecret('api-key', 'value-one')
  const v2 = emu.setSecret('api-key', 'value-two', { contentType: 'text/plain', tags: { team: 'core' } })
  const client = new azid.SecretClient(emu.vaultUrl, secretCredential(emu), kvOptions)
  const latest = await client.getSecret('api-key')
  t.is(latest.name, 'api-key')
  t.is(latest.value, 'value-two')
  t.is(latest.properties.version, v2)
  t.is(latest.properties.vaultUrl, emu.vaultUrl)
  t.is(latest.properties.contentType, 'text/plain')
  t.deepEqual(latest.properties.tags, { team: 'core' })
  t.true(latest.properties.createdOn instanceof Date)
  t.is(latest.properties.enabled, true)
  t.is((await client.getSecret('api-key', { version: v1 })).value, 'value-one')

  const missing = await t.throwsAsync(client.getSecret('does-not-exist'), { instanceOf: azid.KeyVaultError })
  t.is(missing.statusCode, 404)
  t.is(missing.code, 'SecretNotFound')
  t.regex(missing.message, /does-not-exist/)

  emu.setSecret('disabled-one', 'hidden-value-1', { enabled: false })
  const disabled = await t.throwsAsync(client.getSecret('disabled-one'), { instanceOf: azid.KeyVaultError })
  t.is(disabled.statusCode, 403)
  t.is(disabled.code, 'Forbidden')
  t.is(disabled.innerCode, 'SecretDisabled')
  t.false(disabled.message.includes('hidden-value-1'))

  emu.setSecret('rbac-one', 'hidden-value-2')
  emu.denySecretAccess({ secretName: 'rbac-one' })
  const forbidden = await t.throwsAsync(client.getSecret('rbac-one'), { instanceOf: azid.KeyVaultError })
  t.is(forbidden.code, 'Forbidden')
  t.is(forbidden.innerCode, 'ForbiddenByRbac')
  t.regex(forbidden.serviceMessage, /Caller is not authorized/)
  t.regex(forbidden.message, /Key Vault Secrets User/)
  t.false(forbidden.message.includes('hidden-value-2'))

  await t.throwsAsync(client.getSecret('bad_name'), { message: /not a valid secret name/ })
})

test.serial('the challenge resource must be in the vault domain unless verification is off', async (t) => {
  const client = new azid.SecretClient(emu.vaultUrl, secretCredential(emu))
  const e = await t.throwsAsync(client.getSecret('api-key'), { instanceOf: azid.KeyVaultError })
  t.is(e.code, 'ChallengeResourceMismatch')
  t.regex(e.message, /disableChallengeResourceVerification/)
})

test.serial('list and versions follow nextLink across pages', async (t) => {
  for (let i = 0; i < 30; i++) emu.setSecret(`page-${String(i).padStart(2, '0')}`, 'v')
  for (let i = 0; i < 27; i++) emu.setSecret('many-versions', `v${i}`)
  const client = new azid.SecretClient(emu.vaultUrl, secretCredential(emu), kvOptions)
  emu.resetCounts()
  const names = []
  for await (const p of client.listPropertiesOfSecrets()) names.push(p.name)
  t.true(names.filter((n) => n.startsWith('page-')).length === 30)
  t.is(new Set(names).size, names.length)
  t.true(emu.requestCount('keyvault') >= 2, 'more than one page was fetched')
  const pages = []
  for await (const page of client.listPropertiesOfSecretVersions('many-versions').byPage()) pages.push(page)
  t.is(pages.length, 2)
  t.is(pages[0].length, 25)
  t.regex(pages[0].continuationToken, /:\d+\/secrets\/many-versions\/versions\?api-version=7\.2&\$skiptoken=/)
  t.is(pages.flat().length, 27)
  t.true(pages.flat().every((p) => p.version && p.name === 'many-versions'))
})

test.serial('429s are retried with backoff; past the retries a typed Throttled error', async (t) => {
  const client = new azid.SecretClient(emu.vaultUrl, secretCredential(emu), kvOptions)
  await client.getSecret('api-key') // learn the challenge first
  emu.setFault('keyvault', { status: 429, times: 2 })
  t.is((await client.getSecret('api-key')).value, 'value-two')
  emu.setFault('keyvault', { status: 503 })
  const e = await t.throwsAsync(client.getSecret('api-key'), { instanceOf: azid.KeyVaultError })
  t.is(e.statusCode, 503)
  emu.setFault('keyvault', { status: 429 })
  const th = await t.throwsAsync(client.getSecret('api-key'), { instanceOf: azid.KeyVaultError })
  t.is(th.code, 'Throttled')
  t.true(th.attempts > 1)
  emu.clearFaults()
})

test.serial('a vault in a foreign tenant needs the tenant allowed by the credential', async (t) => {
  emu.registerApp({ ...emu.defaults, additionalTenants: ['*'] })
  emu.setVaultTenant('vault-tenant')
  try {
    const strict = new azid.SecretClient(emu.vaultUrl, secretCredential(emu), kvOptions)
    await t.throwsAsync(strict.getSecret('api-key'), { instanceOf: azid.CredentialUnavailableError, message: /additionallyAllowedTenants/ })
    const allowed = new azid.SecretClient(emu.vaultUrl, secretCredential(emu, { additionallyAllowedTenants: ['vault-tenant'] }), kvOptions)
    t.is((await allowed.getSecret('api-key')).value, 'value-two')
  } finally {
    emu.setVaultTenant(emu.defaults.tenantId)
  }
})

test.serial('a foreign TokenCredential is asked for the challenge scope and tenant', async (t) => {
  const inner = secretCredential(emu)
  const asked = []
  const foreign = { getToken: (scope, opts) => (asked.push({ scope, tenantId: opts?.tenantId }), inner.getToken(scope)) }
  const client = new azid.SecretClient(emu.vaultUrl, foreign, kvOptions)
  t.is((await client.getSecret('api-key')).value, 'value-two')
  t.deepEqual(asked[0], { scope: 'https://vault.azure.net/.default', tenantId: emu.defaults.tenantId })
  const bad = new azid.SecretClient(emu.vaultUrl, { getToken: async () => ({ token: 'not-a-jwt', expiresOnTimestamp: Date.now() + 3600_000 }) }, kvOptions)
  const e = await t.throwsAsync(bad.getSecret('api-key'), { instanceOf: azid.KeyVaultError })
  t.is(e.statusCode, 401)
})

test.serial('@azure/keyvault-secrets reads the emulator vault with an azid credential, and azid reads the same', async (t) => {
  const version = emu.setSecret('shared-secret', 'shared-value', { tags: { env: 'test' } })
  const d = emu.defaults
  const env = { ...cleanEnv({ ...process.env }), NODE_EXTRA_CA_CERTS: emu.caFile, CA: emu.caFile, AUTHORITY: emu.authorityHost, VAULT: emu.vaultUrl, TENANT: d.tenantId, CLIENT: d.clientId, SECRET: d.clientSecret }
  const fixture = fileURLToPath(new URL('./fixtures/officialKeyVault.mjs', import.meta.url))
  const stdout = await new Promise((resolve, reject) =>
    execFile(process.execPath, [fixture], { env, timeout: 60_000 }, (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out))),
  )
  const r = JSON.parse(stdout.trim().split('\n').pop())
  t.deepEqual(r.get, { value: 'shared-value', version, name: 'shared-secret', tags: { env: 'test' } })
  t.true(r.listed.includes('shared-secret'))
  t.deepEqual(r.missing, { name: 'RestError', code: 'SecretNotFound', statusCode: 404 })
  const ours = await new azid.SecretClient(emu.vaultUrl, secretCredential(emu), kvOptions).getSecret('shared-secret')
  t.is(ours.value, 'shared-value')
  t.is(ours.properties.version, version)
})

test.serial('a managed identity credential reads the vault through the Rust path', async (t) => {
  emu.setSecret('mi-secret', 'mi-value')
  const client = new azid.SecretClient(emu.vaultUrl, new azid.ManagedIdentityCredential(), kvOptions)
  t.is((await client.getSecret('mi-secret')).value, 'mi-value')
})
