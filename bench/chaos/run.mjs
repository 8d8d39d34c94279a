// Long form of the crash-injection suite (docs/reliability.md, "Never charge twice …"): the same
// run as tests/chaos/crash-injection.test.ts — real `dawri serve` processes SIGKILLed at random
// moments under payments, renewals, retries, resumes, refunds and captures, then the processor's
// ledger checked against the database — with as many kills as asked, per dialect.
//
//   node bench/chaos/run.mjs [--kills 200] [--dialects postgres,sqlite] [--out bench/chaos/results/latest.json]
//                            [--kill-minutes N] [--clock-every-ms 1500] [--advance-share 0.5]
//
// --kill-minutes stops killing after N minutes even if fewer kills were made (the report counts
// the kills made); --clock-every-ms and --advance-share set how often a day passes and which share
// of the days (PostgreSQL) AdvanceClock moves, billing in an API process while the workers bill too.
//
// It runs vitest (which builds dist/ first unless DAWRI_TEST_BUILT=1), prints one summary line
// per dialect and writes the full reports (figures, answers per action, any violation) to --out.
// Exit code 0 only when every promise held.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'

const { values: flags } = parseArgs({
  options: {
    kills: { type: 'string', default: '200' },
    dialects: { type: 'string', default: 'postgres,sqlite' },
    out: { type: 'string', default: 'bench/chaos/results/latest.json' },
    'kill-minutes': { type: 'string' },
    'clock-every-ms': { type: 'string' },
    'advance-share': { type: 'string' },
  },
  strict: true,
})
const kills = Number(flags.kills)
if (!Number.isInteger(kills) || kills < 1) throw new Error(`--kills ${flags.kills}: a whole number > 0`)

const reportFile = join(tmpdir(), `dawri-chaos-${process.pid}.json`)
const started = Date.now()
const result = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--project', 'chaos', 'tests/chaos/crash-injection.test.ts'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    CHAOS_KILLS: String(kills),
    TEST_DIALECTS: flags.dialects,
    CHAOS_REPORT: reportFile,
    CHAOS_PROGRESS: '1',
    ...(flags['kill-minutes'] ? { CHAOS_KILL_MINUTES: flags['kill-minutes'] } : {}),
    ...(flags['clock-every-ms'] ? { CHAOS_CLOCK_EVERY_MS: flags['clock-every-ms'] } : {}),
    ...(flags['advance-share'] ? { CHAOS_ADVANCE_SHARE: flags['advance-share'] } : {}),
  },
})
let reports = []
try {
  reports = JSON.parse(readFileSync(reportFile, 'utf8'))
  rmSync(reportFile)
} catch {
  process.stderr.write('No report was written: the run failed before any dialect finished.\n')
}
const summary = {
  command: `node bench/chaos/run.mjs ${process.argv.slice(2).join(' ')}`,
  finishedAt: new Date().toISOString(),
  wallMinutes: Math.round((Date.now() - started) / 600) / 100,
  loadAverage: (await import('node:os')).loadavg().map((n) => Math.round(n * 10) / 10),
  passed: result.status === 0,
  reports,
}
mkdirSync(dirname(flags.out), { recursive: true })
const { writeFileSync } = await import('node:fs')
writeFileSync(flags.out, `${JSON.stringify(summary, null, 2)}\n`)
for (const r of reports) {
  const f = r.figures
  process.stdout.write(
    `${r.dialect} (${r.layout}): ${r.kills} kills${r.killsPlanned !== undefined && r.killsPlanned !== r.kills ? ` of ${r.killsPlanned} planned` : ''} (${Object.entries(r.killsByRole).map(([k, v]) => `${k} ${v}`).join(', ')}; ${r.killsWithChargeInFlight} with a charge in flight, ${r.killsDuringStartup} during start-up) in ${Math.round(r.runMs / 1000)} s; ` +
      `${f.approvedCharges} approved charges (${f.declinedCharges} declined), ${f.renewalCyclesCharged} renewal cycles over ${f.recurrencesChecked} recurrences and ${r.daysAdvanced} days, ${f.refunds} refunds, ${f.captures} captures, ${f.releases} releases, ` +
      `${f.eventsDelivered} webhooks delivered (${f.duplicateDeliveries} duplicates); ${r.requests} requests (${r.unanswered} unanswered); ` +
      `violations ${r.violations.length}, 5xx ${r.serverErrors.length}, confirmed-not-paid ${r.confirmedButNotPaid.length}, unexpected exits ${r.unexpectedExits.length}; settled in ${r.settleMs} ms\n`,
  )
}
process.stdout.write(`${summary.passed ? 'PASS' : 'FAIL'} — full reports in ${flags.out}\n`)
process.exit(result.status ?? 1)
