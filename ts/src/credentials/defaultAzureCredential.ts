/**
 * The usual credential chain: environment variables, workload identity, managed
 * identity, then the developer tools. `AZURE_TOKEN_CREDENTIALS` (`prod`, `dev` or one
 * class name) and the `exclude…` options narrow it. As a ChainedTokenCredential it
 * remembers the credential that worked.
 */
import { logLine } from '../logger'
import type { TokenCredential } from '../tokenCredential'
import { ChainedTokenCredential } from './chainedTokenCredential'
import { defaultCredentialFactories } from './defaultAzureCredentialFactories'
import type { CredentialFactory } from './defaultAzureCredentialFactories'
import type { DefaultAzureCredentialOptions } from './defaultAzureCredentialOptions'
import { UnavailableCredential } from './unavailableCredential'

type Env = Record<string, string | undefined>

function checkRequiredEnvVars(required: string | string[] | undefined, env: Env): void {
  const names = required === undefined ? [] : Array.isArray(required) ? required : [required]
  const missing = names.filter((n) => (env[n] ?? '').trim() === '')
  if (missing.length > 0) {
    throw new Error(`DefaultAzureCredential: required environment variable(s) not set or empty: ${missing.join(', ')}. Set them, or remove them from requiredEnvVars.`)
  }
}

/** The factories `AZURE_TOKEN_CREDENTIALS` selects; throws on an unknown value. */
function selectFactories(value: string | undefined, factories: readonly CredentialFactory[]): { selected?: string; list: readonly CredentialFactory[] } {
  const selected = value?.trim().toLowerCase()
  if (!selected) return { list: factories }
  if (selected === 'prod' || selected === 'dev') return { selected, list: factories.filter((f) => f.group === selected) }
  const one = factories.find((f) => f.name.toLowerCase() === selected)
  if (!one) {
    const valid = ['prod', 'dev', ...factories.map((f) => f.name)]
    throw new Error(`Invalid value for AZURE_TOKEN_CREDENTIALS = '${value}'. Valid values (case-insensitive): ${valid.join(', ')}.`)
  }
  return { selected, list: [one] }
}

function build(options: DefaultAzureCredentialOptions, env: Env): TokenCredential[] {
  checkRequiredEnvVars(options.requiredEnvVars, env)
  const { selected, list } = selectFactories(env.AZURE_TOKEN_CREDENTIALS, defaultCredentialFactories)
  const kept = list.filter((f) => options[f.excludedBy] !== true)
  if (kept.length === 0) {
    throw new Error(
      `DefaultAzureCredential: no credential left to try (AZURE_TOKEN_CREDENTIALS='${env.AZURE_TOKEN_CREDENTIALS ?? ''}' and the exclude… options remove them all).`,
    )
  }
  return kept.map((f) => {
    try {
      return f.create(options, env, selected)
    } catch (e) {
      // A bad setting for one credential must not break the others: it reports why when tried.
      const why = e instanceof Error ? e.message : String(e)
      logLine('warning', `DefaultAzureCredential: ${f.name} could not be created: ${why}`)
      return new UnavailableCredential(f.name, `it could not be created: ${why}`)
    }
  })
}

export class DefaultAzureCredential extends ChainedTokenCredential {
  constructor(options: DefaultAzureCredentialOptions = {}) {
    super(...build(options, process.env))
  }

  protected override get chainName(): string {
    return 'DefaultAzureCredential'
  }
}
