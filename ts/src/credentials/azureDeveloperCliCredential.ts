/** Tokens of the user signed in to the Azure Developer CLI (`azd auth login`). */
import native from '../native'
import { createNative } from './nativeBackedCredential'
import { DeveloperCliCredential, nativeCliOptions } from './developerCliCredential'
import type { DeveloperCliCredentialOptions } from './developerCliCredential'

export type AzureDeveloperCliCredentialOptions = DeveloperCliCredentialOptions

export class AzureDeveloperCliCredential extends DeveloperCliCredential {
  constructor(options: AzureDeveloperCliCredentialOptions = {}) {
    super('AzureDeveloperCliCredential', createNative(() => native.NativeCredential.azureDeveloperCli(nativeCliOptions(options))), options)
  }
}
