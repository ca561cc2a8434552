/**
 * What every engine-backed credential shares: the getToken path. A fresh hit is served
 * from a per-object memo in JS (no native call, no Promise made in Rust); otherwise the
 * engine's synchronous fast path; otherwise the engine's single-flight async path.
 */
import native from '../native'
import { AbortError, fromNative } from '../errors'
import { isLogEnabled, logFlags, logLine } from '../logger'
import type { AccessToken, GetTokenOptions, RetryOptions, TokenCredential } from '../tokenCredential'
import { raceAbort } from '../util/abort'
import { toScopeArray } from '../util/scopes'

type NativeCredential = InstanceType<typeof native.NativeCredential>
type NativeToken = ReturnType<NativeCredential['getTokenSync']>

/** An engine and the tenant rules of its credential. @internal */
export interface NativeAuth {
  engine: NativeCredential
  homeTenant?: string
  additionallyAllowedTenants?: string[]
  tenantPinned?: boolean
}

/** Memo entries are dropped wholesale past this many, which only costs a native lookup. */
const MEMO_LIMIT = 250_000

export abstract class NativeBackedCredential implements TokenCredential {
  /** Fresh tokens by scope string, without and with CAE. Entries are immutable. */
  private readonly memo = new Map<string, AccessToken & { refreshAfterTimestamp: number }>()
  private readonly caeMemo = new Map<string, AccessToken & { refreshAfterTimestamp: number }>()

  protected constructor(
    protected readonly credentialName: string,
    protected readonly engine: NativeCredential,
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    // Hot path: a plain call whose token is fresh. Only property reads and one Map lookup.
    if (options === undefined || (options.tenantId === undefined && options.claims === undefined && options.abortSignal?.aborted !== true)) {
      const key = typeof scopes === 'string' ? scopes : scopes.length === 1 ? scopes[0] : scopes.join(' ')
      const hit = (options?.enableCae === true ? this.caeMemo : this.memo).get(key as string)
      if (hit !== undefined && Date.now() < hit.refreshAfterTimestamp) {
        if (logFlags.verbose) logLine('verbose', `${this.engine.label}: cache hit for [${String(key)}]`)
        return hit
      }
    }
    return this.getTokenFromEngine(scopes, options)
  }

  /** The engine's answer with `fromCache`, for the MSAL-style API. @internal */
  async getNativeToken(scope: string, claims: string | undefined, forceRefresh: boolean): Promise<NonNullable<NativeToken> & { fromCache: boolean }> {
    this.checkScopes([scope])
    try {
      return await this.engine.getToken([scope], null, claims ?? null, false, forceRefresh)
    } catch (e) {
      throw fromNative(e)
    }
  }

  /**
   * What a native client (Key Vault) needs to take tokens straight from this engine in
   * Rust: the engine and, for credentials with tenants, their tenant rules. @internal
   */
  nativeAuth(): NativeAuth {
    return { engine: this.engine }
  }

  /**
   * For native clients that use the engine directly: runs `call`, first waiting for the
   * credential to be ready, and lets it recover from a refusal it can fix (a rotating
   * secret) with one retry. Plain credentials just run it. @internal
   */
  withNativeRecovery<T>(call: () => Promise<T>): Promise<T> {
    return call()
  }

  /** The tenant to send (undefined = the configured one); subclasses apply their rules. */
  protected resolveTenant(_options: GetTokenOptions | undefined): string | undefined {
    return undefined
  }

  /** Extra scope rules (managed identity takes exactly one). */
  protected checkScopes(_scopes: string[]): void {}

  private async getTokenFromEngine(scopes: string | string[], options: GetTokenOptions | undefined): Promise<AccessToken> {
    const list = toScopeArray(scopes, this.credentialName)
    this.checkScopes(list)
    const tenantId = this.resolveTenant(options)
    const claims = options?.claims || undefined
    const cae = options?.enableCae === true
    if (options?.abortSignal?.aborted) throw new AbortError()
    const memoKey = list.length === 1 ? list[0]! : list.join(' ')
    // A claims result replaces the engine's entry too, so it replaces the memo's.
    const memoizable = tenantId === undefined
    if (claims === undefined) {
      let fresh: NativeToken
      try {
        fresh = this.engine.getTokenSync(list, tenantId ?? null, cae)
      } catch (e) {
        throw fromNative(e)
      }
      if (fresh) return this.keep(memoizable, cae, memoKey, fresh)
    }
    try {
      const t = await raceAbort(this.engine.getToken(list, tenantId ?? null, claims ?? null, cae), options?.abortSignal)
      if (isLogEnabled('info')) logLine('info', `${this.credentialName}.getToken() => SUCCESS. Scopes: ${list.join(', ')}.`)
      return this.keep(memoizable, cae, memoKey, t)
    } catch (e) {
      const err = e instanceof AbortError ? e : fromNative(e)
      if (isLogEnabled('error')) logLine('error', `${this.credentialName}.getToken() => ERROR. Scopes: ${list.join(', ')}. ${err.name}: ${err.message}`)
      throw err
    }
  }

  private keep(memoizable: boolean, cae: boolean, key: string, t: NonNullable<NativeToken>): AccessToken {
    const token = Object.freeze({
      token: t.token,
      expiresOnTimestamp: t.expiresOnTimestamp,
      refreshAfterTimestamp: t.refreshAfterTimestamp,
      tokenType: 'Bearer' as const,
    })
    if (memoizable) {
      const memo = cae ? this.caeMemo : this.memo
      if (memo.size >= MEMO_LIMIT) memo.clear()
      memo.set(key, token)
    }
    return token
  }
}

/** Maps core-rest-pipeline style retry options (and a request timeout) for the engine. */
export function nativeRetry(retry: RetryOptions | undefined, timeoutMs: number | undefined) {
  return {
    maxRetries: retry?.maxRetries,
    retryDelayInMs: retry?.retryDelayInMs,
    maxRetryDelayInMs: retry?.maxRetryDelayInMs,
    attemptTimeoutInMs: timeoutMs,
  }
}

/** Runs a native constructor, turning its JSON errors into typed ones. */
export function createNative<T>(make: () => T): T {
  try {
    return make()
  } catch (e) {
    throw fromNative(e)
  }
}
