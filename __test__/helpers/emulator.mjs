// One emulator per test file, with this process's credentials pointed at it.
import './env.mjs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
export const azid = require('../../dist/index.js')

export async function startEmulator(options) {
  const emu = await azid.Emulator.start(options)
  process.env.NODE_EXTRA_CA_CERTS = emu.caFile
  process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = emu.imdsEndpoint
  return emu
}

let counter = 0
/** A scope no other test uses, so engines shared process-wide do not leak state between tests. */
export function uniqueScope(tag = 'res') {
  counter += 1
  return `api://azid-test-${tag}-${process.pid}-${counter}-${Date.now()}/.default`
}

/** A client secret credential on the emulator's default app. */
export function secretCredential(emu, options = {}, secret = emu.defaults.clientSecret) {
  return new azid.ClientSecretCredential(emu.defaults.tenantId, emu.defaults.clientId, secret, {
    authorityHost: emu.authorityHost,
    retryOptions: { retryDelayInMs: 20, maxRetryDelayInMs: 100 },
    ...options,
  })
}

export function claimsOf(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'))
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
