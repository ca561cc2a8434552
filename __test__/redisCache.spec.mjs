// One token per fleet: replicas (separate processes) share tokens through Redis. Each
// test starts its own emulator and redis-server on loopback.
import test from 'ava'
import { randomBytes } from 'node:crypto'
import { claimsOf, sleep, startEmulator, uniqueScope } from './helpers/emulator.mjs'
import { dump, startRedis } from './helpers/redis.mjs'
import { startReplica } from './helpers/replicas.mjs'

const key = () => randomBytes(32).toString('base64')

async function withFleet(t, { replicas, password, tls }, body) {
  const emu = await startEmulator()
  const redis = await startRedis({ password, tls })
  const cache = { redisUrl: redis.url, key: key(), caFile: redis.caFile }
  const fleet = await Promise.all(Array.from({ length: replicas }, () => startReplica(emu, cache)))
  try {
    await body({ emu, redis, fleet, cache })
  } finally {
    await Promise.all(fleet.map((r) => r.stop()))
    await redis.stop()
    await emu.stop()
  }
}

function assertNoSecretIn(t, values, secrets) {
  for (const [k, v] of values) {
    const text = Buffer.isBuffer(v) ? v.toString('latin1') : String(v)
    for (const s of secrets) {
      t.false(text.includes(s) || k.includes(s), `a secret or token piece is in Redis key ${k}`)
    }
  }
}

test('3 processes x 500 concurrent cold calls reach the emulator once, and Redis holds no token in clear', async (t) => {
  await withFleet(t, { replicas: 3 }, async ({ emu, redis, fleet }) => {
    emu.setFault('token', { latencyMs: 300 })
    const scope = uniqueScope('fleet')
    const results = await Promise.all(fleet.map((r) => r.calls(scope, 500)))
    for (const r of results) {
      t.deepEqual(r.errors, [])
      t.is(r.ok, 500)
    }
    t.is(new Set(results.flatMap((r) => r.tokens)).size, 1, 'every replica got the one token')
    t.is(emu.requestCount('token'), 1)

    const token = results[0].tokens[0]
    const values = await dump(redis)
    t.true(values.size >= 1, 'the token entry is in Redis')
    const [, payload, signature] = token.split('.')
    assertNoSecretIn(t, values, [token, payload, signature, emu.defaults.clientSecret, scope, emu.defaults.clientId])
    // The entry expires with the token.
    const entry = [...values.keys()].find((k) => !k.endsWith(':lock'))
    const ttl = await redis.command('PTTL', entry)
    const exp = claimsOf(token).exp * 1000
    t.true(ttl > 0 && ttl <= exp - Date.now() + 1000, `PTTL ${ttl} follows the token's expiry`)
  })
})

test('with Redis stopped mid-run every call still succeeds, each process falling back on its own', async (t) => {
  await withFleet(t, { replicas: 2 }, async ({ emu, redis, fleet }) => {
    const before = uniqueScope('before')
    await Promise.all(fleet.map((r) => r.calls(before, 50)))
    t.is(emu.requestCount('token'), 1)
    await redis.stop()
    const during = uniqueScope('down')
    const results = await Promise.all(fleet.map((r) => r.calls(during, 200)))
    for (const r of results) {
      t.deepEqual(r.errors, [])
      t.is(r.ok, 200)
      t.is(r.tokens.length, 1)
    }
    const requests = emu.requestCount('token') - 1
    t.true(requests >= 1 && requests <= 2, `at most one request per process without Redis, got ${requests}`)
    const logs = results.flatMap((r) => r.logs)
    t.true(logs.some((l) => /Redis at redis:\/\/127\.0\.0\.1:\d+ is unavailable/.test(l)), logs.join('\n'))
    // Logged once per outage per engine, not once per call.
    t.true(results.every((r) => r.logs.filter((l) => /is unavailable/.test(l)).length <= 1))
    // Still no errors later, and the cached tokens are still served.
    const again = await Promise.all(fleet.map((r) => r.calls(before, 10)))
    t.true(again.every((r) => r.ok === 10))
  })
})

test('a tampered entry is rejected, logged, deleted and fetched again', async (t) => {
  await withFleet(t, { replicas: 2 }, async ({ emu, redis, fleet }) => {
    const scope = uniqueScope('tamper')
    const first = await fleet[0].calls(scope, 10)
    t.is(emu.requestCount('token'), 1)
    const [entry, value] = [...(await dump(redis)).entries()].find(([k]) => !k.endsWith(':lock'))
    const flipped = Buffer.from(value)
    flipped[flipped.length - 20] ^= 0x01
    await redis.command('SET', entry, flipped, 'KEEPTTL')

    const second = await fleet[1].calls(scope, 100)
    t.deepEqual(second.errors, [])
    t.is(second.ok, 100)
    t.is(emu.requestCount('token'), 2, 'the tampered entry was not used: one new request')
    t.not(second.tokens[0], first.tokens[0])
    t.truthy(claimsOf(second.tokens[0]).exp)
    t.true(second.logs.some((l) => /failed authentication/.test(l) && l.includes(entry)), second.logs.join('\n'))
    // The new token replaced it: the value decrypts again for others.
    const stored = await redis.command('GET', entry)
    t.false(Buffer.from(stored).equals(flipped))
  })
})

