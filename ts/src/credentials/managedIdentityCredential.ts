/**
 * Tokens for the managed identity of the Azure resource this code runs on. The
 * source is chosen from the environment as `@azure/identity` does; IMDS is the fallback.
 */
import native from '../native'
import { CredentialUnavailableError } from '../errors'
import type { AccessToken, GetTokenOptions, TokenCredentialOptions } from '../tokenCredential'
import { nativeTokenCache } from '../tokenCache'
import { NativeBackedCredential, createNative, nativeRetry } from './nativeBackedCredential'
import { detectManagedIdentitySource, imdsEndpoint } from './managedIdentitySource'

export interface ManagedIdentityCredentialClientIdOptions extends TokenCredentialOptions {
  clientId?: string
}
export interface ManagedIdentityCredentialResourceIdOptions extends TokenCredentialOptions {
  resourceId: string
}
export interface ManagedIdentityCredentialObjectIdOptions extends TokenCredentialOptions {
  objectId: string
}
export type ManagedIdentityCredentialOptions =
  | ManagedIdentityCredentialClientIdOptions
  | ManagedIdentityCredentialResourceIdOptions
  | ManagedIdentityCredentialObjectIdOptions

export class ManagedIdentityCredential extends NativeBackedCredential {
  private readonly unsupported?: string

  /** `new ManagedIdentityCredential(clientId, options?)` or `new ManagedIdentityCredential({ clientId | resourceId | objectId, ... })`. */
  constructor(clientId: string, options?: TokenCredentialOptions)
  constructor(options?: ManagedIdentityCredentialOptions)
  constructor(clientIdOrOptions?: string | ManagedIdentityCredentialOptions, maybeOptions?: TokenCredentialOptions) {
    const options: Partial<ManagedIdentityCredentialClientIdOptions & ManagedIdentityCredentialResourceIdOptions & ManagedIdentityCredentialObjectIdOptions> =
      typeof clientIdOrOptions === 'string' ? { ...maybeOptions, clientId: clientIdOrOptions } : { ...clientIdOrOptions }
    const ids = [options.clientId, options.resourceId, options.objectId].filter((v) => v !== undefined)
    if (ids.length > 1) {
      throw new Error(
        `ManagedIdentityCredential: only one of 'clientId', 'resourceId', or 'objectId' can be provided. Received values: ${JSON.stringify({
          clientId: options.clientId,
          resourceId: options.resourceId,
          objectId: options.objectId,
        })}`,
      )
    }
    const source = detectManagedIdentitySource(process.env)
    const engine = createNative(() =>
      native.NativeCredential.managedIdentity({
        imdsEndpoint: imdsEndpoint(process.env),
        clientId: options.clientId,
        objectId: options.objectId,
        resourceId: options.resourceId,
        retry: nativeRetry(options.retryOptions, options.requestTimeoutInMs),
        tokenCache: nativeTokenCache(options.tokenCache),
      }),
    )
    super('ManagedIdentityCredential', engine)
    if (source !== 'imds') {
      this.unsupported = `ManagedIdentityCredential: the environment points at the ${source} managed identity source, which this version of azid does not support yet.`
    }
  }

  override async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    if (this.unsupported) throw new CredentialUnavailableError(this.unsupported)
    return super.getToken(scopes, options)
  }

  protected override checkScopes(scopes: string[]): void {
    if (scopes.length !== 1) {
      throw new Error(`ManagedIdentityCredential: Multiple scopes are not supported. Scopes: ${JSON.stringify(scopes)}`)
    }
  }
}
