/**
 * ManagedIdentityCredential in an AKS workload identity pod: `@azure/identity` builds a new
 * WorkloadIdentityCredential on every getToken (one token request per call). azid builds
 * the same engine WorkloadIdentityCredential would, so both share one cache and one file reader.
 */
import native from '../native'
import type { TokenCredentialOptions } from '../tokenCredential'
import { createNative } from './nativeBackedCredential'
import { entraNativeOptions } from './entraCredential'

type NativeCredential = InstanceType<typeof native.NativeCredential>

/** The workload identity engine when `clientId || AZURE_CLIENT_ID`, `AZURE_TENANT_ID` and `AZURE_FEDERATED_TOKEN_FILE` are all set. */
export function aksWorkloadEngine(clientId: string | undefined, options: TokenCredentialOptions, env = process.env): NativeCredential | undefined {
  const id = clientId || env.AZURE_CLIENT_ID
  const tenantId = env.AZURE_TENANT_ID
  const tokenFilePath = env.AZURE_FEDERATED_TOKEN_FILE
  if (!id || !tenantId || !tokenFilePath) return undefined
  const entra = entraNativeOptions(tenantId, id, { authorityHost: options.authorityHost, retryOptions: options.retryOptions, requestTimeoutInMs: options.requestTimeoutInMs })
  return createNative(() => native.NativeCredential.workloadIdentity({ entra, tokenFilePath }))
}
