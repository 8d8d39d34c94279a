// Where the paced tail comes from: the bare echo, the floor and dawri (SQLite, role all) each paced
// at one rate, with a probe preloaded in every server (bench/api/stall-probe.mjs) that reports its
// event loop's delay and the garbage collector's pauses. Servers' files go to the system's
// temporary directory, so `TMPDIR=/dev/shm node bench/api/tail.mjs` runs the same on tmpfs (no
// disk under SQLite). See bench/README.md "Reading the table".
//
//   npm run build && node bench/api/tail.mjs [--rate 2000] [--duration 12] [--reps 2] [--targets bare,floor,dawri] [--role all|api] [--profile] [--sql-probe]
//        [--database sqlite|postgres] [--postgres-url URL] [--warmup 3] [--idle 0] [--timeline]
//        [--dawri-node-flags='--trace-gc']
//
// --warmup is the seconds of peak load (autocannon) before the paced runs: bench:api paces after
// about 40 s of it, which leaves a larger database and a busier disk than 3 s does.
// --idle is the seconds each server waits, unused, before each paced run, as it does in bench:api
// while the other servers take their turns.
// --dawri-node-flags passes Node/V8 flags to the dawri server (space-separated).
// --timeline lists, after each paced run, the 100 ms windows holding answers slower than 10 ms
// (wall-clock time, so they can be matched with a database's log).
//
// --profile adds a CPU profile of the dawri server over the whole of its runs (warm-up included),
// summarised as run.mjs --profile does: where a request's CPU goes at a paced, moderate load.
// --database postgres runs the floor and dawri on a fresh PostgreSQL database (dropped at the end).
// --sql-probe preloads bench/api/sql-probe.mjs into the floor and dawri: every SQLite statement
// timed, COMMIT included, so that a stalled write shows (the servers' lines are printed).
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

import { API_KEY } from './bodies.mjs'
import { formatProfileSummary, summarizeProfiles } from './profile-summary.mjs'
import { cannon, paced, slowWindows } from './load.mjs'
import { cpuTimes, live, postgresDatabase, ROOT, startChild, stolenShare } from './processes.mjs'
import { executePaymentWorkload } from './workloads.mjs'

