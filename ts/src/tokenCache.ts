/**
 * The `tokenCache` option of every credential: a Redis cache shared by replicas and/or
 * an encrypted file for restarts, behind the in-memory cache. Entries are sealed with
 * AES-256-GCM under `encryptionKey`; neither store ever holds a token in the clear.
 */

export interface RedisTokenCacheOptions {
  /** `redis://[:password@]host:port[/db]`, or `rediss://` for TLS. */
  url: string
  /** Prefix of every key azid writes (default `azid:`). */
  keyPrefix?: string
  /** How long one replica may hold the fetch lock before another takes over (default 10,000 ms). */
  lockTtlMs?: number
  /** Bound of one Redis command; past it the credential goes on without Redis (default 200 ms; connecting gets at least 1 s). */
  timeoutMs?: number
}

export interface FileTokenCacheOptions {
  /** The cache file; written with mode 0600 (its directory, if created, 0700). */
  path: string
}

export interface TokenCacheOptions {
  redis?: RedisTokenCacheOptions
  file?: FileTokenCacheOptions
  /** 32 random bytes, as a Buffer or base64: `crypto.randomBytes(32)`. Same on every replica. */
  encryptionKey: Uint8Array | string
}

/** What the native binding takes (the key as base64). */
export interface NativeTokenCacheOptions {
  redis?: RedisTokenCacheOptions
  file?: FileTokenCacheOptions
  encryptionKey: string
}

function positiveMs(name: string, v: number | undefined): number | undefined {
  if (v === undefined) return undefined
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`tokenCache.redis.${name} must be a positive number of milliseconds, got ${String(v)}.`)
  return Math.min(Math.ceil(v), 0xffffffff)
}

/** Checks the option's shape in JS terms; the engine checks the key length and URL. */
export function nativeTokenCache(options: TokenCacheOptions | undefined): NativeTokenCacheOptions | undefined {
  if (options === undefined) return undefined
  const key = options.encryptionKey
  let encryptionKey: string
  if (typeof key === 'string') encryptionKey = key
  else if (key instanceof Uint8Array) encryptionKey = Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('base64')
  else throw new TypeError("tokenCache.encryptionKey is required: 32 random bytes as a Buffer or base64 string, e.g. crypto.randomBytes(32).")
  const redis = options.redis
  if (redis !== undefined && typeof redis.url !== 'string') throw new TypeError('tokenCache.redis.url is required, e.g. redis://127.0.0.1:6379')
  if (options.file !== undefined && typeof options.file.path !== 'string') throw new TypeError('tokenCache.file.path is required.')
  return {
    encryptionKey,
    file: options.file ? { path: options.file.path } : undefined,
    redis: redis
      ? { url: redis.url, keyPrefix: redis.keyPrefix, lockTtlMs: positiveMs('lockTtlMs', redis.lockTtlMs), timeoutMs: positiveMs('timeoutMs', redis.timeoutMs) }
      : undefined,
  }
}
