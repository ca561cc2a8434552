// Fake developer tools: small shell scripts named az, azd or pwsh in a temp folder that
// is put first on PATH. Each records its argv, working directory and (for pwsh) the
// variables it got, then prints what the test asked for.
import { chmodSync, mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ORIGINAL_PATH = process.env.PATH

/** A JWT-shaped fake token (the tests look for it, and for its pieces, in every output). */
export function fakeJwt(expSeconds, tag = 'cli') {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url')
  const sig = Buffer.from(`signature-${tag}-${Math.random()}-${Date.now()}`).toString('base64url')
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ exp: expSeconds, aud: 'fake', tag })}.${sig}`
}

const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`

/**
 * Writes `name` into a fresh folder and puts it first on PATH.
 * `behaviour`: { stdout?, stderr?, exitCode?, sleepSeconds? }.
 */
export function installFakeCli(name, behaviour) {
  const dir = mkdtempSync(join(tmpdir(), `azid-fake-${name}-`))
  const lines = [
    '#!/bin/sh',
    `printf '%s\\n' "$*" >> ${quote(join(dir, 'argv.log'))}`,
    `pwd >> ${quote(join(dir, 'cwd.log'))}`,
    `printf '%s|%s\\n' "$AZID_PWSH_RESOURCE" "$AZID_PWSH_TENANT" >> ${quote(join(dir, 'env.log'))}`,
  ]
  if (behaviour.sleepSeconds) lines.push(`exec sleep ${Number(behaviour.sleepSeconds)}`)
  if (behaviour.stdout !== undefined) lines.push(`printf '%s' ${quote(behaviour.stdout)}`)
  if (behaviour.stderr !== undefined) lines.push(`printf '%s' ${quote(behaviour.stderr)} >&2`)
  lines.push(`exit ${behaviour.exitCode ?? 0}`)
  const file = join(dir, name)
  writeFileSync(file, lines.join('\n') + '\n')
  chmodSync(file, 0o755)
  process.env.PATH = `${dir}:${ORIGINAL_PATH}`
  const read = (f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean) : [])
  return {
    dir,
    calls: () => read('argv.log'),
    cwds: () => read('cwd.log'),
    envs: () => read('env.log'),
  }
}

/** PATH with only an empty folder: no az, azd or pwsh anywhere. */
export function emptyPath() {
  process.env.PATH = mkdtempSync(join(tmpdir(), 'azid-empty-path-'))
}

export function restorePath() {
  process.env.PATH = ORIGINAL_PATH
}
