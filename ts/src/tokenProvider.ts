/** `getBearerTokenProvider` as in `@azure/identity`: a function that yields a bearer token string. */
import type { AbortSignalLike, TokenCredential } from './tokenCredential'

export interface GetBearerTokenProviderOptions {
  abortSignal?: AbortSignalLike
  tracingOptions?: { tracingContext?: unknown }
}

export function getBearerTokenProvider(
  credential: TokenCredential,
  scopes: string | string[],
  options?: GetBearerTokenProviderOptions,
): () => Promise<string> {
  return async () => {
    // Like the Azure SDK's bearer policy, ask with CAE on.
    const token = await credential.getToken(scopes, { abortSignal: options?.abortSignal, tracingOptions: options?.tracingOptions, enableCae: true })
    if (!token) throw new Error('Failed to retrieve an access token: the credential returned null.')
    return token.token
  }
}
