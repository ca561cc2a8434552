// A throwaway redis-server on a free loopback port, and a minimal RESP client that
// reads and writes raw bytes (tests flip bytes of stored values and dump every key).
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect as tlsConnect } from 'node:tls'
import { readFileSync } from 'node:fs'
import { sleep } from './emulator.mjs'

export async function freePort() {
  const srv = createServer()
  await new Promise((r) => srv.listen(0, '127.0.0.1', r))
  const { port } = srv.address()
  await new Promise((r) => srv.close(r))
  return port
}

/** A throwaway CA and a server certificate for 127.0.0.1 (openssl CLI). */
function makeTlsFiles() {
  const dir = mkdtempSync(join(tmpdir(), 'azid-redis-tls-'))
  const f = (n) => join(dir, n)
  const run = (...args) => execFileSync('openssl', args, { stdio: 'ignore' })
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=azid test CA', '-keyout', f('ca.key'), '-out', f('ca.pem'))
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('server.key'), '-out', f('server.csr'))
  execFileSync('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\n' > '${f('ext.cnf')}'`])
  run('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', f('ext.cnf'), '-out', f('server.pem'))
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key') }
}

/**
 * Starts redis-server; `password` adds --requirepass, `tls` serves TLS only (with a
 * fresh CA in `redis.caFile`). Resolves once this very process answers PING: two tests
 * may pick the same free port, and the loser must not talk to the winner's server.
 */
export async function startRedis({ password, tls } = {}) {
  const files = tls ? makeTlsFiles() : undefined
  for (let attempt = 1; ; attempt++) {
    const redis = await spawnRedis(await freePort(), password, files)
    if (redis) return redis
    if (attempt >= 5) throw new Error('redis-server did not start on 5 free ports')
  }
}

async function spawnRedis(port, password, files) {
  const args = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
  if (files) {
    args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', files.cert, '--tls-key-file', files.key, '--tls-ca-cert-file', files.ca, '--tls-auth-clients', 'no')
  } else {
    args.push('--port', String(port))
  }
  if (password) args.push('--requirepass', password)
  const proc = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'ignore'] })
  const exited = new Promise((r) => proc.once('exit', r))
  const auth = password ? [['AUTH', password]] : []
  const scheme = files ? 'rediss' : 'redis'
  const redis = {
    port,
    url: password ? `${scheme}://:${encodeURIComponent(password)}@127.0.0.1:${port}` : `${scheme}://127.0.0.1:${port}`,
    caFile: files?.ca,
    /** Runs commands on one connection; resolves with the last reply. */
    command: (...cmd) => resp(port, [...auth, cmd], files && readFileSync(files.ca)),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM')
      await exited
    },
  }
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) return undefined // e.g. the port was taken meanwhile
    try {
      const info = String(await redis.command('INFO', 'server'))
      if (new RegExp(`process_id:${proc.pid}\\b`).test(info)) return redis
      break // another test's server answers on this port
    } catch {
      await sleep(50)
    }
  }
  await redis.stop()
  return undefined
}

/** Every key and its raw value. */
export async function dump(redis) {
  const keys = []
  let cursor = '0'
  do {
    const [next, batch] = await redis.command('SCAN', cursor, 'COUNT', '1000')
    cursor = next.toString()
    keys.push(...batch.map(String))
  } while (cursor !== '0')
  const out = new Map()
  for (const k of keys) out.set(k, await redis.command('GET', k))
  return out
}

function encode(cmd) {
  const parts = [Buffer.from(`*${cmd.length}\r\n`)]
  for (const a of cmd) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a))
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'))
  }
  return Buffer.concat(parts)
}

/** Parses one reply at `i`; returns [value, next] or undefined if incomplete. */
function parse(buf, i) {
  const eol = buf.indexOf('\r\n', i)
  if (eol < 0) return undefined
  const type = String.fromCharCode(buf[i])
  const line = buf.subarray(i + 1, eol).toString()
  if (type === '+') return [line, eol + 2]
  if (type === '-') return [new Error(line), eol + 2]
  if (type === ':') return [Number(line), eol + 2]
  if (type === '$') {
    const n = Number(line)
    if (n < 0) return [null, eol + 2]
    if (buf.length < eol + 2 + n + 2) return undefined
    return [buf.subarray(eol + 2, eol + 2 + n), eol + 2 + n + 2]
  }
  if (type === '*') {
    const n = Number(line)
    const items = []
    let at = eol + 2
    for (let k = 0; k < n; k++) {
      const r = parse(buf, at)
      if (!r) return undefined
      items.push(r[0])
      at = r[1]
    }
    return [items, at]
  }
  throw new Error(`unexpected RESP type ${type}`)
}

function resp(port, cmds, ca) {
  return new Promise((resolve, reject) => {
    const sock = ca ? tlsConnect({ port, host: '127.0.0.1', ca }) : connect(port, '127.0.0.1')
    let buf = Buffer.alloc(0)
    sock.on('error', reject)
    sock.on(ca ? 'secureConnect' : 'connect', () => sock.write(Buffer.concat(cmds.map(encode))))
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d])
      const replies = []
      let at = 0
      for (let k = 0; k < cmds.length; k++) {
        const r = parse(buf, at)
        if (!r) return
        replies.push(r[0])
        at = r[1]
      }
      sock.end()
      const last = replies[replies.length - 1]
      if (last instanceof Error) reject(last)
      else resolve(last)
    })
  })
}
