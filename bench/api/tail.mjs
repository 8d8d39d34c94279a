// Where the paced tail comes from: the bare echo, the floor and dawri (SQLite, role all) each paced
// at one rate, with a probe preloaded in every server (bench/api/stall-probe.mjs) that reports its
// event loop's delay and the garbage collector's pauses. Servers' files go to the system's
// temporary directory, so `TMPDIR=/dev/shm node bench/api/tail.mjs` runs the same on tmpfs (no
// disk under SQLite). See bench/README.md "Reading the table".
//
//   npm run build && node bench/api/tail.mjs [--rate 2000] [--duration 12] [--reps 2] [--targets bare,floor,dawri] [--role all|api]
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

import { API_KEY } from './bodies.mjs'
import { cannon, paced } from './load.mjs'
import { live, ROOT, startChild } from './processes.mjs'
import { executePaymentWorkload } from './workloads.mjs'

const { values: flags } = parseArgs({
  options: {
    rate: { type: 'string', default: '2000' },
    duration: { type: 'string', default: '12' },
    reps: { type: 'string', default: '2' },
    targets: { type: 'string', default: 'bare,floor,dawri' },
    role: { type: 'string', default: 'all' },
  },
  strict: true,
})
const RATE = Number(flags.rate)
const DURATION = Number(flags.duration)
const REPS = Number(flags.reps)
const TARGETS = flags.targets.split(',').map((t) => t.trim())
for (const t of TARGETS) if (!['bare', 'floor', 'dawri'].includes(t)) throw new Error(`--targets: unknown target "${t}"`)

const tmp = mkdtempSync(join(os.tmpdir(), 'dawri-bench-tail-'))
const probe = ['--import', join(ROOT, 'bench/api/stall-probe.mjs')]
const mixed = executePaymentWorkload('mixed')
const start = {
  bare: () => startChild('bare', { node: probe, script: join(ROOT, 'bench/api/bare-server.mjs'), args: (p) => ['--port', String(p)] }, {}),
  floor: () => startChild('floor', { node: probe, script: join(ROOT, 'bench/api/floor-server.mjs'), args: (p) => ['--port', String(p), '--database', `sqlite:${join(tmp, 'floor.sqlite')}`] }, {}),
  dawri: () =>
    startChild(
      'dawri',
      { node: probe, script: join(ROOT, 'dist/cli/main.js'), args: (p) => ['serve', '--port', String(p), '--role', flags.role, '--database', `sqlite:${join(tmp, 'dawri.sqlite')}`] },
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
process.stdout.write(`| Target | paced at | p50 ms | p99 ms | server CPU µs/req | event-loop delay p99 / max ms (worst 3 s) | longest GC pause ms | time in GC |\n|---|---:|---:|---:|---:|---:|---:|---:|\n`)
try {
  for (const target of TARGETS) {
    const server = await start[target]()
    const workload = target === 'bare' ? { ...mixed, check: (a) => a.IsSuccess === true } : mixed
    await cannon(server, workload, { connections: 50, duration: 3 })
    for (let rep = 0; rep < REPS; rep++) {
      const s = await paced(server, workload, { connections: 50, rate: RATE, duration: DURATION })
      if (s.errors + s.non2xx + s.bad > 0) throw new Error(`${target}: ${s.errors} errors, ${s.non2xx} non-2xx, ${s.bad} wrong answers`)
      await new Promise((r) => setTimeout(r, 3100)) // the probe's last line of the run
      const p = probeSummary(server, DURATION)
      process.stdout.write(`| ${target} | ${RATE}/s | ${fmt(s.p50)} | ${fmt(s.p99)} | ${s.cpuUs.toFixed(0)} | ${fmt(p.loopP99)} / ${fmt(p.loopMax)} | ${fmt(p.gcMax)} | ${(p.gcShare * 100).toFixed(1)} % |\n`)
    }
    await server.stop()
  }
} finally {
  for (const child of live.children) child.kill('SIGKILL')
  rmSync(tmp, { recursive: true, force: true })
}
process.stdout.write(`\nMeasured ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}, TMPDIR on ${os.tmpdir()}, load average at the end ${os.loadavg()[0].toFixed(1)}\n`)
