/** The shapes of `@azure/core-auth`, so azid has no runtime dependency on it. */

import type { TokenCacheOptions } from './tokenCache'

export interface AccessToken {
  token: string
  /** Milliseconds since the epoch. */
  expiresOnTimestamp: number
  /** From this moment azid refreshes in the background; the token stays valid until expiresOnTimestamp. */
  refreshAfterTimestamp?: number
  tokenType?: 'Bearer' | 'pop'
}

/** The part of AbortSignal azid uses (works with Node's and `@azure/abort-controller`'s). */
export interface AbortSignalLike {
  readonly aborted: boolean
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void
  removeEventListener(type: 'abort', listener: () => void): void
}

export interface GetTokenOptions {
  abortSignal?: AbortSignalLike
  requestOptions?: { timeout?: number }
  tracingOptions?: { tracingContext?: unknown }
  /** A claims challenge (JSON); bypasses the cache. */
  claims?: string
  /** Continuous access evaluation: asks for tokens with the `cp1` capability. */
  enableCae?: boolean
  /** Another tenant, allowed by `additionallyAllowedTenants`. */
  tenantId?: string
}

export interface TokenCredential {
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null>
}

/** Retry settings, as `@azure/core-rest-pipeline` names them. */
export interface RetryOptions {
  maxRetries?: number
  retryDelayInMs?: number
  maxRetryDelayInMs?: number
}

/** Options every credential takes. */
export interface TokenCredentialOptions {
  /** Defaults to `AZURE_AUTHORITY_HOST`, else the public cloud. https only. */
  authorityHost?: string
  retryOptions?: RetryOptions
  /** Accepted for compatibility; azid never calls instance discovery (see README). */
  disableInstanceDiscovery?: boolean
  loggingOptions?: { allowLoggingAccountIdentifiers?: boolean; enableUnsafeSupportLogging?: boolean }
  /** Per-attempt HTTP timeout, in milliseconds. */
  requestTimeoutInMs?: number
  /** A cache shared by replicas (Redis) and/or kept across restarts (file); see README "One token per fleet". */
  tokenCache?: TokenCacheOptions
}

export interface MultiTenantTokenCredentialOptions extends TokenCredentialOptions {
  /** Tenants besides the configured one that `getToken({ tenantId })` may ask; `*` allows any. */
  additionallyAllowedTenants?: string[]
}
