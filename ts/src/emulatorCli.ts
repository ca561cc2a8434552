#!/usr/bin/env node
/** `azid-emulator`: runs the emulator until interrupted and prints how to point clients at it. */
import { Emulator } from './emulator'

async function main(): Promise<void> {
  const port = (flag: string): number | undefined => {
    const i = process.argv.indexOf(flag)
    return i > 0 ? Number(process.argv[i + 1]) : undefined
  }
  const emulator = await Emulator.start({ tokenPort: port('--token-port'), imdsPort: port('--imds-port') })
  process.stdout.write(`azid emulator running. Point clients at it with:\n`)
  for (const [k, v] of Object.entries(emulator.env())) process.stdout.write(`  export ${k}=${v}\n`)
  const stop = (): void => {
    void emulator.stop().then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  setInterval(() => undefined, 1 << 30)
}

main().catch((e: unknown) => {
  process.stderr.write(`azid-emulator: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})
