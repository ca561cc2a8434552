/**
 * Follows a rotating secret source for one engine: gives the engine the first value,
 * pushes changes the source announces, and on a refusal reloads once (single flight) so
 * callers retry with the new secret instead of seeing the failure. Client secrets and
 * certificates both use it; they differ in the refusal codes and what the value is.
 */
import { AuthenticationError } from '../errors'
import { logLine } from '../logger'
import type { SecretSource, SecretValue } from './secretSource'

/** What is rotated: its name in log lines and the refusal codes a new value can fix. */
export interface RotatedKind {
  /** e.g. `client secret`, `certificate`. */
  readonly what: string
  readonly refusedCodes: readonly number[]
}

/** Wrong secret, expired secret. */
export const CLIENT_SECRET: RotatedKind = { what: 'client secret', refusedCodes: [7000215, 7000222] }

/** Unknown key or bad signature (700027), expired credential (7000222). */
export const CERTIFICATE: RotatedKind = { what: 'certificate', refusedCodes: [700027, 7000222] }

export function isRefused(kind: RotatedKind, e: unknown): boolean {
  return e instanceof AuthenticationError && (e.errorResponse?.errorCodes ?? []).some((c) => kind.refusedCodes.includes(c))
}

export function isRefusedSecret(e: unknown): boolean {
  return isRefused(CLIENT_SECRET, e)
}

function same(a: SecretValue | undefined, b: SecretValue): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b
  return a !== undefined && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b)
}

const isEmpty = (v: SecretValue): boolean => v.length === 0

export class SecretRotation<V extends SecretValue = string> {
  /** Bumped on every new value, so a caller knows whether someone already rotated. */
  generation = 0
  /** Set while the first value is being fetched. */
  pending: Promise<void> | undefined
  private value: V | undefined
  private reloading: Promise<boolean> | undefined

  /** `apply` hands a value to the engine; it throws when the engine cannot use it. */
  constructor(
    private readonly label: string,
    private readonly source: SecretSource<V>,
    private readonly apply: (value: V) => void,
    private readonly kind: RotatedKind = CLIENT_SECRET,
  ) {
    const first = source.current()
    if (!(first instanceof Promise)) {
      this.value = first
    } else {
      this.pending = first.then(
        (v) => {
          this.set(v)
          this.pending = undefined
        },
        (e: unknown) => {
          throw new Error(`${label}: the ${kind.what} source '${source.id}' failed: ${e instanceof Error ? e.message : String(e)}`)
        },
      )
      this.pending.catch(() => undefined) // reported to the first getToken, not as unhandled
    }
    source.onChange?.((v) => {
      if (same(this.value, v) || isEmpty(v)) return
      logLine('info', `${label}: ${kind.what} source '${source.id}' has a new value; using it from now on`)
      try {
        this.set(v)
      } catch (e) {
        // The engine logged why; the previous value stays in use.
        logLine('warning', `${label}: the new value of '${source.id}' was not used: ${e instanceof Error ? e.message : String(e)}`)
      }
    })
  }

  /** The first value if it is already known (undefined while it is being fetched). */
  initial(): V | undefined {
    return this.value
  }

  /**
   * Re-reads the source once for all concurrent callers; a new value bumps `generation`.
   * Rejects when the source fails or the engine refuses the new value.
   */
  reload(): Promise<boolean> {
    this.reloading ??= (async () => {
      try {
        logLine('warning', `${this.label}: the identity provider refused the ${this.kind.what}; reloading it from '${this.source.id}'`)
        const v = await this.source.reload()
        if (same(this.value, v) || isEmpty(v)) return false
        this.set(v)
        return true
      } finally {
        this.reloading = undefined
      }
    })()
    return this.reloading
  }

  /** Runs `call`; when the value is refused, reloads it (unless someone already did) and retries once. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.pending) await this.pending
    const generation = this.generation
    try {
      return await call()
    } catch (e) {
      if (!isRefused(this.kind, e)) throw e
      if (this.generation === generation) await this.reload()
      if (this.generation === generation) throw e
      return call()
    }
  }

  private set(v: V): void {
    this.apply(v)
    this.value = v
    this.generation += 1
  }
}
