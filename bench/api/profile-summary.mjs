// Aggregates V8 .cpuprofile files (from `node --cpu-prof`) by function and by area.
//   node bench/api/profile-summary.mjs FILE.cpuprofile [...] [--top 30]
// run.mjs --profile calls it for the dawri server it started.
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)'])

/** Where a frame's code lives: a package, a file of dawri, node itself, or a V8 bucket. */
function areaOf(frame) {
  const { functionName, url } = frame
  if (SPECIAL.has(functionName)) return functionName
  if (!url) return '(native / V8 builtins)'
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg) return `npm:${pkg[1]}`
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`
  const dist = /\/dist\/(.+)$/.exec(url)
  if (dist) return `dawri:${dist[1]}`
  return url
}

/**
 * Buckets that answer "where does one request's time go": the first rule whose test matches the
 * sample's stack (frames leaf first) names it.
 */
const BUCKETS = [
  ['SQLite: prepare statement (better-sqlite3 `prepare`, called by Kysely for every query)', (s) => s.some((f) => f.functionName === 'prepare' && f.url.includes('better-sqlite3'))],
  ['SQLite: execute statement (native run/all under Kysely `executeQuery`)', (s) => s[0].functionName === 'executeQuery' && s[0].url.includes('sqlite-driver')],
  ['PostgreSQL driver (pg: protocol, sockets, row parsing)', (s) => s.some((f) => /node_modules\/(pg|pg-protocol|pg-pool|pg-types)\//.test(f.url))],
  ['Auth: API key hash + merchant lookup (excluding the SQL execution above)', (s) => s.some((f) => f.functionName === 'findMerchantByApiKey' || f.functionName === 'authenticate')],
  ['Validation: parseExecutePaymentRequest', (s) => s.some((f) => f.functionName === 'parseExecutePaymentRequest')],
  ['Kysely: query building, compiling, transaction and connection plumbing', (s) => s.some((f) => f.url.includes('node_modules/kysely/'))],
  ['Garbage collector', (s) => s[0].functionName === '(garbage collector)'],
  ['Other dawri code (ids, URLs, envelope, JSON body parser)', (s) => s.some((f) => f.url.includes('/dist/'))],
  ['Fastify request/reply path (routing, hooks, serialisation, the socket writes it triggers)', (s) => s.some((f) => f.url.includes('node_modules/fastify/') || f.url.includes('node_modules/find-my-way/'))],
  ['Node HTTP parsing / sockets / streams (outside Fastify)', (s) => s.some((f) => /^node:(_http|net|internal\/stream|internal\/streams|internal\/http)/.test(f.url) || f.functionName === 'writev' || f.functionName === 'writeUtf8String')],
  ['Logger (pino)', (s) => s.some((f) => f.url.includes('node_modules/pino'))],
  ['Other (event loop, microtask queue, start-up)', () => true],
]

/** Self and inclusive time per function and per area, over all given profiles. */
export function summarizeProfiles(files) {
  const byFunction = new Map()
  const byArea = new Map()
  const byBucket = new Map(BUCKETS.map(([name]) => [name, 0]))
  let total = 0
  let idle = 0
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8'))
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
    const parent = new Map()
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
    const { samples, timeDeltas } = profile
    for (let i = 0; i < samples.length; i++) {
      // timeDeltas[i] is the time before sample i; attribute the gap after it to it.
      const dt = (timeDeltas[i + 1] ?? 0) / 1000
      const leaf = nodes.get(samples[i])
      if (leaf.callFrame.functionName === '(idle)') {
        idle += dt
        continue
      }
      total += dt
      const stack = []
      for (let id = samples[i]; id !== undefined; id = parent.get(id)) stack.push(nodes.get(id).callFrame)
      const bucket = BUCKETS.find(([, test]) => test(stack))[0]
      byBucket.set(bucket, byBucket.get(bucket) + dt)
      const seenFunctions = new Set()
      const seenAreas = new Set()
      let selfDone = false
      for (let id = samples[i]; id !== undefined; id = parent.get(id)) {
        const frame = nodes.get(id).callFrame
        if (frame.functionName === '(root)') break
        const key = `${frame.functionName || '(anonymous)'}\t${frame.url}\t${frame.lineNumber + 1}`
        const area = areaOf(frame)
        let f = byFunction.get(key)
        if (!f) byFunction.set(key, (f = { name: frame.functionName || '(anonymous)', url: frame.url, line: frame.lineNumber + 1, area, self: 0, total: 0 }))
        let a = byArea.get(area)
        if (!a) byArea.set(area, (a = { area, self: 0, total: 0 }))
        if (!selfDone) {
          f.self += dt
          a.self += dt
          selfDone = true
        }
        if (!seenFunctions.has(key)) {
          f.total += dt
          seenFunctions.add(key)
        }
        if (!seenAreas.has(area)) {
          a.total += dt
          seenAreas.add(area)
        }
      }
    }
  }
  return { total, idle, functions: [...byFunction.values()], areas: [...byArea.values()], buckets: [...byBucket.entries()] }
}

/** Markdown tables: areas by self time, top functions by self time, dawri functions by inclusive time. */
export function formatProfileSummary(summary, root = process.cwd(), top = 30) {
  const pct = (ms) => `${((ms / summary.total) * 100).toFixed(1)} %`
  const where = (f) => {
    if (!f.url) return ''
    const path = f.url.startsWith('file://') ? relative(root, fileURLToPath(f.url)) : f.url
    return `${path.replace(/^node_modules\//, '')}:${f.line}`
  }
  const out = [
    `Busy ${(summary.total / 1000).toFixed(1)} s, idle ${(summary.idle / 1000).toFixed(1)} s; percentages are of busy time.`,
    '',
    '| Where the time goes (first matching bucket per sample) | Share |',
    '|---|---:|',
    ...summary.buckets.filter(([, ms]) => ms > 0).sort((a, b) => b[1] - a[1]).map(([name, ms]) => `| ${name} | ${pct(ms)} |`),
    '',
    '| Area | Self | Inclusive |',
    '|---|---:|---:|',
    ...summary.areas
      .sort((a, b) => b.self - a.self)
      .slice(0, 20)
      .map((a) => `| ${a.area} | ${pct(a.self)} | ${pct(a.total)} |`),
    '',
    '| Function (top self time) | Where | Self | Inclusive |',
    '|---|---|---:|---:|',
    ...summary.functions
      .sort((a, b) => b.self - a.self)
      .slice(0, top)
      .map((f) => `| \`${f.name}\` | ${where(f)} | ${pct(f.self)} | ${pct(f.total)} |`),
    '',
    '| dawri function (inclusive time) | Where | Inclusive | Self |',
    '|---|---|---:|---:|',
    ...summary.functions
      .filter((f) => f.area.startsWith('dawri:'))
      .sort((a, b) => b.total - a.total)
      .slice(0, top)
      .map((f) => `| \`${f.name}\` | ${where(f)} | ${pct(f.total)} | ${pct(f.self)} |`),
  ]
  return out.join('\n')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '30' } }, allowPositionals: true })
  if (positionals.length === 0) {
    process.stderr.write('usage: node bench/api/profile-summary.mjs FILE.cpuprofile [...] [--top 30]\n')
    process.exit(2)
  }
  process.stdout.write(`${formatProfileSummary(summarizeProfiles(positionals), process.cwd(), Number(values.top))}\n`)
}
