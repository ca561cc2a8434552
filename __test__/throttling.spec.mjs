// After a 429/5xx with Retry-After, identical requests are not sent again before that
// time (as msal-node does): callers get the cached token, else an error with retryAfterMs.
import test from 'ava'
import { azid, secretCredential, sleep, startEmulator, uniqueScope } from './helpers/emulator.mjs'

let emu
test.before(async () => {
  emu = await startEmulator()
})
test.after.always(async () => emu?.stop())
test.afterEach.always(() => emu.clearFaults())

test.serial('a long Retry-After fails fast, then keeps identical requests local', async (t) => {
  const scope = uniqueScope('throttle')
  const cred = secretCredential(emu)
  emu.resetCounts()
  emu.setFault('token', { status: 429, retryAfter: '120' })
  const first = await t.throwsAsync(cred.getToken(scope), { instanceOf: azid.TransientAuthenticationError })
  t.is(first.statusCode, 429)
  t.is(first.retryAfterMs, 120_000)
  t.is(emu.requestCount('token'), 1, 'a Retry-After longer than a call may wait ends the call at once')
  for (let i = 0; i < 20; i++) {
    const again = await t.throwsAsync(cred.getToken(scope), { instanceOf: azid.TransientAuthenticationError })
    t.true(again.retryAfterMs > 100_000 && again.retryAfterMs <= 120_000)
    t.regex(again.message, /throttled/)
  }
  t.is(emu.requestCount('token'), 1, 'no identical request was sent while throttled')
  emu.clearFaults()
  t.truthy((await cred.getToken(uniqueScope('other'))).token, 'another scope is not throttled')
})

test.serial('a throttled background refresh keeps serving the cached token without hammering', async (t) => {
  emu.setTokenLifetime(4)
  try {
    const scope = uniqueScope('throttle-refresh')
    const cred = secretCredential(emu)
    const token = await cred.getToken(scope)
    emu.resetCounts()
    emu.setFault('token', { status: 503, retryAfter: '120' })
    await sleep(Math.max(0, token.refreshAfterTimestamp - Date.now()) + 50)
    for (let i = 0; i < 50; i++) t.is((await cred.getToken(scope)).token, token.token)
    await sleep(300)
    for (let i = 0; i < 50; i++) t.is((await cred.getToken(scope)).token, token.token)
    t.is(emu.requestCount('token'), 1, 'one refresh attempt, then quiet until Retry-After')
  } finally {
    emu.setTokenLifetime(3599)
  }
})
