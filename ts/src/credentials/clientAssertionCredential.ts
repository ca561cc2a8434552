/**
 * App-only tokens with a client assertion from your own code (e.g. a federated token
 * from another identity provider). The engine calls `getAssertion` when it needs a token,
 * not on every getToken: cached tokens are served without it.
 */
import native from '../native'
import { createNative } from './nativeBackedCredential'
import { EntraCredential, entraNativeOptions } from './entraCredential'
import type { EntraCredentialOptions } from './entraCredential'

export interface ClientAssertionCredentialOptions extends EntraCredentialOptions {
  /** azid: how long `getAssertion` may take before the call fails (default 30 s). */
  getAssertionTimeoutInMs?: number
}

const NAME = 'ClientAssertionCredential'

export class ClientAssertionCredential extends EntraCredential {
  constructor(tenantId: string, clientId: string, getAssertion: () => Promise<string>, options: ClientAssertionCredentialOptions = {}) {
    if (!tenantId || !clientId || !getAssertion) {
      throw new Error(`${NAME}: tenantId, clientId, and clientAssertion are required parameters.`)
    }
    if (typeof getAssertion !== 'function') throw new TypeError(`${NAME}: getAssertion must be a function returning a Promise of the assertion.`)
    const entra = entraNativeOptions(tenantId, clientId, options)
    // Always a Promise, and a synchronous throw becomes a rejection the engine can report.
    const call = (): Promise<string> => Promise.resolve().then(getAssertion)
    const engine = createNative(() => native.NativeCredential.clientAssertion(entra, call, options.getAssertionTimeoutInMs))
    super(NAME, engine, tenantId, options)
  }
}
