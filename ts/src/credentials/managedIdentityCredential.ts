/**
 * Tokens for the managed identity of the Azure resource this code runs on. The
 * source is chosen from the environment as `@azure/identity` does; IMDS is the fallback.
 */
import native from '../native'
import { CredentialUnavailableError } from '../errors'
import type { TokenCredentialOptions } from '../tokenCredential'
import { nativeTokenCache } from '../tokenCache'
import { NativeBackedCredential, createNative, nativeRetry } from './nativeBackedCredential'
import { detectManagedIdentitySource, imdsEndpoint, sourceSettings } from './managedIdentitySource'
import { aksWorkloadEngine } from './managedIdentityWorkload'

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
    // AKS workload identity takes precedence, as in @azure/identity (resource/object ids do not apply there).
    const workload = options.resourceId || options.objectId ? undefined : aksWorkloadEngine(options.clientId, options)
    const engine = workload ?? createNative(() =>
      native.NativeCredential.managedIdentity({
        source,
        imdsEndpoint: imdsEndpoint(process.env),
        ...sourceSettings(source, process.env),
        clientId: options.clientId,
        objectId: options.objectId,
        resourceId: options.resourceId,
        retry: nativeRetry(options.retryOptions, options.requestTimeoutInMs),
        tokenCache: nativeTokenCache(options.tokenCache),
      }),
    )
    super('ManagedIdentityCredential', engine)
  }

  protected override checkScopes(scopes: string[]): void {
    if (scopes.length !== 1) {
      // As @azure/identity: unavailable, so a chain moves on to a credential that can take them.
      throw new CredentialUnavailableError(`ManagedIdentityCredential: Multiple scopes are not supported; request one resource at a time. Scopes: ${JSON.stringify(scopes)}`)
    }
  }
}
