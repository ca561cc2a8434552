// Type test (tsc --noEmit): azid credentials satisfy @azure/core-auth's TokenCredential,
// and results fit its AccessToken, so any Azure SDK client accepts them.
import type { AccessToken, TokenCredential } from '@azure/core-auth'
import { ClientSecretCredential, ManagedIdentityCredential, getBearerTokenProvider } from '../..'

const credentials: TokenCredential[] = [
  new ClientSecretCredential('tenant', 'client', 'secret'),
  new ManagedIdentityCredential(),
  new ManagedIdentityCredential('client-id'),
  new ManagedIdentityCredential({ resourceId: '/subscriptions/x' }),
]

async function use(c: TokenCredential): Promise<string | undefined> {
  const t: AccessToken | null = await c.getToken('https://vault.azure.net/.default', { tenantId: 't', claims: undefined, enableCae: true, abortSignal: new AbortController().signal })
  return t?.token
}

const provider: () => Promise<string> = getBearerTokenProvider(credentials[0]!, 'https://vault.azure.net/.default')
void use
void provider
