// Refresh-ahead with short-lived tokens: callers keep getting the cached token at once
// while one background request renews it; a failing refresh keeps serving until
// shortly before expiry. Timing-free assertions: who got which token, and counts.
import test from 'ava'
import { azid, secretCredential, sleep, startEmulator, uniqueScope } from './helpers/emulator.mjs'

let emu
test.before(async () => {
  emu = await startEmulator()
  // 4 s tokens: refresh from 2 s (halfway), served until 3.6 s (10 % margin).
  emu.setTokenLifetime(4)
})
test.after.always(async () => emu?.stop())
test.afterEach.always(() => emu.clearFaults())

test.serial('past the refresh moment callers get the cached token while one refresh runs', async (t) => {
  const scope = uniqueScope('refresh')
  const cred = secretCredential(emu)
  emu.resetCounts()
  const first = await cred.getToken(scope)
  t.is(first.refreshAfterTimestamp - Date.now() < 2100, true)
  await sleep(Math.max(0, first.refreshAfterTimestamp - Date.now()) + 50)
  // The refresh is slow; anyone who waited for it would get the new token.
  emu.setFault('token', { latencyMs: 800, times: 1 })
  const during = await Promise.all(Array.from({ length: 200 }, () => cred.getToken(scope)))
  t.true(during.every((x) => x.token === first.token), 'every caller got the cached token without waiting')
  await sleep(1000)
  t.is(emu.requestCount('token'), 2, 'one initial request plus exactly one background refresh')
  const after = await cred.getToken(scope)
  t.not(after.token, first.token)
  t.true(after.expiresOnTimestamp > first.expiresOnTimestamp)
})

test.serial('a failing refresh keeps serving the cached token, then surfaces the error', async (t) => {
  const scope = uniqueScope('refresh-fail')
  const cred = secretCredential(emu, { retryOptions: { maxRetries: 0 } })
  const first = await cred.getToken(scope)
  emu.resetCounts()
  emu.setFault('token', { status: 500 })
  await sleep(Math.max(0, first.refreshAfterTimestamp - Date.now()) + 50)
  for (let i = 0; i < 100; i++) t.is((await cred.getToken(scope)).token, first.token)
  await sleep(100)
  const attemptsWhileServing = emu.requestCount('token')
  t.true(attemptsWhileServing >= 1 && attemptsWhileServing <= 3, `refresh retried with backoff, not per call (${attemptsWhileServing})`)
  // Past the margin before expiry the cached token is no longer served.
  await sleep(Math.max(0, first.expiresOnTimestamp - Date.now()))
  await t.throwsAsync(cred.getToken(scope), { instanceOf: azid.TransientAuthenticationError })
})

test.serial('refresh_in from the server sets refreshAfterTimestamp', async (t) => {
  emu.setTokenLifetime(3600)
  emu.setRefreshIn(600)
  try {
    const token = await secretCredential(emu).getToken(uniqueScope())
    const refreshIn = token.refreshAfterTimestamp - Date.now()
    t.true(refreshIn > 590_000 && refreshIn <= 600_000)
  } finally {
    emu.setRefreshIn(null)
    emu.setTokenLifetime(4)
  }
})
