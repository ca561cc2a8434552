/**
 * A set of Key Vault secrets loaded before the server starts and kept current: reads are
 * synchronous from memory, a background refresh (jittered, unref'd timer) and Event Grid
 * pushes pick up new versions, and each secret has at most one request in flight.
 * Fetching runs in the Rust client; the schedule and the `rotation` event live here in JS.
 */
import { EventEmitter } from 'node:events'
import { KeyVaultError } from '../errors'
import { logLine } from '../logger'
import type { SecretSource } from '../credentials/secretSource'
import type { TokenCredential } from '../tokenCredential'
import { parseDelivery, vaultOfTopic } from './eventGrid'
import { LiveSecretsLoadError, reasonOf } from './liveSecretsError'
import type { LoadFailure } from './liveSecretsError'
import type { KeyVaultSecret, SecretClientOptions, SecretProperties } from './models'
import { SecretClient } from './secretClient'

export interface LiveSecretsOptions {
  vaultUrl: string
  credential: TokenCredential
  /** The secrets to load; all must exist, be enabled, readable and unexpired. */
  names: string[]
  /** Background refresh period (default 5 minutes; 0 turns the timer off). */
  refreshIntervalMs?: number
  /** Spread of each period, as a fraction of it (default 0.1: ±10 %), so replicas do not refresh in step. */
  jitter?: number
  /** The vault's name in Event Grid events (default: the first label of the vault URL's host). */
  vaultName?: string
  /** Options of the SecretClient the set uses. */
  clientOptions?: SecretClientOptions
}

/** `rotation` event payload. Never carries the value. */
export interface SecretRotationEvent {
  name: string
  oldVersion: string | undefined
  newVersion: string | undefined
}

/** `refreshError` event payload: the last good value is still served. */
export interface SecretRefreshErrorEvent {
  name: string
  error: Error
}

/** What `handleEventGrid` did: answer the handshake, or which secrets it refreshed and ignored. */
export interface EventGridResult {
  /** Send this back as the JSON response body of the handshake. */
  validationResponse?: string
  /** CloudEvents handshake (an OPTIONS request): send this back as the `WebHook-Allowed-Origin` header. */
  webhookAllowedOrigin?: string
  refreshed: string[]
  ignored: { name?: string; vaultName?: string; reason: string }[]
}

interface Entry {
  name: string
  secret: KeyVaultSecret
}

const DEFAULT_REFRESH_MS = 5 * 60_000

export class LiveSecrets extends EventEmitter {
  private readonly entries = new Map<string, Entry>()
  /** The request in flight per secret, shared by every caller. */
  private readonly inflight = new Map<string, Promise<boolean>>()
  /** A refresh queued behind the one in flight (for events that arrived during it). */
  private readonly queued = new Map<string, Promise<boolean>>()
  private timer: NodeJS.Timeout | undefined
  private closed = false
  readonly vaultUrl: string
  readonly vaultName: string

  private constructor(
    private readonly client: SecretClient,
    private readonly options: LiveSecretsOptions,
  ) {
    super()
    this.vaultUrl = client.vaultUrl
    this.vaultName = (options.vaultName ?? new URL(client.vaultUrl).hostname.split('.')[0] ?? '').toLowerCase()
  }

