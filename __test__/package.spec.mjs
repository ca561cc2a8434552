// The package as users load it: ESM named imports and require() from the built checkout.
import test from 'ava'
import { createRequire } from 'node:module'
import * as esm from '../dist/index.mjs'

const require = createRequire(import.meta.url)

test('ESM import and require expose the same classes', (t) => {
  const cjs = require('..')
  for (const name of ['ClientSecretCredential', 'ManagedIdentityCredential', 'CredentialUnavailableError', 'AuthenticationError', 'AggregateAuthenticationError', 'AuthenticationRequiredError', 'DeveloperToolError', 'ChainedTokenCredential', 'DefaultAzureCredential', 'EnvironmentCredential', 'AzureCliCredential', 'AzureDeveloperCliCredential', 'AzurePowerShellCredential', 'getBearerTokenProvider', 'setLogLevel', 'AzureLogger', 'AzureAuthorityHosts', 'Emulator']) {
    t.is(typeof esm[name], typeof cjs[name], name)
    t.is(esm[name], cjs[name], name)
    t.not(esm[name], undefined, name)
  }
  t.is(cjs.AzureAuthorityHosts.AzurePublicCloud, 'https://login.microsoftonline.com')
  t.is(cjs.CredentialUnavailableErrorName, 'CredentialUnavailableError')
  t.is(cjs.AuthenticationErrorName, 'AuthenticationError')
})

test('error classes carry the @azure/identity names and fields', (t) => {
  const { AuthenticationError, CredentialUnavailableError, AggregateAuthenticationError } = require('..')
  const e = new AuthenticationError(400, { error: 'invalid_scope', error_description: 'AADSTS70011: bad', error_codes: [70011], correlation_id: 'c', trace_id: 'tr', timestamp: 'ts' })
  t.is(e.name, 'AuthenticationError')
  t.deepEqual(e.errorResponse, { error: 'invalid_scope', errorDescription: 'AADSTS70011: bad', errorCodes: [70011], correlationId: 'c', traceId: 'tr', timestamp: 'ts' })
  t.is(new AuthenticationError(500, 'oops').errorResponse.error, 'unknown_error')
  t.is(new CredentialUnavailableError('x').name, 'CredentialUnavailableError')
  const agg = new AggregateAuthenticationError([new Error('one'), new Error('two')], 'Chain failed.')
  // As @azure/identity (errors.join uses Error.toString: 'Name: message').
  t.is(agg.message, 'Chain failed.\nError: one\nError: two')
  t.is(agg.errors.length, 2)
})

test('setLogLevel rejects unknown levels', (t) => {
  const { setLogLevel, getLogLevel } = require('..')
  t.throws(() => setLogLevel('loud'), { message: /Unknown log level 'loud'/ })
  t.is(getLogLevel(), undefined)
})
