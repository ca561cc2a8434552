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
export { ManagedIdentityCredential } from './credentials/managedIdentityCredential'
export type {
  ManagedIdentityCredentialClientIdOptions,
  ManagedIdentityCredentialObjectIdOptions,
  ManagedIdentityCredentialOptions,
  ManagedIdentityCredentialResourceIdOptions,
} from './credentials/managedIdentityCredential'
export {
  AbortError,
  AggregateAuthenticationError,
  AggregateAuthenticationErrorName,
  AuthenticationError,
  AuthenticationErrorName,
  CredentialUnavailableError,
  CredentialUnavailableErrorName,
  TransientAuthenticationError,
  TransientAuthenticationErrorName,
} from './errors'
export type { ErrorResponse } from './errors'
export { AzureLogger, getLogLevel, setLogLevel } from './logger'
export type { AzureLogLevel } from './logger'
export { getBearerTokenProvider } from './tokenProvider'
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
export type { EmulatorApp, EmulatorDefaults, EmulatorFault, EmulatorIdentity, EmulatorOptions, EmulatorRoute, EmulatorServiceConnection } from './emulator'
