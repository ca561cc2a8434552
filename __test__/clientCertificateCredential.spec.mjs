import test from 'ava'
import { copyFileSync, writeFileSync } from 'node:fs'
import { X509Certificate } from 'node:crypto'
import { azid, claimsOf, sleep, startEmulator, uniqueScope } from './helpers/emulator.mjs'
import { PASSWORD, makeCertificate } from './helpers/certificates.mjs'

const { AuthenticationError, ClientCertificateCredential } = azid

let emu
let good
let other
const CLIENT = 'c0ffee00-0000-4000-8000-00000000ce47'

test.before(async () => {
  emu = await startEmulator()
  good = makeCertificate('good')
  other = makeCertificate('other')
  emu.registerApp({ tenantId: emu.defaults.tenantId, clientId: CLIENT, certificates: [good.certPem] })
})
test.after.always(async () => {
  await emu?.stop()
  good?.cleanup()
  other?.cleanup()
})
test.afterEach.always(() => emu.clearFaults())

const opts = () => ({ authorityHost: emu.authorityHost, retryOptions: { retryDelayInMs: 20, maxRetryDelayInMs: 100 } })
const cred = (config, options = {}) => new ClientCertificateCredential(emu.defaults.tenantId, CLIENT, config, { ...opts(), ...options })

test.serial('every certificate form gets a token for the app', async (t) => {
  const forms = [
    good.path('combined.pem'),
    { certificatePath: good.path('combined.pem') },
    { certificate: good.combined },
    { certificatePath: good.path('encrypted.pem'), certificatePassword: PASSWORD },
    { certificatePath: good.path('cert.p12'), certificatePassword: PASSWORD },
    { certificate: good.p12, certificatePassword: PASSWORD },
  ]
  for (const form of forms) {
    const scope = uniqueScope('cert')
    const token = await cred(form).getToken(scope)
    const claims = claimsOf(token.token)
    t.is(claims.appid, CLIENT)
    t.is(claims.aud, scope.replace('/.default', ''))
  }
  // sendCertificateChain adds x5c; the emulator accepts it too.
  t.truthy(await cred(good.path('combined.pem'), { sendCertificateChain: true }).getToken(uniqueScope()))
})

test.serial('1,000 concurrent cold calls sign once and reach the token endpoint once', async (t) => {
  const scope = uniqueScope('cert-herd')
  const c = cred(good.path('combined.pem'))
  emu.resetCounts()
  emu.setFault('token', { latencyMs: 100 })
  const tokens = await Promise.all(Array.from({ length: 1000 }, () => c.getToken(scope)))
  t.is(new Set(tokens.map((x) => x.token)).size, 1)
  t.is(emu.requestCount('token'), 1)
})

test.serial('a certificate the app does not have is an AuthenticationError with AADSTS700027', async (t) => {
  emu.resetCounts()
  const err = await t.throwsAsync(cred(other.path('combined.pem')).getToken(uniqueScope()), { instanceOf: AuthenticationError })
  t.is(err.statusCode, 401)
  t.deepEqual(err.errorResponse.errorCodes, [700027])
  t.regex(err.message, /AADSTS700027/)
  t.regex(err.message, /certificate registered on the app/)
  t.is(emu.requestCount('token'), 1, 'not retried')
})

test.serial('bad input fails at construction with what to fix', (t) => {
  let err = t.throws(() => cred({ certificatePath: good.path('encrypted.pem'), certificatePassword: 'wrong' }))
  t.regex(err.message, /certificatePassword is wrong/)
  t.false(err.message.includes('wrong') && err.message.includes("'wrong'"), 'the password given is not echoed')
  err = t.throws(() => cred({ certificatePath: good.path('cert.p12'), certificatePassword: 'wrong' }))
  t.regex(err.message, /certificatePassword is wrong/)
  err = t.throws(() => cred(good.path('encrypted.pem')))
  t.regex(err.message, /encrypted; pass its password as certificatePassword/)
  err = t.throws(() => cred(good.path('does-not-exist.pem')))
  t.regex(err.message, /does not exist/)
  err = t.throws(() => cred(good.path('cert.pem')))
  t.regex(err.message, /no private key/)
  err = t.throws(() => cred({ certificate: 'hello' }))
  t.regex(err.message, /not a certificate/)
  err = t.throws(() => cred({}))
  t.regex(err.message, /Provide either a PEM certificate in string form, or the path/)
  err = t.throws(() => cred({ certificate: good.combined, certificatePath: good.path('combined.pem') }))
  t.regex(err.message, /Provide either/)
})

test.serial('a rotated certificate file is used without a failed call', async (t) => {
  const live = good.path('live.pem')
  copyFileSync(good.path('combined.pem'), live)
  const c = cred(live)
  await c.getToken(uniqueScope('rot'))
  // The app now trusts only the new certificate, and the file holds it.
  emu.registerApp({ tenantId: emu.defaults.tenantId, clientId: CLIENT, certificates: [other.certPem] })
  writeFileSync(live, other.combined)
  await sleep(2200)
  const token = await c.getToken(uniqueScope('rot'))
  t.is(claimsOf(token.token).appid, CLIENT)
  emu.registerApp({ tenantId: emu.defaults.tenantId, clientId: CLIENT, certificates: [good.certPem] })
})

test.serial('multi-tenant rules apply as for secrets', async (t) => {
  const c = cred(good.path('combined.pem'))
  await t.throwsAsync(c.getToken(uniqueScope(), { tenantId: 'other-tenant' }), { instanceOf: azid.CredentialUnavailableError })
})

test.serial('sendCertificateChain (or AZURE_CLIENT_SEND_CERTIFICATE_CHAIN) sends x5c, which an app known by thumbprint needs', async (t) => {
  const THUMB_APP = 'c0ffee00-0000-4000-8000-0000000007b1'
  emu.registerApp({ tenantId: emu.defaults.tenantId, clientId: THUMB_APP, certificateThumbprints: [new X509Certificate(good.certPem).fingerprint] })
  const make = (options = {}) => new ClientCertificateCredential(emu.defaults.tenantId, THUMB_APP, good.path('combined.pem'), { ...opts(), ...options })
  const err = await t.throwsAsync(make().getToken(uniqueScope()), { instanceOf: AuthenticationError })
  t.deepEqual(err.errorResponse.errorCodes, [700027])
  t.truthy(await make({ sendCertificateChain: true }).getToken(uniqueScope()))
  process.env.AZURE_CLIENT_SEND_CERTIFICATE_CHAIN = 'true'
  try {
    t.truthy(await make().getToken(uniqueScope()))
  } finally {
    delete process.env.AZURE_CLIENT_SEND_CERTIFICATE_CHAIN
  }
})

test.serial('regionalAuthority TryAutoDetect without REGION_NAME uses the global endpoint', async (t) => {
  delete process.env.REGION_NAME
  const token = await cred(good.path('combined.pem'), { regionalAuthority: 'TryAutoDetect' }).getToken(uniqueScope('region'))
  t.is(claimsOf(token.token).appid, CLIENT)
})
