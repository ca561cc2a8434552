/** msal-node's `system.loggerOptions`, fed from the engine's log lines. */
import { addLogListener, type AzureLogLevel } from '../logger'

export enum LogLevel {
  Error = 0,
  Warning = 1,
  Info = 2,
  Verbose = 3,
  Trace = 4,
}

export interface LoggerOptions {
  loggerCallback?: (level: LogLevel, message: string, containsPii: boolean) => void
  logLevel?: LogLevel
  /** azid never logs personal data or secrets; accepted for compatibility. */
  piiLoggingEnabled?: boolean
}

export interface SystemOptions {
  loggerOptions?: LoggerOptions
}

const TO_AZURE: Record<LogLevel, AzureLogLevel> = {
  [LogLevel.Error]: 'error',
  [LogLevel.Warning]: 'warning',
  [LogLevel.Info]: 'info',
  [LogLevel.Verbose]: 'verbose',
  [LogLevel.Trace]: 'verbose',
}
const FROM_AZURE: Record<AzureLogLevel, LogLevel> = { error: LogLevel.Error, warning: LogLevel.Warning, info: LogLevel.Info, verbose: LogLevel.Verbose }

/** Connects a logger callback; its lines are shared by every app in the process. */
export function connectLogger(system: SystemOptions | undefined): void {
  const cb = system?.loggerOptions?.loggerCallback
  if (!cb) return
  addLogListener(TO_AZURE[system?.loggerOptions?.logLevel ?? LogLevel.Info], (l, line) => cb(FROM_AZURE[l], line, false))
}