test('an entry sealed with another encryption key is not used', async (t) => {
  await withFleet(t, { replicas: 1 }, async ({ emu, redis, fleet }) => {
    const scope = uniqueScope('otherkey')
    await fleet[0].calls(scope, 5)
    const stranger = await startReplica(emu, { redisUrl: redis.url, key: key() })
    try {
      const r = await stranger.calls(scope, 5)
      t.is(r.ok, 5)
      t.is(emu.requestCount('token'), 2)
      // Entry names are keyed by the encryption key too: the stranger cannot even find the
      // first replica's entry, so each key has its own.
      const entries = [...(await dump(redis)).keys()].filter((k) => !k.endsWith(':lock'))
      t.is(entries.length, 2, entries.join(', '))
    } finally {
      await stranger.stop()
    }
  })
})

test('a password-protected Redis is shared; a wrong password falls back without failing calls', async (t) => {
  const password = `pw-${randomBytes(8).toString('hex')}`
  await withFleet(t, { replicas: 2, password }, async ({ emu, redis, fleet, cache }) => {
    const scope = uniqueScope('password')
    const results = await Promise.all(fleet.map((r) => r.calls(scope, 200)))
    const seen = JSON.stringify(results.map(({ ok, errors, logs }) => ({ ok, errors, logs })))
    t.true(results.every((r) => r.ok === 200 && r.errors.length === 0), seen)
    t.is(emu.requestCount('token'), 1, seen)
    t.true((await dump(redis)).size >= 1)

    const wrongUrl = redis.url.replace(encodeURIComponent(password), 'not-the-password')
    const wrong = await startReplica(emu, { ...cache, redisUrl: wrongUrl })
    try {
      const r = await wrong.calls(uniqueScope('wrongpw'), 20)
      t.is(r.ok, 20)
      t.true(r.logs.some((l) => /is unavailable/.test(l)), r.logs.join('\n'))
      t.false(r.logs.some((l) => l.includes('not-the-password') || l.includes(password)), 'no password in logs')
    } finally {
      await wrong.stop()
    }
  })
})

test('a TLS Redis (rediss://) with a private CA is shared; without the CA the replica falls back', async (t) => {
  await withFleet(t, { replicas: 2, tls: true, password: 'tls-pw' }, async ({ emu, redis, fleet, cache }) => {
    const scope = uniqueScope('tls')
    const results = await Promise.all(fleet.map((r) => r.calls(scope, 200)))
    t.true(results.every((r) => r.ok === 200 && r.errors.length === 0), JSON.stringify(results.map((r) => r.logs)))
    t.is(emu.requestCount('token'), 1)
    t.true((await dump(redis)).size >= 1)

    const untrusting = await startReplica(emu, { ...cache, caFile: undefined })
    try {
      const r = await untrusting.calls(uniqueScope('tls-untrusted'), 20)
      t.is(r.ok, 20)
      t.true(r.logs.some((l) => /rediss:\/\/127\.0\.0\.1:\d+ is unavailable/.test(l)), r.logs.join('\n'))
    } finally {
      await untrusting.stop()
    }
  })
})

test('past the refresh moment the fleet refreshes once: one replica fetches, the others take its token', async (t) => {
  await withFleet(t, { replicas: 3 }, async ({ emu, fleet }) => {
    // 4 s tokens: fresh for 2 s (halfway), then served while one refresh runs.
    emu.setTokenLifetime(4)
    const scope = uniqueScope('fleet-refresh')
    const first = await Promise.all(fleet.map((r) => r.calls(scope, 50)))
    t.is(new Set(first.flatMap((r) => r.tokens)).size, 1)
    t.is(emu.requestCount('token'), 1)
    emu.setFault('token', { latencyMs: 300 })
    await sleep(2_200)
    // Each replica serves the cached token and starts its background refresh.
    const during = await Promise.all(fleet.map((r) => r.calls(scope, 50)))
    t.true(during.every((r) => r.ok === 50))
    await sleep(1_000)
    const after = await Promise.all(fleet.map((r) => r.calls(scope, 50)))
    const renewed = new Set(after.flatMap((r) => r.tokens))
    t.is(renewed.size, 1, 'every replica has the one renewed token')
    t.not([...renewed][0], first[0].tokens[0])
    t.is(emu.requestCount('token'), 2, 'one initial request plus one refresh for the whole fleet')
  })
})
