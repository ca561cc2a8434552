// EnvironmentCredential against the emulator: the secret form, what is missing, a
// refused secret, the certificate form, and allowed tenants.
import test from 'ava'
import { PASSWORD, makeCertificate } from './helpers/certificates.mjs'
import { azid, claimsOf, startEmulator, uniqueScope } from './helpers/emulator.mjs'
import { cleanEnv } from './helpers/env.mjs'

const { EnvironmentCredential, CredentialUnavailableError, AuthenticationError } = azid

let emu
test.before(async () => {
  emu = await startEmulator()
})
test.after.always(async () => emu?.stop())
test.afterEach.always(() => {
  cleanEnv()
  process.env.NODE_EXTRA_CA_CERTS = emu.caFile
})

test.serial('tenant, client and secret from the environment get a token from the emulator', async (t) => {
  Object.assign(process.env, emu.env())
  const cred = new EnvironmentCredential()
  const token = await cred.getToken(uniqueScope('env'))
  const claims = claimsOf(token.token)
  t.is(claims.appid, emu.defaults.clientId)
  t.is(claims.tid, emu.defaults.tenantId)
})

test.serial('missing variables: CredentialUnavailableError listing exactly which', async (t) => {
  const none = await t.throwsAsync(new EnvironmentCredential().getToken(uniqueScope()), { instanceOf: CredentialUnavailableError })
  t.regex(none.message, /Missing: AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET \(or AZURE_CLIENT_CERTIFICATE_PATH\)\./)

  process.env.AZURE_TENANT_ID = emu.defaults.tenantId
  process.env.AZURE_CLIENT_SECRET = 'something'
  const some = await t.throwsAsync(new EnvironmentCredential().getToken(uniqueScope()), { instanceOf: CredentialUnavailableError })
  t.regex(some.message, /Missing: AZURE_CLIENT_ID\./)
})

test.serial('a refused secret is AuthenticationError 400 "EnvironmentCredential authentication failed", keeping the AADSTS code', async (t) => {
  Object.assign(process.env, emu.env(), { AZURE_CLIENT_SECRET: 'not-the-secret' })
  const err = await t.throwsAsync(new EnvironmentCredential({ retryOptions: { maxRetries: 0 } }).getToken(uniqueScope()), { instanceOf: AuthenticationError })
  t.is(err.statusCode, 400)
  t.regex(err.message, /^EnvironmentCredential authentication failed\. To troubleshoot/)
  t.regex(err.message, /AADSTS7000215/)
  t.deepEqual(err.errorResponse.errorCodes, [7000215])
  t.truthy(err.errorResponse.correlationId)
  t.is(err.cause.statusCode, 401)
  t.false(err.message.includes('not-the-secret'))
})

test.serial('the certificate form gets a token with AZURE_CLIENT_CERTIFICATE_PATH (and its password)', async (t) => {
  const cert = makeCertificate('env')
  try {
    const clientId = '3e3e3e3e-0000-4000-8000-0000000000e1'
    emu.registerApp({ tenantId: emu.defaults.tenantId, clientId, certificates: [cert.certPem] })
    Object.assign(process.env, {
      AZURE_AUTHORITY_HOST: emu.authorityHost,
      AZURE_TENANT_ID: emu.defaults.tenantId,
      AZURE_CLIENT_ID: clientId,
      AZURE_CLIENT_CERTIFICATE_PATH: cert.path('cert.p12'),
      AZURE_CLIENT_CERTIFICATE_PASSWORD: PASSWORD,
    })
    const token = await new EnvironmentCredential().getToken(uniqueScope())
    t.is(JSON.parse(Buffer.from(token.token.split('.')[1], 'base64url')).appid, clientId)
  } finally {
    cert.cleanup()
  }
})

test.serial('a certificate path that does not exist is reported by getToken, naming the file', async (t) => {
  Object.assign(process.env, { AZURE_AUTHORITY_HOST: emu.authorityHost, AZURE_TENANT_ID: emu.defaults.tenantId, AZURE_CLIENT_ID: emu.defaults.clientId, AZURE_CLIENT_CERTIFICATE_PATH: '/nonexistent/cert.pem' })
  emu.resetCounts()
  const err = await t.throwsAsync(new EnvironmentCredential().getToken(uniqueScope()))
  t.regex(err.message, /\/nonexistent\/cert\.pem/)
  t.is(emu.requestCount('token'), 0)
})

test.serial('a malformed AZURE_TENANT_ID throws at construction', (t) => {
  process.env.AZURE_TENANT_ID = 'bad tenant!'
  t.throws(() => new EnvironmentCredential(), { message: /Invalid tenant id/ })
})

test.serial('AZURE_ADDITIONALLY_ALLOWED_TENANTS is split on ";"', async (t) => {
  const other = '5c0fd3a2-0000-4000-8000-0000000000e1'
  emu.registerTenant(other)
  emu.registerApp({ tenantId: emu.defaults.tenantId, clientId: emu.defaults.clientId, clientSecret: emu.defaults.clientSecret, additionalTenants: ['*'] })
  Object.assign(process.env, emu.env(), { AZURE_ADDITIONALLY_ALLOWED_TENANTS: `contoso.com; ${other}` })
  const cred = new EnvironmentCredential()
  const token = await cred.getToken(uniqueScope('env-mt'), { tenantId: other })
  t.is(claimsOf(token.token).tid, other)
  const refused = await t.throwsAsync(cred.getToken(uniqueScope(), { tenantId: 'fabrikam.com' }), { instanceOf: AuthenticationError })
  t.regex(refused.message, /AdditionallyAllowedTenants/)
})
