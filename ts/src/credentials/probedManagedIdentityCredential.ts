/**
 * Managed identity inside DefaultAzureCredential: before the first token request, one
 * short probe (1 s, no retries) asks whether an IMDS is there at all, so a developer
 * machine moves on in a second instead of waiting out IMDS retries. The answer is
 * remembered for the life of the credential (`@azure/identity` 4.14 probes every call).
 */
import native from '../native'
import { CredentialUnavailableError, fromNative } from '../errors'
import type { AccessToken, GetTokenOptions, TokenCredential } from '../tokenCredential'

const PROBE_TIMEOUT_MS = 1000

export class ProbedManagedIdentityCredential implements TokenCredential {
  readonly credentialName = 'ManagedIdentityCredential'
  private probe?: Promise<void>

  constructor(
    private readonly inner: TokenCredential,
    private readonly imdsBase: string,
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    this.probe ??= native.probeImds(this.imdsBase, options?.requestOptions?.timeout || PROBE_TIMEOUT_MS).catch((e: unknown) => {
      throw fromNative(e)
    })
    await this.probe
    const token = await this.inner.getToken(scopes, options)
    if (!token) throw new CredentialUnavailableError('ManagedIdentityCredential returned no token.')
    return token
  }
}
