import { writeFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { DIALECTS } from '../support/dialects.js'
import { runChaos, type ChaosReport } from './run-chaos.js'

/**
 * Crash injection (docs/reliability.md): real `serve` processes killed with SIGKILL at random
 * moments under customer payments, renewals, retries, resumes, refunds and captures; afterwards
 * the processor's ledger must match the database — nothing charged twice, nothing lost, no
 * cycle skipped, no attempt stuck, every webhook delivered, no 5xx, every confirmed payment Paid.
 *
 * CI runs the short form (CHAOS_KILLS per dialect, 12 by default); bench/chaos/run.mjs runs the
 * long form through this same file with more kills and writes the report (CHAOS_REPORT).
 */

const KILLS = Number(process.env.CHAOS_KILLS ?? 12)
/** Long runs on a busy machine: stop killing after this many minutes (bench/chaos/run.mjs --kill-minutes). */
const STOP_KILLING_AT = process.env.CHAOS_KILL_MINUTES ? Date.now() + Number(process.env.CHAOS_KILL_MINUTES) * 60_000 : undefined
const reports: ChaosReport[] = []

for (const dialect of DIALECTS) {
  describe(`${dialect}: crash injection`, () => {
    it(`${KILLS} SIGKILLs of random processes under load: ledger and database agree`, async () => {
      const report = await runChaos({
        dialect,
        kills: KILLS,
        stopKillingAt: STOP_KILLING_AT,
        clockEveryMs: process.env.CHAOS_CLOCK_EVERY_MS ? Number(process.env.CHAOS_CLOCK_EVERY_MS) : undefined,
        advanceClockShare: process.env.CHAOS_ADVANCE_SHARE ? Number(process.env.CHAOS_ADVANCE_SHARE) : undefined,
        progress: process.env.CHAOS_PROGRESS === '1' ? (line) => process.stderr.write(`${line}\n`) : undefined,
      })
      reports.push(report)
      if (process.env.CHAOS_REPORT) writeFileSync(process.env.CHAOS_REPORT, `${JSON.stringify(reports, null, 2)}\n`)
      const context = JSON.stringify({ ...report, violations: report.violations.slice(0, 20), serverErrors: report.serverErrors.slice(0, 10) }, null, 1)
      expect.soft(report.violations.slice(0, 20), `broken promises (${report.violations.length})\n${context}`).toEqual([])
      expect.soft(report.serverErrors.slice(0, 10), `5xx answers (${report.serverErrors.length}); the servers' error lines:\n${report.serverErrorLog.slice(0, 10).join('\n')}`).toEqual([])
      expect.soft(report.unexpectedExits, 'processes that died by themselves or did not come back').toEqual([])
      expect.soft(report.confirmedButNotPaid.slice(0, 10), 'payments confirmed with a 200 that are not Paid').toEqual([])
      // The run did what it claims: processes died while money moved, and money moved.
      if (STOP_KILLING_AT === undefined) expect(report.kills).toBe(KILLS)
      else expect(report.kills).toBeGreaterThan(0)
      expect(report.killsWithChargeInFlight, context).toBeGreaterThan(0)
      expect(report.figures.approvedCharges, context).toBeGreaterThan(0)
      expect(report.figures.renewalCyclesCharged, context).toBeGreaterThan(0)
      // Each dialect's run has its own deadline when both run: the first may use the whole time.
    }, STOP_KILLING_AT === undefined ? 120_000 + KILLS * 40_000 : STOP_KILLING_AT - Date.now() + 25 * 60_000)
  })
}
