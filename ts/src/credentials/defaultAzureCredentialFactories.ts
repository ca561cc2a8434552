/**
 * The credentials of DefaultAzureCredential, in order, each a named factory. Adding a
 * credential (e.g. WorkloadIdentityCredential at merge) means editing one entry here.
 *
 * Not included, unlike `@azure/identity`: VisualStudioCodeCredential and BrokerCredential
 * (both interactive user sign-in, out of scope for a service-to-service library).
 */
import type { TokenCredential } from '../tokenCredential'
import { AzureCliCredential } from './azureCliCredential'
import { AzureDeveloperCliCredential } from './azureDeveloperCliCredential'
import { AzurePowerShellCredential } from './azurePowerShellCredential'
import { WorkloadIdentityCredential } from './workloadIdentityCredential'
import type { DefaultAzureCredentialOptions } from './defaultAzureCredentialOptions'
import { EnvironmentCredential } from './environmentCredential'
import { ManagedIdentityCredential } from './managedIdentityCredential'
import { detectManagedIdentitySource, imdsEndpoint } from './managedIdentitySource'
import { ProbedManagedIdentityCredential } from './probedManagedIdentityCredential'

type Env = Record<string, string | undefined>

export interface CredentialFactory {
  /** The class name; also a valid `AZURE_TOKEN_CREDENTIALS` value. */
  name: string
  /** `AZURE_TOKEN_CREDENTIALS=prod` keeps the `prod` ones, `dev` the `dev` ones. */
  group: 'prod' | 'dev'
  /** The option that leaves it out. */
  excludedBy: keyof DefaultAzureCredentialOptions
  create(options: DefaultAzureCredentialOptions, env: Env, selected: string | undefined): TokenCredential
}

/** As `@azure/identity` inside DAC: more retries for managed identity. */
const MI_RETRY = { maxRetries: 5, retryDelayInMs: 800 }

/**
 * Whether DAC probes IMDS before using managed identity: only for IMDS at its usual
 * address, and not when the user asked for managed identity alone (then they want its
 * real error, not a fast "not here").
 */
export function shouldProbeImds(env: Env, selected: string | undefined): boolean {
  return detectManagedIdentitySource(env) === 'imds' && !(env.AZURE_POD_IDENTITY_AUTHORITY_HOST ?? '').trim() && selected !== 'managedidentitycredential'
}

function managedIdentity(options: DefaultAzureCredentialOptions, env: Env, selected: string | undefined): TokenCredential {
  const clientId = options.managedIdentityClientId ?? env.AZURE_CLIENT_ID
  const common = { retryOptions: MI_RETRY, authorityHost: options.authorityHost, tokenCache: options.tokenCache }
  const mi = options.managedIdentityResourceId
    ? new ManagedIdentityCredential({ ...common, resourceId: options.managedIdentityResourceId })
    : new ManagedIdentityCredential({ ...common, clientId: clientId || undefined })
  return shouldProbeImds(env, selected) ? new ProbedManagedIdentityCredential(mi, imdsEndpoint(env)) : mi
}

function cliOptions(options: DefaultAzureCredentialOptions) {
  return {
    tenantId: options.tenantId,
    additionallyAllowedTenants: options.additionallyAllowedTenants,
    processTimeoutInMs: options.processTimeoutInMs,
    tokenCache: options.tokenCache,
  }
}

// @azure/identity 4.14's order (VisualStudioCode and Broker are not in azid): Environment,
// WorkloadIdentity, ManagedIdentity, AzureCli, AzurePowerShell, AzureDeveloperCli.
export const defaultCredentialFactories: readonly CredentialFactory[] = [
  {
    name: 'EnvironmentCredential',
    group: 'prod',
    excludedBy: 'excludeEnvironmentCredential',
    create: (o) =>
      new EnvironmentCredential({
        authorityHost: o.authorityHost,
        additionallyAllowedTenants: o.additionallyAllowedTenants,
        retryOptions: o.retryOptions,
        requestTimeoutInMs: o.requestTimeoutInMs,
        disableInstanceDiscovery: o.disableInstanceDiscovery,
        tokenCache: o.tokenCache,
      }),
  },
  {
    name: 'WorkloadIdentityCredential',
    group: 'prod',
    excludedBy: 'excludeWorkloadIdentityCredential',
    create: (o) =>
      new WorkloadIdentityCredential({
        clientId: o.workloadIdentityClientId ?? o.managedIdentityClientId ?? process.env.AZURE_CLIENT_ID,
        tenantId: o.tenantId,
        authorityHost: o.authorityHost,
        additionallyAllowedTenants: o.additionallyAllowedTenants,
        retryOptions: o.retryOptions,
        tokenCache: o.tokenCache,
      }),
  },
  {
    name: 'ManagedIdentityCredential',
    group: 'prod',
    excludedBy: 'excludeManagedIdentityCredential',
    create: managedIdentity,
  },
  {
    name: 'AzureCliCredential',
    group: 'dev',
    excludedBy: 'excludeAzureCliCredential',
    create: (o) => new AzureCliCredential(cliOptions(o)),
  },
  {
    name: 'AzurePowerShellCredential',
    group: 'dev',
    excludedBy: 'excludeAzurePowerShellCredential',
    create: (o) => new AzurePowerShellCredential(cliOptions(o)),
  },
  {
    name: 'AzureDeveloperCliCredential',
    group: 'dev',
    excludedBy: 'excludeAzureDeveloperCliCredential',
    create: (o) => new AzureDeveloperCliCredential(cliOptions(o)),
  },
]
