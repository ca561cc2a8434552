// Test environment hygiene: no inherited Azure, managed identity or proxy settings may
// steer a test toward a real endpoint. Imported first by every spec.
const PREFIXES = ['AZURE_', 'IDENTITY_', 'MSI_', 'IMDS_']
const PROXIES = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'all_proxy', 'no_proxy']

export function cleanEnv(env = process.env) {
  for (const name of Object.keys(env)) {
    if (name === 'AZURE_LOG_LEVEL') continue // harmless, and the logging tests set it on purpose
    if (PREFIXES.some((p) => name.startsWith(p)) || PROXIES.includes(name) || name === 'NODE_EXTRA_CA_CERTS') delete env[name]
  }
  // Any managed identity lookup that is not pointed at the emulator goes to a closed
  // loopback port, never to 169.254.169.254.
  env.AZURE_POD_IDENTITY_AUTHORITY_HOST = 'http://127.0.0.1:9'
  // Likewise a credential left on the default authority fails locally, never reaching the cloud.
  env.AZURE_AUTHORITY_HOST = 'https://127.0.0.1:9'
  return env
}

cleanEnv()
