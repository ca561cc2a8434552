// Separate Node processes sharing one credential configuration (see fixtures/cacheReplica.mjs).
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { cleanEnv } from './env.mjs'

const fixture = fileURLToPath(new URL('../fixtures/cacheReplica.mjs', import.meta.url))

/** Starts a replica pointed at `emu`; `cache`: { redisUrl?, file?, key, caFile? (Redis TLS CA) }. */
export async function startReplica(emu, cache) {
  const d = emu.defaults
  const env = {
    ...cleanEnv({ ...process.env }),
    EMULATOR_CA: emu.caFile,
    AUTHORITY: emu.authorityHost,
    TENANT: d.tenantId,
    CLIENT: d.clientId,
    SECRET: d.clientSecret,
    CACHE_KEY: cache.key,
  }
  delete env.AZURE_LOG_LEVEL
  if (cache.redisUrl) env.REDIS_URL = cache.redisUrl
  if (cache.file) env.CACHE_FILE = cache.file
  // The Redis client trusts the system roots, or only this file when it is set.
  if (cache.caFile) env.SSL_CERT_FILE = cache.caFile
  const child = fork(fixture, [], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const exited = new Promise((r) => child.once('exit', r))
  const next = () =>
    new Promise((resolve, reject) => {
      const onExit = (code) => reject(new Error(`replica exited with ${code}`))
      child.once('exit', onExit)
      child.once('message', (m) => {
        child.off('exit', onExit)
        resolve(m)
      })
    })
  await next()
  return {
    /** `n` concurrent getToken calls for `scope`: { tokens (distinct), ok, errors, logs }. */
    calls(scope, n) {
      const reply = next()
      child.send({ cmd: 'calls', scope, n })
      return reply
    },
    async stop() {
      if (child.exitCode === null) child.send({ cmd: 'exit' })
      await exited
    },
  }
}
