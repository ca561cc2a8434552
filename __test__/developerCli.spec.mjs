// AzureCliCredential, AzureDeveloperCliCredential and AzurePowerShellCredential against
// fake az, azd and pwsh scripts on PATH: the real output formats, not logged in, not
// installed, timeouts, garbage, and no token in any error or log line. PATH is
// process-wide, so every test is serial.
import test from 'ava'
import { azid, sleep, uniqueScope } from './helpers/emulator.mjs'
import { emptyPath, fakeJwt, installFakeCli, restorePath } from './helpers/fakeCli.mjs'

const { AzureCliCredential, AzureDeveloperCliCredential, AzurePowerShellCredential, CredentialUnavailableError, DeveloperToolError, AuthenticationError } = azid

const inOneHour = () => Math.floor(Date.now() / 1000) + 3600
test.afterEach.always(() => restorePath())

/** Local time without a zone, as old az CLIs print `expiresOn`. */
function localTime(epochSeconds) {
  const d = new Date(epochSeconds * 1000)
  const p = (n, w = 2) => String(n).padStart(w, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.000000`
}

test.serial('az: token and expires_on from the real output; argv, no shell, fixed working directory', async (t) => {
  const exp = inOneHour()
  const jwt = fakeJwt(exp + 600) // a different exp, to show expires_on wins
  const az = installFakeCli('az', {
    stdout: JSON.stringify({ accessToken: jwt, expiresOn: localTime(exp - 999), expires_on: exp, subscription: 's', tenant: 't', tokenType: 'Bearer' }),
  })
  const cred = new AzureCliCredential({ subscription: 'My Subscription', tenantId: 'contoso.onmicrosoft.com' })
  const token = await cred.getToken('https://vault.azure.net/.default')
  t.is(token.token, jwt)
  t.is(token.expiresOnTimestamp, exp * 1000)
  t.deepEqual(az.calls(), ['account get-access-token --output json --resource https://vault.azure.net --tenant contoso.onmicrosoft.com --subscription My Subscription'])
  t.true(['/bin', '/usr/bin', '/'].includes(az.cwds()[0]), az.cwds()[0])
  t.is((await cred.getToken('https://vault.azure.net/.default')).token, jwt)
  t.is(az.calls().length, 1, 'cached')
})

test.serial('az: without expires_on, expiresOn is read as local time', async (t) => {
  const exp = inOneHour()
  installFakeCli('az', { stdout: JSON.stringify({ accessToken: 'opaque-token-value', expiresOn: localTime(exp), tokenType: 'Bearer' }) })
  const token = await new AzureCliCredential().getToken(uniqueScope('az-local'))
  t.is(token.expiresOnTimestamp, exp * 1000)
})

test.serial('az: concurrent callers share one subprocess', async (t) => {
  const exp = inOneHour()
  const az = installFakeCli('az', { stdout: JSON.stringify({ accessToken: fakeJwt(exp), expires_on: exp }) })
  const scope = uniqueScope('az-herd')
  const cred = new AzureCliCredential()
  const tokens = await Promise.all(Array.from({ length: 50 }, () => cred.getToken(scope)))
  t.is(new Set(tokens.map((x) => x.token)).size, 1)
  t.is(az.calls().length, 1)
})

test.serial('az: a per-request tenant is passed; one outside additionallyAllowedTenants is refused', async (t) => {
  const exp = inOneHour()
  const az = installFakeCli('az', { stdout: JSON.stringify({ accessToken: fakeJwt(exp), expires_on: exp }) })
  await new AzureCliCredential().getToken(uniqueScope('az-t'), { tenantId: 'fabrikam.com' })
  t.regex(az.calls()[0], /--tenant fabrikam\.com$/)
  const pinned = new AzureCliCredential({ tenantId: 'contoso.com' })
  await t.throwsAsync(pinned.getToken(uniqueScope(), { tenantId: 'fabrikam.com' }), { instanceOf: CredentialUnavailableError, message: /AdditionallyAllowedTenants/ })
  t.is(az.calls().length, 1)
})

test.serial('az: not logged in, and the conditional access re-login, are CredentialUnavailableError with the fix', async (t) => {
  installFakeCli('az', { stderr: "ERROR: Please run 'az login' to setup account.\n", exitCode: 1 })
  const err = await t.throwsAsync(new AzureCliCredential().getToken(uniqueScope()), { instanceOf: CredentialUnavailableError })
  t.regex(err.message, /^AzureCliCredential: not logged in\. Run 'az login'/)
  installFakeCli('az', {
    stderr: 'ERROR: AADSTS50076: multi-factor required.\nRun the command below to authenticate interactively:\naz logout\naz login --scope https://vault.azure.net/.default\n',
    exitCode: 1,
  })
  const ca = await t.throwsAsync(new AzureCliCredential().getToken(uniqueScope()), { instanceOf: CredentialUnavailableError })
  t.regex(ca.message, /az login --scope https:\/\/vault\.azure\.net\/\.default/)
})

test.serial('not installed: each credential names the tool and how to install and sign in', async (t) => {
  emptyPath()
  const cases = [
    [new AzureCliCredential(), /'az' was not found on PATH\. Install the Azure CLI.*az login/],
    [new AzureDeveloperCliCredential(), /'azd' was not found on PATH\. Install the Azure Developer CLI.*azd auth login/],
    [new AzurePowerShellCredential(), /'pwsh' was not found on PATH\. Install PowerShell 7.*Connect-AzAccount/],
  ]
  for (const [cred, message] of cases) {
    await t.throwsAsync(cred.getToken(uniqueScope()), { instanceOf: CredentialUnavailableError, message })
  }
})

test.serial('a tool that hangs is killed at processTimeoutInMs and reported unavailable', async (t) => {
  const az = installFakeCli('az', { sleepSeconds: 30 })
  const started = Date.now()
  const err = await t.throwsAsync(new AzureCliCredential({ processTimeoutInMs: 300 }).getToken(uniqueScope()), { instanceOf: CredentialUnavailableError })
  const took = Date.now() - started
  t.true(took >= 250, `took ${took} ms`)
  t.regex(err.message, /did not finish within 300 ms and was stopped/)
  t.is(az.calls().length, 1)
})

test.serial('malformed output is a DeveloperToolError that does not echo stdout', async (t) => {
  const jwt = fakeJwt(inOneHour(), 'garbage')
  for (const stdout of [`garbage ${jwt}`, JSON.stringify({ accessToken: jwt }).slice(0, 30), JSON.stringify({ token: jwt })]) {
    installFakeCli('az', { stdout })
    const err = await t.throwsAsync(new AzureCliCredential().getToken(uniqueScope()), { instanceOf: DeveloperToolError })
    t.true(err instanceof AuthenticationError, 'a chain stops at it')
    t.regex(err.message, /succeeded but its output is not the expected JSON \(\d+ bytes, not shown/)
    t.false(err.message.includes(jwt.split('.')[2]))
    t.false(JSON.stringify(err.errorResponse).includes(jwt.split('.')[2]))
  }
  installFakeCli('az', { stdout: JSON.stringify({ accessToken: 'x', expires_on: Math.floor(Date.now() / 1000) - 10 }) })
  await t.throwsAsync(new AzureCliCredential().getToken(uniqueScope()), { instanceOf: DeveloperToolError, message: /already expired/ })
})

test.serial('other failures: DeveloperToolError with exit code, AADSTS code and correlation id from stderr', async (t) => {
  installFakeCli('az', {
    stderr: 'ERROR: AADSTS700082: The refresh token has expired due to inactivity.\nTrace ID: 0b7e2c1a-1111-2222-3333-444455556666\nCorrelation ID: 9f3d1e2a-aaaa-bbbb-cccc-ddddeeeeffff\n',
    exitCode: 2,
  })
  const err = await t.throwsAsync(new AzureCliCredential().getToken(uniqueScope()), { instanceOf: DeveloperToolError })
  t.is(err.name, 'DeveloperToolError')
  t.is(err.tool, 'az')
  t.is(err.exitCode, 2)
  t.deepEqual(err.errorResponse.errorCodes, [700082])
  t.is(err.errorResponse.correlationId, '9f3d1e2a-aaaa-bbbb-cccc-ddddeeeeffff')
  t.regex(err.message, /'az account get-access-token' failed with exit code 2: ERROR: AADSTS700082/)
})

test.serial('scopes and subscriptions that could inject arguments are refused before anything runs', async (t) => {
  const az = installFakeCli('az', { stdout: '{}' })
  for (const scope of ['--debug', 'https://x/.default; rm -rf /', 'a b', '$(id)']) {
    await t.throwsAsync(new AzureCliCredential().getToken(scope), { message: /invalid scope/ })
  }
  t.throws(() => new AzureCliCredential({ subscription: 'x"; rm -rf /' }), { message: /invalid subscription/ })
  t.throws(() => new AzureCliCredential({ subscription: '--debug' }), { message: /invalid subscription/ })
  t.is(az.calls().length, 0)
})

test.serial('azd: RFC 3339 expiresOn, every scope passed, not logged in', async (t) => {
  const exp = inOneHour()
  const jwt = fakeJwt(exp)
  const azd = installFakeCli('azd', { stdout: JSON.stringify({ token: jwt, expiresOn: new Date(exp * 1000).toISOString().replace('.000', '') }) })
  const [s1, s2] = [uniqueScope('azd1'), uniqueScope('azd2')]
  const token = await new AzureDeveloperCliCredential({ tenantId: 'contoso.com' }).getToken([s1, s2])
  t.is(token.token, jwt)
  t.is(token.expiresOnTimestamp, exp * 1000)
  t.deepEqual(azd.calls(), [`auth token --output json --no-prompt --scope ${[s1, s2].sort().join(' --scope ')} --tenant-id contoso.com`])

  installFakeCli('azd', { stderr: '\nERROR: not logged in, run `azd auth login` to login\n', exitCode: 1 })
  await t.throwsAsync(new AzureDeveloperCliCredential().getToken(uniqueScope()), { instanceOf: CredentialUnavailableError, message: /Run 'azd auth login'/ })
  installFakeCli('azd', { stdout: 'not json' })
  await t.throwsAsync(new AzureDeveloperCliCredential().getToken(uniqueScope()), { instanceOf: DeveloperToolError })
})

test.serial('pwsh: the script gets resource and tenant as variables, not as script text', async (t) => {
  const exp = inOneHour()
  const jwt = fakeJwt(exp)
  const pwsh = installFakeCli('pwsh', { stdout: `WARNING: Upcoming breaking changes\n${JSON.stringify({ Token: jwt, ExpiresOn: exp })}\n` })
  const token = await new AzurePowerShellCredential({ tenantId: 'contoso.com' }).getToken('https://storage.azure.com/.default')
  t.is(token.token, jwt)
  t.is(token.expiresOnTimestamp, exp * 1000)
  t.true(pwsh.calls()[0].startsWith('-NoProfile -NonInteractive -Command '))
  t.false(pwsh.calls().join('\n').includes('storage.azure.com'), 'the resource is not in the script')
  t.deepEqual(pwsh.envs(), ['https://storage.azure.com|contoso.com'])

  installFakeCli('pwsh', { stderr: 'Get-AzAccessToken: Run Connect-AzAccount to login.\n', exitCode: 1 })
  await t.throwsAsync(new AzurePowerShellCredential().getToken(uniqueScope()), { instanceOf: CredentialUnavailableError, message: /Connect-AzAccount/ })
  installFakeCli('pwsh', {
    stderr: "Import-Module: The specified module 'Az.Accounts' with version '2.2.0' was not loaded because no valid module file was found in any module directory.\n",
    exitCode: 1,
  })
  await t.throwsAsync(new AzurePowerShellCredential().getToken(uniqueScope()), { instanceOf: CredentialUnavailableError, message: /Install-Module -Name Az/ })
})

test.serial('no secrets: the token a tool prints never appears in errors or verbose logs', async (t) => {
  const exp = inOneHour()
  const jwt = fakeJwt(exp, 'secret')
  const lines = []
  const original = azid.AzureLogger.log
  azid.AzureLogger.log = (...args) => lines.push(args.join(' '))
  azid.setLogLevel('verbose')
  const errors = []
  try {
    installFakeCli('az', { stdout: JSON.stringify({ accessToken: jwt, expires_on: exp }) })
    const cred = new AzureCliCredential()
    const scope = uniqueScope('az-secret')
    t.is((await cred.getToken(scope)).token, jwt)
    await cred.getToken(scope)
    // Failures whose stdout (and, from a broken tool, stderr) hold the token.
    for (const behaviour of [
      { stdout: `not-json ${jwt}`, exitCode: 0 },
      { stdout: jwt, stderr: `ERROR: boom ${jwt}`, exitCode: 1 },
      { stdout: JSON.stringify({ accessToken: jwt, expires_on: 1 }) },
    ]) {
      installFakeCli('az', behaviour)
      try {
        await new AzureCliCredential().getToken(uniqueScope('az-secret-fail'))
        t.fail('expected an error')
      } catch (e) {
        errors.push(`${e.name}: ${e.message} ${JSON.stringify(e)}`)
      }
    }
    await sleep(200) // engine log lines reach JS asynchronously
  } finally {
    azid.setLogLevel(undefined)
    azid.AzureLogger.log = original
  }
  t.true(lines.some((l) => /AzureCliCredential: running 'az account get-access-token …'/.test(l)), 'verbose logging was on')
  t.is(errors.length, 3)
  const everything = [...lines, ...errors].join('\n')
  for (const piece of [jwt, ...jwt.split('.')]) t.false(everything.includes(piece), `a piece of the token leaked: ${piece.slice(0, 12)}…`)
})
