/** Lets one caller stop waiting without cancelling the shared request for the others. */
import { AbortError } from '../errors'
import type { AbortSignalLike } from '../tokenCredential'

export function raceAbort<T>(promise: Promise<T>, signal: AbortSignalLike | undefined): Promise<T> {
  if (!signal) return promise
  if (signal.aborted) {
    promise.catch(() => undefined) // the request goes on for others; its failure is theirs to see
    return Promise.reject(new AbortError())
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortError())
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(e)
      },
    )
  })
}
