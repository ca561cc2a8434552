// Picks the native addon the benchmark loads and makes sure it is a release build.
// The addon is copied to a private temp folder and loaded from there (through the napi-rs
// loader's NAPI_RS_NATIVE_LIBRARY_PATH), so a rebuild during the run cannot swap it.
import { copyFileSync, existsSync, mkdtempSync, openSync, readSync, closeSync, readdirSync, statSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** Section names of an ELF64 little-endian file, or undefined for anything else. */
function elfSectionNames(file) {
  const fd = openSync(file, 'r')
  try {
    const read = (pos, len) => {
      const b = Buffer.alloc(len)
      readSync(fd, b, 0, len, pos)
      return b
    }
    const h = read(0, 64)
    if (h.readUInt32BE(0) !== 0x7f454c46 || h[4] !== 2 || h[5] !== 1) return undefined
    const shoff = Number(h.readBigUInt64LE(0x28))
    const shentsize = h.readUInt16LE(0x3a)
    const shnum = h.readUInt16LE(0x3c)
    const shstrndx = h.readUInt16LE(0x3e)
    const headers = read(shoff, shentsize * shnum)
    const strHdr = shstrndx * shentsize
    const strOff = Number(headers.readBigUInt64LE(strHdr + 0x18))
    const strSize = Number(headers.readBigUInt64LE(strHdr + 0x20))
    const strtab = read(strOff, strSize)
    const names = []
    for (let i = 0; i < shnum; i++) {
      const nameOff = headers.readUInt32LE(i * shentsize)
      names.push(strtab.toString('latin1', nameOff, strtab.indexOf(0, nameOff)))
    }
    return names
  } finally {
    closeSync(fd)
  }
}

/** 'release', 'debug' or 'unknown' (not ELF). Release builds here strip symbols and carry no DWARF. */
export function buildKind(file) {
  const names = elfSectionNames(file)
  if (!names) return 'unknown'
  return names.some((n) => n.startsWith('.debug_')) ? 'debug' : 'release'
}

/** Candidate addons: the one at the package root, then the newest release artifact under target/. */
function candidates(root) {
  const out = []
  for (const f of readdirSync(root)) if (/^azid\..*\.node$/.test(f)) out.push(path.join(root, f))
  const libNames = ['libazid.so', 'libazid.dylib', 'azid.dll']
  const dirs = [path.join(root, 'target', 'release')]
  const target = path.join(root, 'target')
  if (existsSync(target)) for (const d of readdirSync(target)) dirs.push(path.join(target, d, 'release'))
  const built = []
  for (const d of dirs) for (const n of libNames) if (existsSync(path.join(d, n))) built.push(path.join(d, n))
  built.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
  return [...out, ...built]
}

/**
 * Returns { source, path, kind, bytes, sha256 } for the snapshot to load, or throws when no
 * release build is found (unless allowDebug).
 */
export function prepareAddon(root, { explicit, allowDebug = false } = {}) {
  const list = explicit ? [path.resolve(explicit)] : candidates(root)
  const checked = list.map((f) => ({ f, kind: buildKind(f) }))
  const pick = checked.find((c) => c.kind === 'release') ?? checked.find((c) => c.kind === 'unknown') ?? (allowDebug ? checked[0] : undefined)
  if (!pick) {
    throw new Error(
      `no release build of the addon found (checked: ${checked.map((c) => `${c.f} [${c.kind}]`).join(', ') || 'nothing'}). ` +
        'Run `npm run build:release` first, or pass --addon=PATH (or --allow-debug).',
    )
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'azid-bench-'))
  const snapshot = path.join(dir, 'azid.node')
  copyFileSync(pick.f, snapshot)
  const bytes = readFileSync(snapshot)
  return {
    source: path.relative(root, pick.f) || pick.f,
    path: snapshot,
    dir,
    kind: pick.kind,
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex').slice(0, 16),
  }
}
