/**
 * Follows a rotating secret source for one engine: gives the engine the first value,
 * pushes changes the source announces, and on a refusal reloads once (single flight) so
 * callers retry with the new secret instead of seeing the failure.
 */
import { AuthenticationError } from '../errors'
import { logLine } from '../logger'
import type { SecretSource } from './secretSource'

/** Wrong secret, expired secret: the codes a new secret can fix. */
const REFUSED_SECRET_CODES = [7000215, 7000222]

export function isRefusedSecret(e: unknown): boolean {
  return e instanceof AuthenticationError && (e.errorResponse?.errorCodes ?? []).some((c) => REFUSED_SECRET_CODES.includes(c))
}

export class SecretRotation {
  /** Bumped on every new value, so a caller knows whether someone already rotated. */
  generation = 0
  /** Set while the first value is being fetched. */
  pending: Promise<void> | undefined
  private value: string | undefined
  private reloading: Promise<boolean> | undefined

  constructor(
    private readonly label: string,
    private readonly source: SecretSource,
    private readonly apply: (secret: string) => void,
  ) {
    const first = source.current()
    if (typeof first === 'string') {
      this.value = first
    } else {
      this.pending = first.then(
        (v) => {
          this.set(v)
          this.pending = undefined
        },
        (e: unknown) => {
          throw new Error(`${label}: the client secret source '${source.id}' failed: ${e instanceof Error ? e.message : String(e)}`)
        },
      )
      this.pending.catch(() => undefined) // reported to the first getToken, not as unhandled
    }
    source.onChange?.((v) => {
      if (v !== this.value && v !== '') {
        logLine('info', `${label}: secret source '${source.id}' has a new value; using it from now on`)
        this.set(v)
      }
    })
  }

  /** The first value, for building the engine (a placeholder while it is still being fetched). */
  initial(): string {
    return this.value ?? 'azid-pending-secret-source'
  }

  /** Re-reads the source once for all concurrent callers; a new value bumps `generation`. */
  reload(): Promise<boolean> {
    this.reloading ??= (async () => {
      try {
        logLine('warning', `${this.label}: the identity provider refused the client secret; reloading it from '${this.source.id}'`)
        const v = await this.source.reload()
        if (v === this.value || v === '') return false
        this.set(v)
        return true
      } finally {
        this.reloading = undefined
      }
    })()
    return this.reloading
  }

  private set(v: string): void {
    this.apply(v)
    this.value = v
    this.generation += 1
  }
}
