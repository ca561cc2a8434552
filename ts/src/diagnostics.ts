/** Process-wide counters for leak checks (worker threads come and go; engines must not stay). */
import native from './native'

/** Engines alive in this process: one per credential configuration in use, across all threads. */
export function liveEngineCount(): number {
  return native.liveEngineCount()
}

/** Engine log sinks registered in this process: one per thread that listens to azid's logs. */
export function nativeLogSinkCount(): number {
  return native.nativeLogSinkCount()
}
