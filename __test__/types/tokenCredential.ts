// Type test (tsc --noEmit): azid credentials satisfy @azure/core-auth's TokenCredential,
// and results fit its AccessToken, so any Azure SDK client accepts them.
import type { AccessToken, TokenCredential } from '@azure/core-auth'
import {
  AzureCliCredential,
  AzureDeveloperCliCredential,
  AzurePipelinesCredential,
  AzurePowerShellCredential,
  ChainedTokenCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  DefaultAzureCredential,
  EnvironmentCredential,
  ManagedIdentityCredential,
  OnBehalfOfCredential,
  WorkloadIdentityCredential,
  getBearerTokenProvider,
  liveEngineCount,
} from '../..'
import type { TokenCacheOptions } from '../..'

const credentials: TokenCredential[] = [
  new ClientSecretCredential('tenant', 'client', 'secret'),
  new ClientSecretCredential('tenant', 'client', 'secret', { tokenCache: { redis: { url: 'rediss://:pw@h:6380', timeoutMs: 200 }, encryptionKey: Buffer.alloc(32) } }),
  new ManagedIdentityCredential(),
  new ManagedIdentityCredential('client-id'),
  new ManagedIdentityCredential({ resourceId: '/subscriptions/x' }),
  new EnvironmentCredential({ additionallyAllowedTenants: ['*'] }),
  new AzureCliCredential({ tenantId: 't', subscription: 's', processTimeoutInMs: 5000 }),
  new AzureDeveloperCliCredential({ tenantId: 't' }),
  new AzurePowerShellCredential({ processTimeoutInMs: 5000 }),
  new DefaultAzureCredential({ managedIdentityClientId: 'c', requiredEnvVars: ['AZURE_TENANT_ID'], excludeAzurePowerShellCredential: true }),
  new ClientCertificateCredential('tenant', 'client', '/path/cert.pem', { sendCertificateChain: true, regionalAuthority: 'westus2' }),
  new ClientCertificateCredential('tenant', 'client', { certificate: '-----BEGIN CERTIFICATE-----' }),
  new ClientCertificateCredential('tenant', 'client', { certificatePath: '/path/cert.pfx', certificatePassword: 'p' }),
  new ClientCertificateCredential('tenant', 'client', { certificate: new Uint8Array(), certificatePassword: 'p' }),
  new ClientCertificateCredential('tenant', 'client', { certificateSource: async () => new Uint8Array(), certificatePassword: 'p' }),
  new ClientCertificateCredential('tenant', 'client', { certificateSource: () => '-----BEGIN CERTIFICATE-----' }),
  new ClientAssertionCredential('tenant', 'client', async () => 'assertion'),
  new WorkloadIdentityCredential({ tokenFilePath: '/var/run/secrets/azure/tokens/azure-identity-token' }),
  new AzurePipelinesCredential('tenant', 'client', 'service-connection', 'system-access-token'),
  new OnBehalfOfCredential({ tenantId: 't', clientId: 'c', clientSecret: 's', userAssertionToken: 'u' }),
  new OnBehalfOfCredential({ tenantId: 't', clientId: 'c', certificatePath: '/p.pem', userAssertionToken: 'u' }),
]
credentials.push(new ChainedTokenCredential(...credentials))

async function use(c: TokenCredential): Promise<string | undefined> {
  const t: AccessToken | null = await c.getToken('https://vault.azure.net/.default', { tenantId: 't', claims: undefined, enableCae: true, abortSignal: new AbortController().signal })
  return t?.token
}

const provider: () => Promise<string> = getBearerTokenProvider(credentials[0]!, 'https://vault.azure.net/.default')
const fileCache: TokenCacheOptions = { file: { path: '/tmp/t.json' }, encryptionKey: 'base64' }
const engines: number = liveEngineCount()
void fileCache
void engines
void use
void provider