const { values: flags } = parseArgs({
  options: {
    rate: { type: 'string', default: '2000' },
    duration: { type: 'string', default: '12' },
    reps: { type: 'string', default: '2' },
    targets: { type: 'string', default: 'bare,floor,dawri' },
    role: { type: 'string', default: 'all' },
    warmup: { type: 'string', default: '3' },
    idle: { type: 'string', default: '0' },
    'dawri-node-flags': { type: 'string', default: '' },
    timeline: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'sql-probe': { type: 'boolean', default: false },
    database: { type: 'string', default: 'sqlite' },
    'postgres-url': { type: 'string', default: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
  strict: true,
})
const RATE = Number(flags.rate)
const DURATION = Number(flags.duration)
const REPS = Number(flags.reps)
const TARGETS = flags.targets.split(',').map((t) => t.trim())
for (const t of TARGETS) if (!['bare', 'floor', 'dawri'].includes(t)) throw new Error(`--targets: unknown target "${t}"`)

if (!['sqlite', 'postgres'].includes(flags.database)) throw new Error(`--database: sqlite or postgres, not "${flags.database}"`)
const tmp = mkdtempSync(join(os.tmpdir(), 'dawri-bench-tail-'))
const pgDatabase = flags.database === 'postgres' ? await postgresDatabase(flags['postgres-url']) : undefined
if (pgDatabase) live.databases.add(pgDatabase)
const databaseUrl = (name) => (pgDatabase ? pgDatabase.urlFor(`${name}_tail`) : `sqlite:${join(tmp, `${name}.sqlite`)}`)
const probe = ['--import', join(ROOT, 'bench/api/stall-probe.mjs'), ...(flags['sql-probe'] ? ['--import', join(ROOT, 'bench/api/sql-probe.mjs')] : [])]
const profileDir = join(tmp, 'profiles')
const mixed = executePaymentWorkload('mixed')
const start = {
  bare: () => startChild('bare', { node: probe, script: join(ROOT, 'bench/api/bare-server.mjs'), args: (p) => ['--port', String(p)] }, {}),
  floor: () => startChild('floor', { node: probe, script: join(ROOT, 'bench/api/floor-server.mjs'), args: (p) => ['--port', String(p), '--database', databaseUrl('floor')] }, {}),
  dawri: () =>
    startChild(
      'dawri',
      { node: [...probe, ...(flags.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), ...flags['dawri-node-flags'].split(' ').filter(Boolean)], script: join(ROOT, 'dist/cli/main.js'), args: (p) => ['serve', '--port', String(p), '--role', flags.role, '--database', databaseUrl('dawri')] },
      { DAWRI_DEMO_API_KEY: API_KEY, LOG_LEVEL: 'warn', DAWRI_DATA_DIR: tmp, DAWRI_MODE: 'sandbox', DAWRI_PUBLIC_URL: undefined, DATABASE_URL: undefined, PORT: undefined, HOST: undefined },
    ),
}

/** The probe's lines written during the last `seconds`, summed up. */
function probeSummary(server, seconds) {
  const lines = server.output().split('\n').filter((l) => l.startsWith('stall-probe '))
  const recent = lines.slice(-Math.max(1, Math.floor(seconds / 3))).map((l) => JSON.parse(l.slice('stall-probe '.length)))
  const max = (key) => Math.max(...recent.map((r) => r[key]))
  return { loopP99: max('loopP99'), loopMax: max('loopMax'), gcMax: max('gcMax'), gcShare: recent.reduce((s, r) => s + r.gcTotal, 0) / (recent.length * 3000) }
}

const fmt = (n) => n.toFixed(1)

process.stdout.write(`| Target | paced at | p50 ms | p99 ms | server CPU µs/req | generator CPU µs/req | event-loop delay p99 / max ms (worst 3 s) | longest GC pause ms | time in GC | CPU stolen by the host |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n`)
try {
  for (const target of TARGETS) {
    const server = await start[target]()
    const workload = target === 'bare' ? { ...mixed, check: (a) => a.IsSuccess === true } : mixed
    await cannon(server, workload, { connections: 50, duration: Number(flags.warmup) })
    for (let rep = 0; rep < REPS; rep++) {
      await new Promise((r) => setTimeout(r, Number(flags.idle) * 1000))
      await pgDatabase?.checkpoint()
      const before = cpuTimes()
      const s = await paced(server, workload, { connections: 50, rate: RATE, duration: DURATION, timeline: flags.timeline })
      const after = cpuTimes()
      if (s.errors + s.non2xx + s.bad > 0) throw new Error(`${target}: ${s.errors} errors, ${s.non2xx} non-2xx, ${s.bad} wrong answers`)
      await new Promise((r) => setTimeout(r, 3100)) // the probe's last line of the run
      const p = probeSummary(server, DURATION)
      if (s.timeline) process.stdout.write(slowWindows(s.timeline))
      process.stdout.write(`| ${target} | ${RATE}/s | ${fmt(s.p50)} | ${fmt(s.p99)} | ${s.cpuUs.toFixed(0)} | ${s.clientCpuUs.toFixed(0)} | ${fmt(p.loopP99)} / ${fmt(p.loopMax)} | ${fmt(p.gcMax)} | ${(p.gcShare * 100).toFixed(1)} % | ${stolenShare(before, after) ?? '—'} |\n`)
    }
    await server.stop()
  }
  if (flags.profile && existsSync(profileDir)) {
    const files = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(profileDir, f))
    process.stdout.write(`\n### CPU profile of the dawri server\n\n${formatProfileSummary(summarizeProfiles(files), ROOT)}\n`)
  }
} finally {
  for (const child of live.children) child.kill('SIGKILL')
  await pgDatabase?.drop()
  rmSync(tmp, { recursive: true, force: true })
}
process.stdout.write(`\nMeasured ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}, ${flags.database === 'postgres' ? 'PostgreSQL' : `SQLite, TMPDIR on ${os.tmpdir()}`}, load average at the end ${os.loadavg()[0].toFixed(1)}\n`)
