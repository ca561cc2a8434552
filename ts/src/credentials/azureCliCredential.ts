/** Tokens of the user signed in to the Azure CLI (`az login`). */
import native from '../native'
import { createNative } from './nativeBackedCredential'
import { DeveloperCliCredential, nativeCliOptions } from './developerCliCredential'
import type { DeveloperCliCredentialOptions } from './developerCliCredential'

export interface AzureCliCredentialOptions extends DeveloperCliCredentialOptions {
  /** The subscription (name or id) whose tenant the CLI uses. */
  subscription?: string
}

export class AzureCliCredential extends DeveloperCliCredential {
  constructor(options: AzureCliCredentialOptions = {}) {
    const engine = createNative(() =>
      native.NativeCredential.azureCli({
        ...nativeCliOptions(options),
        subscription: options.subscription || undefined,
        // For CLIs that print expiry only as local time without a zone.
        localOffsetMinutes: -new Date().getTimezoneOffset(),
      }),
    )
    super('AzureCliCredential', engine, options)
  }
}
