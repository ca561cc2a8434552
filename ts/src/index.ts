/**
 * azid: Microsoft Entra ID tokens for Node.js services. Credential classes with the
 * names, options and errors of `@azure/identity`, backed by a Rust engine.
 */
export { ClientSecretCredential } from './credentials/clientSecretCredential'
export type { ClientSecretCredentialOptions } from './credentials/clientSecretCredential'
export { ManagedIdentityCredential } from './credentials/managedIdentityCredential'
export type {
  ManagedIdentityCredentialClientIdOptions,
  ManagedIdentityCredentialObjectIdOptions,
  ManagedIdentityCredentialOptions,
  ManagedIdentityCredentialResourceIdOptions,
} from './credentials/managedIdentityCredential'
export { ChainedTokenCredential } from './credentials/chainedTokenCredential'
export { DefaultAzureCredential } from './credentials/defaultAzureCredential'
export type { DefaultAzureCredentialOptions } from './credentials/defaultAzureCredentialOptions'
export { EnvironmentCredential } from './credentials/environmentCredential'
export type { EnvironmentCredentialOptions } from './credentials/environmentCredential'
export { AzureCliCredential } from './credentials/azureCliCredential'
export type { AzureCliCredentialOptions } from './credentials/azureCliCredential'
export { AzureDeveloperCliCredential } from './credentials/azureDeveloperCliCredential'
export type { AzureDeveloperCliCredentialOptions } from './credentials/azureDeveloperCliCredential'
export { AzurePowerShellCredential } from './credentials/azurePowerShellCredential'
export type { AzurePowerShellCredentialOptions } from './credentials/azurePowerShellCredential'
export {
  AbortError,
  AggregateAuthenticationError,
  AggregateAuthenticationErrorName,
  AuthenticationError,
  AuthenticationErrorName,
  AuthenticationRequiredError,
  AuthenticationRequiredErrorName,
  CredentialUnavailableError,
  CredentialUnavailableErrorName,
  DeveloperToolError,
  DeveloperToolErrorName,
  TransientAuthenticationError,
  TransientAuthenticationErrorName,
} from './errors'
export type { ErrorResponse } from './errors'
export { AzureLogger, getLogLevel, setLogLevel } from './logger'
export type { AzureLogLevel } from './logger'
export { getBearerTokenProvider } from './tokenProvider'
export type { FileTokenCacheOptions, RedisTokenCacheOptions, TokenCacheOptions } from './tokenCache'
export { liveEngineCount, nativeLogSinkCount } from './diagnostics'
export type { GetBearerTokenProviderOptions } from './tokenProvider'
export { AzureAuthorityHosts } from './util/authorityHost'
export type {
  AbortSignalLike,
  AccessToken,
  GetTokenOptions,
  MultiTenantTokenCredentialOptions,
  RetryOptions,
  TokenCredential,
  TokenCredentialOptions,
} from './tokenCredential'
export { Emulator } from './emulator'
export type { EmulatorApp, EmulatorDefaults, EmulatorFault, EmulatorIdentity, EmulatorOptions, EmulatorRoute } from './emulator'
export { ConfidentialClientApplication } from './msal/confidentialClientApplication'
export type { ClientCredentialRequest, ConfidentialClientConfiguration } from './msal/confidentialClientApplication'
export { ManagedIdentityApplication } from './msal/managedIdentityApplication'
export type { ManagedIdentityConfiguration, ManagedIdentityRequestParams } from './msal/managedIdentityApplication'
export type { AuthenticationResult } from './msal/authenticationResult'
export { AuthError, ClientAuthError, ClientConfigurationError, ServerError } from './msal/errors'
export { LogLevel } from './msal/logging'
export type { LoggerOptions, SystemOptions } from './msal/logging'
