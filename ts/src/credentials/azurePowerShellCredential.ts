/** Tokens of the user signed in to Azure PowerShell (`Connect-AzAccount`), through `pwsh`. */
import native from '../native'
import { createNative } from './nativeBackedCredential'
import { DeveloperCliCredential, nativeCliOptions } from './developerCliCredential'
import type { DeveloperCliCredentialOptions } from './developerCliCredential'

export type AzurePowerShellCredentialOptions = DeveloperCliCredentialOptions

export class AzurePowerShellCredential extends DeveloperCliCredential {
  constructor(options: AzurePowerShellCredentialOptions = {}) {
    super('AzurePowerShellCredential', createNative(() => native.NativeCredential.azurePowerShell(nativeCliOptions(options))), options)
  }
}
