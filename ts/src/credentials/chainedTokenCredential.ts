/**
 * Tries credentials in order until one returns a token. Only "not here" errors
 * (`CredentialUnavailableError`, `AuthenticationRequiredError`) move on; any other error
 * is a real failure and is thrown as is. Unlike `@azure/identity` 4.14, the chain
 * remembers the credential that worked and goes straight to it on later calls.
 */
import { AggregateAuthenticationError, AuthenticationRequiredErrorName, CredentialUnavailableError, CredentialUnavailableErrorName } from '../errors'
import { isLogEnabled, logLine } from '../logger'
import type { AccessToken, GetTokenOptions, TokenCredential } from '../tokenCredential'

/** The name a credential goes by in messages: its own label if it has one, else its class. */
export function credentialName(credential: TokenCredential): string {
  const own = (credential as { credentialName?: unknown }).credentialName
  if (typeof own === 'string' && own !== '') return own
  return credential.constructor?.name || 'credential'
}

/** Whether an error means "this credential cannot be used here", so the chain may go on. */
export function movesOn(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name
  return name === CredentialUnavailableErrorName || name === AuthenticationRequiredErrorName
}

export class ChainedTokenCredential implements TokenCredential {
  private readonly sources: TokenCredential[]
  /** The credential that last returned a token; tried first, alone, while it keeps working. */
  private winner?: TokenCredential

  constructor(...sources: TokenCredential[]) {
    this.sources = sources
  }

  /** Which label this chain uses in its messages (DefaultAzureCredential overrides it). */
  protected get chainName(): string {
    return 'ChainedTokenCredential'
  }

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    const winner = this.winner
    if (winner !== undefined) {
      try {
        const token = await winner.getToken(scopes, options)
        if (token) return token
      } catch (e) {
        if (!movesOn(e)) throw e
      }
      // It stopped working (e.g. a CLI logged out): forget it and walk the chain again.
      if (this.winner === winner) this.winner = undefined
      if (isLogEnabled('info')) logLine('info', `${this.chainName}: ${credentialName(winner)} no longer returns tokens; trying the chain again`)
    }
    return this.walk(scopes, options)
  }

  private async walk(scopes: string | string[], options: GetTokenOptions | undefined): Promise<AccessToken> {
    const errors: unknown[] = []
    const labels: string[] = []
    for (const source of this.sources) {
      const name = credentialName(source)
      try {
        const token = await source.getToken(scopes, options)
        if (token) {
          this.winner = source
          if (isLogEnabled('info')) logLine('info', `${this.chainName}: ${name} returned a token; later calls go to it directly`)
          return token
        }
        errors.push(new CredentialUnavailableError(`${name} returned no token.`))
      } catch (e) {
        if (!movesOn(e)) {
          if (isLogEnabled('warning')) logLine('warning', `${this.chainName}: ${name} failed, stopping the chain: ${(e as Error)?.message ?? String(e)}`)
          throw e
        }
        errors.push(e)
      }
      labels.push(name)
      if (isLogEnabled('info')) logLine('info', `${this.chainName}: ${name} is not available here; trying the next credential`)
    }
    throw new AggregateAuthenticationError(errors, 'ChainedTokenCredential authentication failed.', labels)
  }
}
