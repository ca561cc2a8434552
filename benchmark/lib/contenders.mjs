// The contenders, each behind the same small interface so the timing loop is identical:
//   keyFor(i)  -> the argument one call takes for distinct scope/resource number i (built once, up front)
//   call(key)  -> Promise of the library's own result for that key (the awaited call we time)
//   check(r)   -> true when r carries a token (used to verify herd and fill results)
// Each child process loads exactly one contender, so the JIT never sees the others' shapes.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

export const LIBRARIES = ['floor', 'azid', 'identity', 'msal']
export const KINDS = ['client-secret', 'managed-identity']

export const LABELS = {
  floor: 'floor (Map + async fn)',
  azid: 'azid',
  identity: '@azure/identity',
  msal: '@azure/msal-node',
}

/** Resource number i; the scope is `${resource(i)}/.default`. */
export const resource = (i) => `api://bench-resource-${i}`
export const scope = (i) => `${resource(i)}/.default`

/** The same result shape as an AccessToken from a credential. */
function fakeToken(i) {
  const now = Date.now()
  return Object.freeze({
    token: `eyJ0eXAiOiJKV1QifQ.bench-${i}.sig`,
    expiresOnTimestamp: now + 3_600_000,
    refreshAfterTimestamp: now + 1_800_000,
    tokenType: 'Bearer',
  })
}

/** Reads what the parent put in the environment about the emulator. */
export function emulatorFromEnv(env = process.env) {
  const need = (k) => {
    const v = env[k]
    if (!v) throw new Error(`missing ${k} (run benchmark/run.mjs, not this file)`)
    return v
  }
  return {
    authorityHost: need('BENCH_AUTHORITY_HOST'),
    imdsEndpoint: need('BENCH_IMDS_ENDPOINT'),
    tenantId: need('BENCH_TENANT_ID'),
    clientId: need('BENCH_CLIENT_ID'),
    clientSecret: need('BENCH_CLIENT_SECRET'),
  }
}

/** Builds a fresh contender (a fresh credential or app, so an empty cache). */
export async function makeContender(lib, kind, emu) {
  const cs = kind === 'client-secret'
  if (!KINDS.includes(kind)) throw new Error(`unknown kind ${kind}`)
  if (lib === 'floor') {
    // The floor: one Map lookup behind an awaited async function, same result shape.
    const m = new Map()
    async function floor(k) {
      return m.get(k)
    }
    return {
      keyFor: scope,
      call: floor,
      // "Filling" the floor is inserting the object a credential would have returned.
      fill: async (k, i) => {
        m.set(k, fakeToken(i))
        return m.get(k)
      },
      check: (r) => typeof r?.token === 'string',
    }
  }
  if (lib === 'azid') {
    const azid = require('../../dist/index.js')
    const want = process.env.NAPI_RS_NATIVE_LIBRARY_PATH
    if (want && !require.cache[want]) throw new Error(`azid did not load the benchmark's addon snapshot ${want}`)
    const cred = cs
      ? new azid.ClientSecretCredential(emu.tenantId, emu.clientId, emu.clientSecret, { authorityHost: emu.authorityHost })
      : new azid.ManagedIdentityCredential()
    return {
      keyFor: scope,
      call: (k) => cred.getToken(k),
      check: (r) => typeof r?.token === 'string' && r.token.length > 0,
    }
  }
  if (lib === 'identity') {
    const identity = require('@azure/identity')
    const cred = cs
      ? new identity.ClientSecretCredential(emu.tenantId, emu.clientId, emu.clientSecret, {
          authorityHost: emu.authorityHost,
          disableInstanceDiscovery: true,
        })
      : new identity.ManagedIdentityCredential()
    return {
      keyFor: scope,
      call: (k) => cred.getToken(k),
      check: (r) => typeof r?.token === 'string' && r.token.length > 0,
    }
  }
  if (lib === 'msal') {
    const msal = require('@azure/msal-node')
    if (cs) {
      const app = new msal.ConfidentialClientApplication({
        auth: {
          clientId: emu.clientId,
          clientSecret: emu.clientSecret,
          authority: `${emu.authorityHost}/${emu.tenantId}`,
          knownAuthorities: [new URL(emu.authorityHost).host],
        },
      })
      return {
        keyFor: (i) => ({ scopes: [scope(i)] }),
        call: (req) => app.acquireTokenByClientCredential(req),
        check: (r) => typeof r?.accessToken === 'string' && r.accessToken.length > 0,
      }
    }
    const app = new msal.ManagedIdentityApplication({ system: { loggerOptions: { piiLoggingEnabled: false } } })
    return {
      keyFor: (i) => ({ resource: resource(i) }),
      call: (req) => app.acquireToken(req),
      check: (r) => typeof r?.accessToken === 'string' && r.accessToken.length > 0,
    }
  }
  throw new Error(`unknown library ${lib}`)
}

export function libraryVersions() {
  const v = (name) => {
    try {
      return require(`${name}/package.json`).version
    } catch {
      return 'unknown'
    }
  }
  return {
    azid: require('../../package.json').version,
    '@azure/identity': v('@azure/identity'),
    '@azure/msal-node': v('@azure/msal-node'),
  }
}
