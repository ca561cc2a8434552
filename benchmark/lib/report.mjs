// Markdown tables from the JSON report written by run.mjs.
import { LABELS } from './contenders.mjs'

const KIND_TITLES = {
  'client-secret': 'client credentials (ClientSecretCredential / acquireTokenByClientCredential)',
  'managed-identity': 'managed identity, IMDS (ManagedIdentityCredential / ManagedIdentityApplication)',
}

const int = (n) => Math.round(n).toLocaleString('en-US')

function us(ns) {
  const v = ns / 1000
  if (v < 1) return v.toFixed(3)
  if (v < 100) return v.toFixed(2)
  return int(v)
}

function ratio(r) {
  if (r < 10) return `${r.toFixed(2)}×`
  if (r < 100) return `${r.toFixed(1)}×`
  return `${int(r)}×`
}

function seconds(ms) {
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`
}

function hitCell(res, size, floorNs) {
  if (!res) return 'not run'
  if (res.error) return 'error (see notes)'
  const cell = res.cells.find((c) => c.size === size)
  if (!cell) {
    const stop = res.cells.find((c) => c.status === 'over-budget')
    return stop ? 'stopped: over budget' : 'not run'
  }
  if (cell.status === 'over-budget' && cell.phase === 'fill') {
    return `stopped: over budget (filled ${int(cell.reached)} of ${int(size)} in ${seconds(cell.fillMs)})`
  }
  if (cell.status === 'over-budget' && cell.phase === 'projected') {
    return `stopped: over budget (fill ≥ ${seconds(cell.projectedMs)}: ${int(cell.inserts)} inserts × ≥ ${us(cell.lastNs)} µs)`
  }
  const r = floorNs ? ` (${ratio(cell.nsPerCall / floorNs)})` : ''
  const flag = cell.status === 'over-budget' ? ' †' : ''
  const leak = cell.upstreamWhileTiming > 0 ? ` ‡${cell.upstreamWhileTiming}` : ''
  return `${us(cell.nsPerCall)}${r}${flag}${leak}`
}

function hitsTable(report, kind) {
  const res = report.results.hits[kind] ?? {}
  const libs = Object.keys(res)
  const lines = []
  lines.push(`| cached ${kind === 'client-secret' ? 'scopes' : 'resources'} | ${libs.map((l) => `${LABELS[l]} µs/call (× floor)`).join(' | ')} |`)
  lines.push(`|---:|${libs.map(() => '---:').join('|')}|`)
  for (const size of report.settings.sizes) {
    const floorCell = res.floor?.cells?.find((c) => c.size === size && c.status === 'ok')
    const floorNs = floorCell?.nsPerCall
    lines.push(`| ${int(size)} | ${libs.map((l) => hitCell(res[l], size, floorNs)).join(' | ')} |`)
  }
  const fills = []
  for (const l of libs) {
    const cells = res[l]?.cells ?? []
    const done = cells.filter((c) => c.status === 'ok' || c.phase === 'measure')
    if (l === 'floor' || done.length === 0) continue
    const last = done[done.length - 1]
    const fillMs = done.reduce((a, c) => a + c.fillMs, 0)
    const up = done.reduce((a, c) => a + (c.fillUpstream ?? 0), 0)
    fills.push(`${LABELS[l]} ${int(last.size)} in ${seconds(fillMs)} (${int(up)} upstream requests)`)
  }
  if (fills.length) lines.push('', `Fill (cumulative, up to the largest measured size): ${fills.join('; ')}.`)
  return lines.join('\n')
}

function herdTable(report, kind) {
  const res = report.results.herd[kind] ?? {}
  const lines = []
  lines.push('| library | token | openid | instance_discovery | imds | total upstream | wall (ms) | calls ok |')
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|')
  for (const [lib, r] of Object.entries(res)) {
    if (r.error && !r.upstream) {
      lines.push(`| ${LABELS[lib]} | error (see notes) | | | | | | |`)
      continue
    }
    const u = r.upstream ?? {}
    const total = (u.token ?? 0) + (u.openid ?? 0) + (u.instance_discovery ?? 0) + (u.imds ?? 0)
    const wall = r.wallMs !== undefined ? r.wallMs.toFixed(1) : 'n/a'
    const ok = r.ok !== undefined ? `${int(r.ok)} / ${int(r.calls)}` : 'error'
    lines.push(`| ${LABELS[lib]} | ${int(u.token ?? 0)} | ${int(u.openid ?? 0)} | ${int(u.instance_discovery ?? 0)} | ${int(u.imds ?? 0)} | ${int(total)} | ${wall} | ${ok} |`)
  }
  return lines.join('\n')
}

function notes(report) {
  const out = []
  for (const section of ['hits', 'herd']) {
    for (const [kind, byLib] of Object.entries(report.results[section])) {
      for (const [lib, r] of Object.entries(byLib)) {
        if (r.error) out.push(`- ${section} ${kind} ${LABELS[lib]}: ${r.error.split('\n')[0]}`)
        if (r.firstError) out.push(`- ${section} ${kind} ${LABELS[lib]}: ${r.failed} calls failed; first error: ${r.firstError}`)
      }
    }
  }
  return out
}

export function renderMarkdown(report) {
  const s = report.settings
  const v = report.versions
  const parts = []
  parts.push('# azid benchmark')
  parts.push(
    [
      `- Date: ${report.date}`,
      `- Machine: ${report.machine.cpu}, ${report.machine.cores} cores, ${report.machine.memGiB} GiB, ${report.machine.platform}`,
      `- Node ${report.node}; azid ${v.azid}, @azure/identity ${v['@azure/identity']}, @azure/msal-node ${v['@azure/msal-node']}`,
      `- azid addon: ${report.addon ? `${report.addon.source} (${report.addon.kind} build, ${(report.addon.bytes / 2 ** 20).toFixed(1)} MiB, sha256 ${report.addon.sha256}…)` : 'unknown'}`,
      `- Emulator: in-process azid emulator on 127.0.0.1 (HTTPS token endpoint, HTTP IMDS)${s.imdsForwarder ? '; every managed identity contender reaches IMDS through a loopback forwarder that drops the trailing slash msal-node adds to the IMDS path' : ''}`,
      `- Hit timing: awaited calls in a loop over the cached keys (rotating index), warm-up ${s.warmupMs} ms, median of ${s.batches} batches of ~${s.batchMs} ms; one contender per process. Budget ${s.budgetS} s per cache size for fill + timing (${(s.exempt ?? []).join(' and ')}: exempt, ${s.capS ?? '-'} s safety cap).`,
      `- Run time: ${report.durationS} s${s.quick ? ' (quick mode)' : ''}`,
    ].join('\n'),
  )
  let n = 1
  for (const kind of Object.keys(report.results.hits)) {
    parts.push(`## ${n++}. Cache-hit cost, ${KIND_TITLES[kind]}\n\n${hitsTable(report, kind)}`)
    if (report.results.herd[kind] && Object.keys(report.results.herd[kind]).length) {
      parts.push(`## ${n++}. ${int(s.herd)} concurrent cold calls, ${KIND_TITLES[kind]}\n\nOne fresh credential per library, in a fresh process, \`Promise.all\` of ${int(s.herd)} calls for the same ${kind === 'client-secret' ? 'scope' : 'resource'}; upstream requests counted at the emulator.\n\n${herdTable(report, kind)}`)
    }
  }
  parts.push(
    [
      'Legend: µs per awaited call (median batch); (× floor) = that cost divided by the floor at the same size. ' +
        '"stopped: over budget" = filling or timing that size took longer than the budget, so larger sizes were not run. ' +
        '† = finished but over budget. ‡N = N upstream requests happened while timing (so not all calls were cache hits).',
    ].join('\n'),
  )
  const ns = notes(report)
  if (ns.length) parts.push(`Notes:\n\n${ns.join('\n')}`)
  return parts.join('\n\n') + '\n'
}
