// OnBehalfOfCredential (§1.5): the user's token to this API traded for a downstream token.
import test from 'ava'
import { azid, claimsOf, startEmulator, uniqueScope } from './helpers/emulator.mjs'
import { makeCertificate } from './helpers/certificates.mjs'

const { AuthenticationError, OnBehalfOfCredential } = azid

const API = 'a91c0000-0000-4000-8000-0000000000b0'
const SECRET = 'middle-tier-secret'
let emu
let cert
test.before(async () => {
  emu = await startEmulator()
  cert = makeCertificate('obo')
  emu.registerApp({ tenantId: emu.defaults.tenantId, clientId: API, clientSecret: SECRET, certificates: [cert.certPem] })
})
test.after.always(async () => {
  await emu?.stop()
  cert?.cleanup()
})

const userToken = (upn, expiresInSecs = 3600) => emu.issueUserToken({ tenantId: emu.defaults.tenantId, audience: `api://${API}`, upn, expiresInSecs })
const obo = (userAssertionToken, proof = { clientSecret: SECRET }) =>
  new OnBehalfOfCredential({ tenantId: emu.defaults.tenantId, clientId: API, userAssertionToken, authorityHost: emu.authorityHost, ...proof })

test.serial('a downstream token for the same user, cached per user assertion', async (t) => {
  const scope = uniqueScope('obo')
  const alice = userToken('alice@contoso.example')
  emu.resetCounts()
  const token = await obo(alice).getToken(scope)
  const claims = claimsOf(token.token)
  t.is(claims.upn, 'alice@contoso.example')
  t.is(claims.idtyp, 'user')
  t.is(claims.appid, API)
  t.is((await obo(alice).getToken(scope)).token, token.token, 'same user assertion, same cache')
  const bob = await obo(userToken('bob@contoso.example')).getToken(scope)
  t.is(claimsOf(bob.token).upn, 'bob@contoso.example')
  t.is(emu.requestCount('token'), 2)
})

test.serial('the middle tier can prove itself with a certificate', async (t) => {
  const token = await obo(userToken('carol@contoso.example'), { certificatePath: cert.path('combined.pem') }).getToken(uniqueScope('obo-cert'))
  t.is(claimsOf(token.token).upn, 'carol@contoso.example')
})

test.serial('an expired user assertion is AADSTS500133', async (t) => {
  const err = await t.throwsAsync(obo(userToken('dave@contoso.example', -600)).getToken(uniqueScope()), { instanceOf: AuthenticationError })
  t.deepEqual(err.errorResponse.errorCodes, [500133])
  t.is(err.statusCode, 400)
})

test.serial('a wrong secret or missing parameters are reported', async (t) => {
  const err = await t.throwsAsync(obo(userToken('erin@contoso.example'), { clientSecret: 'nope' }).getToken(uniqueScope()), { instanceOf: AuthenticationError })
  t.deepEqual(err.errorResponse.errorCodes, [7000215])
  t.throws(() => new OnBehalfOfCredential({ tenantId: emu.defaults.tenantId, clientId: API, clientSecret: SECRET }), { message: /userAssertionToken/ })
  t.throws(() => obo(userToken('x'), { clientSecret: SECRET, certificatePath: cert.path('combined.pem') }), { message: /not both/ })
})
