// Captures everything a succeeding and a failing run print at verbose level and checks
// the lines users rely on are there, and that no token or secret is.
import test from 'ava'
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { cleanEnv } from './helpers/env.mjs'

const fixture = fileURLToPath(new URL('./fixtures/logRun.mjs', import.meta.url))
const WRONG_SECRET = 'wr0ng-s3cret-value-for-test'

function run(extraEnv) {
  return new Promise((resolve, reject) => {
    const env = cleanEnv({ ...process.env })
    delete env.AZURE_LOG_LEVEL
    const child = fork(fixture, [], { env: { ...env, WRONG_SECRET, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
    let output = ''
    let secrets
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('message', (m) => (secrets = m))
    child.on('error', reject)
    child.on('exit', (code) => resolve({ code, output, secrets }))
  })
}

test('verbose logs name what happened and never a token or secret', async (t) => {
  const { code, output, secrets } = await run({ AZURE_LOG_LEVEL: 'verbose' })
  t.is(code, 0, output)
  t.truthy(secrets)
  t.regex(output, /azure:identity:info ClientSecretCredential\(tenant=[^)]+\): cache miss/)
  t.regex(output, /azure:identity:verbose ClientSecretCredential\(.*\): cache hit/)
  t.regex(output, /POST https:\/\/127\.0\.0\.1:\d+\/[^ ]+\/oauth2\/v2\.0\/token \(client-request-id [0-9a-f-]{36}\)/)
  t.regex(output, /ManagedIdentityCredential\(IMDS, system-assigned\)/)
  t.regex(output, /attempt 1 got HTTP 503; retrying in \d+ ms/)
  t.regex(output, /AADSTS7000215/)
  t.regex(output, /correlation id [0-9a-f-]{36}/)
  for (const [name, value] of Object.entries({ token: secrets.token, miToken: secrets.miToken, secret: secrets.secret, wrong: WRONG_SECRET })) {
    t.false(output.includes(value), `${name} appears in the output`)
    // Nor any long piece of a token (e.g. its signature).
    if (name.endsWith('oken')) t.false(output.includes(value.split('.')[2]), `${name} signature appears in the output`)
  }
})

test('a user-set AzureLogger.log receives the same lines', async (t) => {
  const { code, secrets } = await run({ AZURE_LOG_LEVEL: 'info', CAPTURE_LOGGER: '1' })
  t.is(code, 0)
  t.true(secrets.seen.some((l) => /cache miss/.test(l)))
  t.false(secrets.seen.some((l) => /cache hit/.test(l)), 'verbose lines are not sent at info level')
  t.false(secrets.seen.some((l) => l.includes(secrets.token) || l.includes(secrets.secret)))
})

test('logging is off without AZURE_LOG_LEVEL', async (t) => {
  const { code, output } = await run({})
  t.is(code, 0)
  t.false(output.includes('azure:identity'))
})
