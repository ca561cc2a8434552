/**
 * Where a rotating client secret comes from: a function, a file, or a Key Vault secret in
 * a live set. A credential reads it at start, and reloads it once when Entra ID refuses the
 * secret it sent (AADSTS7000215 wrong, 7000222 expired). `ClientCertificateCredential`
 * takes the same sources for its certificate (PEM text or PKCS#12 bytes).
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { randomUUID } from 'node:crypto'

/** A secret's value: text, or bytes (a PKCS#12 certificate). */
export type SecretValue = string | Uint8Array

export interface SecretSource<V extends SecretValue = string> {
  /** Where the secret lives (never the secret): credentials on one source share an engine. */
  readonly id: string
  /** The value if it is known without waiting; a Promise when it must be fetched first. */
  current(): V | Promise<V>
  /** Reads the value again, from its origin (the file, the function, the vault). */
  reload(): Promise<V>
  /** Calls back when the source learns of a new value by itself; returns the unsubscribe. */
  onChange?(listener: (value: V) => void): () => void
  /** The current value's media type, when the origin records one (Key Vault's `contentType`). */
  contentType?(): string | undefined
}

/** What `ClientSecretCredential` accepts as its secret. */
export type ClientSecretInput = string | (() => string | Promise<string>) | { clientSecretFile: string } | SecretSource

export function isSecretSource<V extends SecretValue = string>(v: unknown): v is SecretSource<V> {
  return typeof v === 'object' && v !== null && typeof (v as SecretSource<V>).reload === 'function' && typeof (v as SecretSource<V>).id === 'string'
}

/** A function called at start and again on each reload. */
export function functionSource<V extends SecretValue = string>(fn: () => V | Promise<V>): SecretSource<V> {
  return {
    id: `function:${randomUUID()}`,
    current: fn,
    reload: async () => fn(),
  }
}

/** Files are often written with a trailing newline (`echo`, Kubernetes secrets from literals). */
const clean = (text: string): string => text.replace(/\r?\n$/, '')

/** Stat pollers, one per path however many credentials read it; they never keep the process alive. */
const watchers = new Map<string, Set<(value: string) => void>>()

/** A file read at start, re-read when it changes on disk and when the secret is refused. */
export function fileSource(path: string): SecretSource {
  const file = resolve(path)
  const read = (): string => {
    try {
      return clean(readFileSync(file, 'utf8'))
    } catch (e) {
      throw new Error(`ClientSecretCredential: cannot read the client secret file '${file}' (${(e as NodeJS.ErrnoException).code ?? 'error'}); check the path and its permissions.`)
    }
  }
  return {
    id: `file:${file}`,
    current: read,
    reload: async () => {
      try {
        return clean(await readFile(file, 'utf8'))
      } catch (e) {
        throw new Error(`ClientSecretCredential: cannot re-read the client secret file '${file}' (${(e as NodeJS.ErrnoException).code ?? 'error'}).`)
      }
    },
    onChange(listener) {
      let set = watchers.get(file)
      if (!set) {
        const listeners = new Set<(value: string) => void>()
        watchers.set(file, listeners)
        watchFile(file, { persistent: false, interval: 1000 }, (now, before) => {
          if (now.mtimeMs === before.mtimeMs || now.size === 0) return
          readFile(file, 'utf8').then(
            (text) => listeners.forEach((l) => l(clean(text))),
            () => undefined, // a file mid-replacement; the next change or a refusal re-reads it
          )
        })
        set = listeners
      }
      set.add(listener)
      return () => {
        set.delete(listener)
        if (set.size === 0) {
          watchers.delete(file)
          unwatchFile(file)
        }
      }
    },
  }
}

/** Normalises the constructor's argument; a plain string is not a source. */
export function toSecretSource(input: Exclude<ClientSecretInput, string>): SecretSource {
  if (typeof input === 'function') return functionSource(input)
  if (isSecretSource(input)) return input
  if (typeof input === 'object' && input !== null && typeof (input as { clientSecretFile?: unknown }).clientSecretFile === 'string') {
    return fileSource((input as { clientSecretFile: string }).clientSecretFile)
  }
  throw new TypeError('ClientSecretCredential: clientSecret must be a string, a function returning the secret, { clientSecretFile: path }, or a SecretSource such as liveSecrets.source(name).')
}
