// The encrypted file cache: a process started again (or a CLI run again) with the same
// configuration and file reuses a still-valid token instead of asking again.
import test from 'ava'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator, uniqueScope } from './helpers/emulator.mjs'
import { startReplica } from './helpers/replicas.mjs'

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'azid-file-cache-'))
  return { file: join(dir, 'cache', 'tokens.json'), key: randomBytes(32).toString('base64') }
}

/** Runs one process to completion: start, `n` calls, exit. */
async function run(emu, cache, scope, n = 50) {
  const p = await startReplica(emu, cache)
  try {
    return await p.calls(scope, n)
  } finally {
    await p.stop()
  }
}

test('a second process with the same config and file reuses the token; the file is private and sealed', async (t) => {
  const emu = await startEmulator()
  try {
    const cache = setup()
    const scope = uniqueScope('file')
    const first = await run(emu, cache, scope)
    t.is(first.ok, 50)
    t.is(emu.requestCount('token'), 1)

    const second = await run(emu, cache, scope)
    t.is(second.ok, 50)
    t.deepEqual(second.tokens, first.tokens, 'the same token, from the file')
    t.is(emu.requestCount('token'), 1, 'no request from the second process')
    t.true(second.logs.some((l) => /reusing a token from the token cache file/.test(l)))

    t.is(statSync(cache.file).mode & 0o777, 0o600)
    t.is(statSync(join(cache.file, '..')).mode & 0o777, 0o700)
    const text = readFileSync(cache.file, 'latin1')
    const token = first.tokens[0]
    for (const s of [token, token.split('.')[1], token.split('.')[2], emu.defaults.clientSecret, scope]) {
      t.false(text.includes(s), 'a token, secret or scope is in the file in clear')
    }
    // Another key cannot use it.
    const other = await run(emu, { ...cache, key: randomBytes(32).toString('base64') }, scope)
    t.is(other.ok, 50)
    t.is(emu.requestCount('token'), 2)
  } finally {
    await emu.stop()
  }
})

test('a tampered or corrupt file is ignored with a log line, never a crash', async (t) => {
  const emu = await startEmulator()
  try {
    const cache = setup()
    const scope = uniqueScope('tampered-file')
    await run(emu, cache, scope)
    t.is(emu.requestCount('token'), 1)

    const doc = JSON.parse(readFileSync(cache.file, 'utf8'))
    const [id] = Object.keys(doc.entries)
    const sealed = Buffer.from(doc.entries[id].sealed, 'base64')
    sealed[sealed.length - 5] ^= 0x01
    doc.entries[id].sealed = sealed.toString('base64')
    writeFileSync(cache.file, JSON.stringify(doc))
    const afterTamper = await run(emu, cache, scope)
    t.is(afterTamper.ok, 50)
    t.deepEqual(afterTamper.errors, [])
    t.is(emu.requestCount('token'), 2, 'the tampered entry was not used')
    t.true(afterTamper.logs.some((l) => /failed authentication/.test(l)), afterTamper.logs.join('\n'))

    writeFileSync(cache.file, '{"version":1,"entries":{"x":')
    const afterCorrupt = await run(emu, cache, scope)
    t.is(afterCorrupt.ok, 50)
    t.is(emu.requestCount('token'), 3)
    t.true(afterCorrupt.logs.some((l) => /is corrupt/.test(l)), afterCorrupt.logs.join('\n'))
    // It was rewritten whole, and the next process uses it again.
    await run(emu, cache, scope)
    t.is(emu.requestCount('token'), 3)
  } finally {
    await emu.stop()
  }
})