  /** Loads every secret concurrently; throws one `LiveSecretsLoadError` naming all that failed. */
  static async load(options: LiveSecretsOptions): Promise<LiveSecrets> {
    if (!Array.isArray(options.names) || options.names.length === 0) throw new TypeError('LiveSecrets.load: names must list at least one secret.')
    const client = new SecretClient(options.vaultUrl, options.credential, options.clientOptions)
    const set = new LiveSecrets(client, options)
    // Key Vault names are case-insensitive: one fetch per secret.
    const names = [...new Map(options.names.map((n) => [String(n).toLowerCase(), n])).values()]
    const results = await Promise.allSettled(names.map((n) => client.getSecret(n)))
    const failures: LoadFailure[] = []
    results.forEach((r, i) => {
      const name = names[i]!
      if (r.status === 'rejected') {
        const error = r.reason instanceof Error ? r.reason : new Error(String(r.reason))
        failures.push({ name, reason: reasonOf(error), error })
      } else if (r.value.properties.expiresOn !== undefined && r.value.properties.expiresOn.getTime() <= Date.now()) {
        // The service still serves expired secrets; starting on one is a configuration error.
        const error = new KeyVaultError(`LiveSecrets: secret '${name}' expired at ${r.value.properties.expiresOn.toISOString()}; set a new version.`, { statusCode: 200, code: 'SecretExpired' })
        failures.push({ name, reason: 'expired', error })
      } else {
        set.entries.set(name.toLowerCase(), { name, secret: r.value })
      }
    })
    if (failures.length > 0) throw new LiveSecretsLoadError(client.vaultUrl, names.length, failures)
    logLine('info', `LiveSecrets(vault=${new URL(client.vaultUrl).host}): loaded ${names.length} secrets`)
    set.schedule()
    return set
  }

  /** The current value, from memory. Throws for a name that is not in the set. */
  get(name: string): string {
    return this.entry(name).secret.value ?? ''
  }

  /** The current version's properties (no value). */
  properties(name: string): SecretProperties {
    return this.entry(name).secret.properties
  }

  /** The names in the set, as given to `load`. */
  names(): string[] {
    return [...this.entries.values()].map((e) => e.name)
  }

  /** Fetches one secret (or all) now; resolves to whether any version changed. Single flight per secret. */
  async refresh(name?: string): Promise<boolean> {
    if (name === undefined) return (await Promise.all([...this.entries.keys()].map((k) => this.refreshKey(k)))).some(Boolean)
    this.entry(name)
    return this.refreshKey(name.toLowerCase())
  }

  /**
   * A webhook handler for Event Grid: answers the validation handshake, and refreshes the
   * secrets named by `SecretNewVersionCreated` events of this vault (one request per secret
   * however many events arrive together). Other vaults and names are ignored and logged.
   */
  handleEventGrid(body: unknown, headers: Record<string, string | string[] | undefined> = {}): Promise<EventGridResult> {
    const origin = headers['webhook-request-origin'] ?? headers['WebHook-Request-Origin']
    if (typeof origin === 'string' && (body === undefined || body === null || body === '' || (Buffer.isBuffer(body) && body.length === 0))) {
      return Promise.resolve({ webhookAllowedOrigin: origin, refreshed: [], ignored: [] })
    }
    let delivery
    try {
      delivery = parseDelivery(body)
    } catch (e) {
      return Promise.reject(e)
    }
    const result: EventGridResult = { refreshed: [], ignored: [] }
    if (delivery.kind === 'validation') {
      const type = headers['aeg-event-type'] ?? headers['Aeg-Event-Type']
      if (type !== undefined && type !== 'SubscriptionValidation') logLine('warning', `LiveSecrets: validation event with aeg-event-type '${String(type)}'`)
      result.validationResponse = delivery.validationCode
      return Promise.resolve(result)
    }
    const waits: Promise<boolean>[] = []
    for (const e of delivery.secretEvents) {
      const vault = (e.vaultName ?? vaultOfTopic(e.topic) ?? '').toLowerCase()
      const key = (e.name ?? '').toLowerCase()
      if (vault !== this.vaultName) {
        result.ignored.push({ name: e.name, vaultName: e.vaultName, reason: `event for vault '${vault || '(none)'}', not '${this.vaultName}'` })
      } else if (!this.entries.has(key)) {
        result.ignored.push({ name: e.name, vaultName: e.vaultName, reason: `secret '${e.name ?? ''}' is not in this set` })
      } else if (e.version !== undefined && this.entries.get(key)!.secret.properties.version === e.version) {
        result.ignored.push({ name: e.name, vaultName: e.vaultName, reason: `version ${e.version} is already loaded` })
      } else {
        if (!result.refreshed.includes(this.entries.get(key)!.name)) result.refreshed.push(this.entries.get(key)!.name)
        waits.push(this.refreshAfterEvent(key))
      }
    }
    for (const i of result.ignored) logLine('info', `LiveSecrets: ignored an Event Grid event: ${i.reason}`)
    for (const t of delivery.otherTypes) result.ignored.push({ reason: `event type '${t}' is not handled` })
    return Promise.all(waits).then(() => result)
  }

