// Sets managed identity variables for one test and restores what was there before.
const NAMES = ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'IDENTITY_SERVER_THUMBPRINT', 'IMDS_ENDPOINT', 'MSI_ENDPOINT', 'MSI_SECRET', 'DEFAULT_IDENTITY_CLIENT_ID']

export async function withEnv(vars, fn) {
  const saved = Object.fromEntries(NAMES.map((n) => [n, process.env[n]]))
  for (const n of NAMES) delete process.env[n]
  Object.assign(process.env, vars)
  try {
    return await fn()
  } finally {
    for (const n of NAMES) {
      if (saved[n] === undefined) delete process.env[n]
      else process.env[n] = saved[n]
    }
  }
}

/** The variables each source reads, pointed at the emulator. */
export const sourceEnv = {
  appService: (emu) => ({ IDENTITY_ENDPOINT: emu.appServiceEndpoint, IDENTITY_HEADER: emu.identityHeader }),
  azureArc: (emu) => ({ IDENTITY_ENDPOINT: emu.arcEndpoint, IMDS_ENDPOINT: emu.imdsEndpoint }),
  serviceFabric: (emu, thumbprint = emu.serviceFabricThumbprint) => ({
    IDENTITY_ENDPOINT: emu.serviceFabricEndpoint,
    IDENTITY_HEADER: emu.identityHeader,
    IDENTITY_SERVER_THUMBPRINT: thumbprint,
  }),
  cloudShell: (emu) => ({ MSI_ENDPOINT: emu.cloudShellEndpoint }),
  azureMl: (emu) => ({ MSI_ENDPOINT: emu.azureMlEndpoint, MSI_SECRET: emu.msiSecret, DEFAULT_IDENTITY_CLIENT_ID: emu.defaults.systemAssignedClientId }),
}
