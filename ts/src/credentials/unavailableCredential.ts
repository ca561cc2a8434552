/** Stands in for a credential that could not be created, and says why on every call. */
import { CredentialUnavailableError } from '../errors'
import type { AccessToken, TokenCredential } from '../tokenCredential'

export class UnavailableCredential implements TokenCredential {
  constructor(
    readonly credentialName: string,
    private readonly reason: string,
  ) {}

  getToken(): Promise<AccessToken> {
    return Promise.reject(new CredentialUnavailableError(`${this.credentialName} is unavailable: ${this.reason}`))
  }
}
