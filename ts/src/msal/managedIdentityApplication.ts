/**
 * msal-node's `ManagedIdentityApplication` on azid's engine: the same cache as
 * `ManagedIdentityCredential` for the same identity.
 */
import { randomUUID } from 'node:crypto'
import { fromNative } from '../errors'
import { ManagedIdentityCredential } from '../credentials/managedIdentityCredential'
import { type AuthenticationResult, toResult } from './authenticationResult'
import { ClientConfigurationError, toMsalError } from './errors'
import { type SystemOptions, connectLogger } from './logging'
import type { TokenCacheOptions } from '../tokenCache'

export interface ManagedIdentityConfiguration {
  managedIdentityIdParams?: { userAssignedClientId?: string; userAssignedResourceId?: string; userAssignedObjectId?: string }
  system?: SystemOptions
  /** azid's shared (Redis) and/or file cache behind the engine's memory; see the README. */
  tokenCache?: TokenCacheOptions
}

export interface ManagedIdentityRequestParams {
  resource: string
  forceRefresh?: boolean
  claims?: string
}

export class ManagedIdentityApplication {
  private readonly credential: ManagedIdentityCredential

  constructor(configuration: ManagedIdentityConfiguration = {}) {
    const ids = configuration.managedIdentityIdParams ?? {}
    const given = [ids.userAssignedClientId, ids.userAssignedResourceId, ids.userAssignedObjectId].filter((v) => v !== undefined)
    if (given.length > 1) throw new ClientConfigurationError('invalid_managed_identity_id_type', 'Give at most one of userAssignedClientId, userAssignedResourceId and userAssignedObjectId.')
    const tokenCache = configuration.tokenCache
    this.credential = ids.userAssignedClientId
      ? new ManagedIdentityCredential({ clientId: ids.userAssignedClientId, tokenCache })
      : ids.userAssignedResourceId
        ? new ManagedIdentityCredential({ resourceId: ids.userAssignedResourceId, tokenCache })
        : ids.userAssignedObjectId
          ? new ManagedIdentityCredential({ objectId: ids.userAssignedObjectId, tokenCache })
          : new ManagedIdentityCredential({ tokenCache })
    connectLogger(configuration.system)
  }

  async acquireToken(request: ManagedIdentityRequestParams): Promise<AuthenticationResult> {
    if (!request?.resource) throw new ClientConfigurationError('invalid_resource', 'A resource is required, e.g. https://management.azure.com.')
    const scope = request.resource.endsWith('/.default') ? request.resource : `${request.resource.replace(/\/+$/, '')}/.default`
    try {
      const t = await this.credential.getNativeToken(scope, request.claims, request.forceRefresh === true)
      return toResult(t, 'https://login.microsoftonline.com/managed_identity/', 'managed_identity', [scope], randomUUID())
    } catch (e) {
      throw toMsalError(fromNative(e))
    }
  }
}
