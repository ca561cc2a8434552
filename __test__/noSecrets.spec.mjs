// Verbose logs and error messages of the certificate and federated credentials carry no
// private key, password, assertion, federated token, system access token or user token.
import test from 'ava'
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { cleanEnv } from './helpers/env.mjs'

const fixture = fileURLToPath(new URL('./fixtures/federatedLogRun.mjs', import.meta.url))

function run() {
  return new Promise((resolve, reject) => {
    const env = cleanEnv({ ...process.env })
    const child = fork(fixture, [], { env: { ...env, AZURE_LOG_LEVEL: 'verbose' }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
    let output = ''
    let report
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('message', (m) => (report = m))
    child.on('error', reject)
    child.on('exit', (code) => resolve({ code, output, report }))
  })
}

test('no secret reaches a log line or an error message', async (t) => {
  const { code, output, report } = await run()
  t.is(code, 0, output)
  t.truthy(report)
  // Both paths ran: five successes, six failures.
  t.is(report.tokens.length, 5, output)
  t.is(output.match(/failed as expected/g)?.length, 6, output)
  t.regex(output, /AADSTS700027/)
  t.regex(output, /AADSTS700213/)
  t.regex(output, /AADSTS500133/)
  t.regex(output, /certificatePassword is wrong/)
  t.regex(output, /HTTP 401/)
  t.regex(output, /azure:identity:info ClientCertificateCredential\(tenant=/)
  for (const [name, value] of Object.entries(report.secrets)) t.false(output.includes(value), `${name} appears in the output`)
  for (const line of report.keyLines) t.false(output.includes(line), 'a line of the private key appears in the output')
  for (const token of report.tokens) t.false(output.includes(token.split('.')[2]), 'an access token appears in the output')
  // No JWT at all (this covers the certificate assertions azid signs).
  t.notRegex(output, /eyJ[A-Za-z0-9_-]{8,}\.eyJ/)
})
