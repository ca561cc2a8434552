// Type test (tsc --noEmit): azid's SecretClient fits where @azure/keyvault-secrets' result
// shapes are expected, and the official client accepts an azid credential.
import { SecretClient as OfficialSecretClient } from '@azure/keyvault-secrets'
import type { KeyVaultSecret as OfficialSecret, SecretProperties as OfficialProperties } from '@azure/keyvault-secrets'
import { ClientCertificateCredential, ClientSecretCredential, LiveSecrets, SecretClient } from '../../dist/index'
import type { SecretRotationEvent } from '../../dist/index'

const credential = new ClientSecretCredential('t', 'c', { clientSecretFile: '/run/secrets/app' })
const official = new OfficialSecretClient('https://v.vault.azure.net', credential)
const ours = new SecretClient('https://v.vault.azure.net', new ClientSecretCredential('t', 'c', async () => 's'))

async function shapes(): Promise<void> {
  const s: OfficialSecret = await ours.getSecret('n', { version: 'v' })
  for await (const p of ours.listPropertiesOfSecrets()) {
    const q: OfficialProperties = p
    void q
  }
  const live = await LiveSecrets.load({ vaultUrl: 'https://v.vault.azure.net', credential, names: ['a'], refreshIntervalMs: 60_000, jitter: 0.1 })
  live.on('rotation', (e: SecretRotationEvent) => void e.newVersion)
  const value: string = live.get('a')
  new ClientSecretCredential('t', 'c', live.source('a'))
  new ClientCertificateCredential('t', 'c', { certificateSource: live.source('cert'), certificatePassword: 'p' })
  void s
  void value
  void official
}
void shapes