  /**
   * A secret source for a credential: `new ClientSecretCredential(t, c, secrets.source('app-secret'))`,
   * or `{ certificateSource: secrets.source('app-cert') }` for a certificate stored as a secret.
   */
  source(name: string): SecretSource {
    const entry = this.entry(name)
    const key = entry.name.toLowerCase()
    return {
      id: `keyvault:${this.vaultUrl}/secrets/${key}`,
      current: () => this.get(key),
      contentType: () => this.properties(key).contentType,
      reload: async () => {
        await this.refreshKey(key)
        return this.get(key)
      },
      onChange: (listener) => {
        const onRotation = (e: SecretRotationEvent): void => {
          if (e.name.toLowerCase() === key) listener(this.get(key))
        }
        this.on('rotation', onRotation)
        return () => this.off('rotation', onRotation)
      },
    }
  }

  /** Stops the background refresh. Reads keep working from memory. */
  close(): void {
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }

  private entry(name: string): Entry {
    const e = typeof name === 'string' ? this.entries.get(name.toLowerCase()) : undefined
    if (!e) throw new Error(`LiveSecrets: '${String(name)}' is not in this set (loaded: ${this.names().join(', ')}); add it to names in LiveSecrets.load.`)
    return e
  }

  private schedule(): void {
    const period = this.options.refreshIntervalMs ?? DEFAULT_REFRESH_MS
    if (this.closed || period <= 0) return
    const jitter = Math.min(Math.max(this.options.jitter ?? 0.1, 0), 1)
    const delay = Math.max(1, period * (1 + (Math.random() * 2 - 1) * jitter))
    this.timer = setTimeout(() => {
      void this.refresh().finally(() => this.schedule())
    }, delay)
    this.timer.unref()
  }

  /** One request per secret in flight; failures keep the last good value. */
  private refreshKey(key: string): Promise<boolean> {
    const running = this.inflight.get(key)
    if (running) return running
    const p = this.fetch(key).finally(() => this.inflight.delete(key))
    this.inflight.set(key, p)
    return p
  }

  /** Events that arrive together share one request; one arriving mid-request gets one more after it. */
  private refreshAfterEvent(key: string): Promise<boolean> {
    const queued = this.queued.get(key)
    if (queued) return queued
    const before = this.inflight.get(key) ?? Promise.resolve(false)
    const p = before
      .catch(() => false)
      .then(() => {
        this.queued.delete(key)
        return this.refreshKey(key)
      })
    this.queued.set(key, p)
    return p
  }

  private async fetch(key: string): Promise<boolean> {
    const entry = this.entries.get(key)!
    try {
      const next = await this.client.getSecret(entry.name)
      const oldVersion = entry.secret.properties.version
      const newVersion = next.properties.version
      entry.secret = next
      if (oldVersion === newVersion) return false
      logLine('info', `LiveSecrets: secret '${entry.name}' rotated from version ${oldVersion ?? '?'} to ${newVersion ?? '?'}`)
      this.emit('rotation', { name: entry.name, oldVersion, newVersion } satisfies SecretRotationEvent)
      return true
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e))
      logLine('warning', `LiveSecrets: refreshing '${entry.name}' failed; still serving version ${entry.secret.properties.version ?? '?'}: ${error.message}`)
      this.emit('refreshError', { name: entry.name, error } satisfies SecretRefreshErrorEvent)
      return false
    }
  }
}
