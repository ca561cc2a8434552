/**
 * Logging as Azure SDK users know it: `AZURE_LOG_LEVEL` (verbose, info, warning, error)
 * writes to stderr, `setLogLevel` changes it, and `AzureLogger.log` can be replaced to
 * receive the same lines. Engine lines arrive from Rust; none holds a token or secret.
 */
import native from './native'

export type AzureLogLevel = 'verbose' | 'info' | 'warning' | 'error'
const LEVELS: readonly AzureLogLevel[] = ['verbose', 'info', 'warning', 'error']

export interface AzureLoggerLike {
  /** Receives each formatted line; replace it to send lines elsewhere. */
  log: (...args: unknown[]) => void
}

export const AzureLogger: AzureLoggerLike = {
  log: (...args: unknown[]) => {
    process.stderr.write(args.map(String).join(' ') + '\n')
  },
}

let level: AzureLogLevel | undefined
let sinkId: number | undefined

/** Read on the getToken hot path: a plain property, cheaper than a call. */
export const logFlags = { verbose: false }

/** Whether lines of `l` are written now. */
export function isLogEnabled(l: AzureLogLevel): boolean {
  return level !== undefined && LEVELS.indexOf(l) >= LEVELS.indexOf(level)
}

export function getLogLevel(): AzureLogLevel | undefined {
  return level
}

/** Sets the level for azid's lines (undefined turns logging off). */
export function setLogLevel(l?: AzureLogLevel): void {
  if (l !== undefined && !LEVELS.includes(l)) {
    throw new Error(`Unknown log level '${String(l)}'. Acceptable values: ${LEVELS.join(', ')}`)
  }
  level = l
  logFlags.verbose = l === 'verbose'
  syncNative()
}

type Listener = { level: AzureLogLevel; fn: (level: AzureLogLevel, line: string) => void }
const listeners = new Set<Listener>()

/**
 * Receives lines at `minLevel` and above whatever `AZURE_LOG_LEVEL` says (for the
 * MSAL-style `loggerOptions`). Returns a function that removes the listener.
 */
export function addLogListener(minLevel: AzureLogLevel, fn: (level: AzureLogLevel, line: string) => void): () => void {
  const listener = { level: minLevel, fn }
  listeners.add(listener)
  syncNative()
  return () => {
    listeners.delete(listener)
    syncNative()
  }
}

const passes = (l: AzureLogLevel, min: AzureLogLevel): boolean => LEVELS.indexOf(l) >= LEVELS.indexOf(min)

/** The engine logs at the most verbose level anyone listens to, and only then. */
function syncNative(): void {
  let most: AzureLogLevel | undefined = level
  for (const x of listeners) if (most === undefined || LEVELS.indexOf(x.level) < LEVELS.indexOf(most)) most = x.level
  native.setNativeLogLevel(most ?? null)
  if (most !== undefined && sinkId === undefined) {
    sinkId = native.addNativeLogSink((lvl: string, line: string) => write(lvl as AzureLogLevel, line))
  } else if (most === undefined && sinkId !== undefined) {
    native.removeNativeLogSink(sinkId)
    sinkId = undefined
  }
}

function write(l: AzureLogLevel, line: string): void {
  if (isLogEnabled(l)) AzureLogger.log(`azure:identity:${l} ${line}`)
  for (const x of listeners) if (passes(l, x.level)) x.fn(l, line)
}

/** A line from the facade itself (the engine's lines come through the native sink). */
export function logLine(l: AzureLogLevel, line: string): void {
  write(l, line)
}

const fromEnv = process.env.AZURE_LOG_LEVEL?.trim().toLowerCase()
if (fromEnv) {
  if ((LEVELS as readonly string[]).includes(fromEnv)) setLogLevel(fromEnv as AzureLogLevel)
  else process.stderr.write(`azid: AZURE_LOG_LEVEL='${fromEnv}' is not one of ${LEVELS.join(', ')}; logging stays off\n`)
}
