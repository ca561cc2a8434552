/**
 * azid: Microsoft Entra ID tokens for Node.js services. Credential classes with the
 * names, options and errors of `@azure/identity`, backed by a Rust engine.
 */
export { ClientSecretCredential } from './credentials/clientSecretCredential'
export type { ClientSecretCredentialOptions } from './credentials/clientSecretCredential'
export { ClientCertificateCredential } from './credentials/clientCertificateCredential'
export type {
  ClientCertificateBytes,
  ClientCertificateConfiguration,
  ClientCertificateCredentialOptions,
  ClientCertificateCredentialPEMConfiguration,
  ClientCertificatePEMCertificate,
  ClientCertificatePEMCertificatePath,
  ClientCertificateSourceConfiguration,
} from './credentials/clientCertificateCredential'
export { ClientAssertionCredential } from './credentials/clientAssertionCredential'
export type { ClientAssertionCredentialOptions } from './credentials/clientAssertionCredential'
export { WorkloadIdentityCredential } from './credentials/workloadIdentityCredential'
export type { WorkloadIdentityCredentialOptions } from './credentials/workloadIdentityCredential'
export { AzurePipelinesCredential } from './credentials/azurePipelinesCredential'
export type { AzurePipelinesCredentialOptions } from './credentials/azurePipelinesCredential'
export { OnBehalfOfCredential } from './credentials/onBehalfOfCredential'
export type {
  OnBehalfOfCredentialCertificateOptions,
  OnBehalfOfCredentialOptions,
  OnBehalfOfCredentialSecretOptions,
} from './credentials/onBehalfOfCredential'
export type { EntraCredentialOptions } from './credentials/entraCredential'
export { fileSource, functionSource } from './credentials/secretSource'
export type { ClientSecretInput, SecretSource, SecretValue } from './credentials/secretSource'
export type { CertificateSourceInput } from './credentials/certificateSource'
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
  InvalidCertificateError,
  KeyVaultError,
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
export { SecretClient } from './keyvault/secretClient'
export type { GetSecretOptions, KeyVaultSecret, PagedAsyncIterableIterator, SecretClientOptions, SecretProperties } from './keyvault/models'
export { LiveSecrets } from './keyvault/liveSecrets'
export type { EventGridResult, LiveSecretsOptions, SecretRefreshErrorEvent, SecretRotationEvent } from './keyvault/liveSecrets'
export { LiveSecretsLoadError } from './keyvault/liveSecretsError'
export type { LoadFailure, LoadFailureReason } from './keyvault/liveSecretsError'
export { Emulator } from './emulator'
export type { EmulatorApp, EmulatorDefaults, EmulatorFault, EmulatorIdentity, EmulatorOptions, EmulatorRoute, EmulatorSecretOptions, EmulatorServiceConnection } from './emulator'
export { ConfidentialClientApplication } from './msal/confidentialClientApplication'
export type { ClientCertificate, ClientCredentialRequest, ConfidentialClientConfiguration, OnBehalfOfRequest } from './msal/confidentialClientApplication'
export { ManagedIdentityApplication } from './msal/managedIdentityApplication'
export type { ManagedIdentityConfiguration, ManagedIdentityRequestParams } from './msal/managedIdentityApplication'
export type { AuthenticationResult } from './msal/authenticationResult'
export { AuthError, ClientAuthError, ClientConfigurationError, ServerError } from './msal/errors'
export { LogLevel } from './msal/logging'
export type { LoggerOptions, SystemOptions } from './msal/logging'
