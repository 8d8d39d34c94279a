import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startBillingWorker } from '../../src/billing/billing-worker.js'
import { adapterFor } from '../../src/store/adapter.js'
import { listAttempts } from '../../src/store/charge-attempt.repository.js'
import { advanceClockOffset, readClockOffset } from '../../src/store/merchant.repository.js'
import { listLedger } from '../../src/store/processor-ledger.repository.js'
import { findRecurrence, insertRecurrences, listRecurrencesOfMerchant } from '../../src/store/recurrence.repository.js'
import { DIALECTS } from '../support/dialects.js'
import type { TestApp } from '../support/start-test-app.js'
import { openRecurringContext, startRecurringApp, type RecurringContext } from './recurring-fixtures.js'

const DAY_MS = 86_400_000

for (const dialect of DIALECTS) {
  describe(`${dialect}: billing workers`, () => {
    let app: TestApp

    beforeAll(async () => {
      app = await startRecurringApp(dialect, { DAWRI_POLL_INTERVAL_MS: '20' })
    })
    afterAll(async () => {
      await app?.close()
    })

    /** `count` Active Daily recurrences: one made through the API, the rest copies of its row. */
    async function seedActive(ctx: RecurringContext, count: number): Promise<number[]> {
      const model = await ctx.createActive({ RecurringType: 'Daily', Iteration: 0 })
      const db = app.deps.store.db
      const row = await findRecurrence(db, ctx.merchantId, ctx.internalId(model))
      if (!row) throw new Error(`${model} not stored`)
      const { id: _id, ...copy } = row
      for (let start = 1; start < count; start += 200) {
        const size = Math.min(200, count - start)
        await insertRecurrences(db, Array.from({ length: size }, () => copy))
      }
      return (await listRecurrencesOfMerchant(db, ctx.merchantId)).map((r) => r.id)
    }

    /** Moves the merchant's clock without billing, as if every worker had been down. */
    async function skipDays(ctx: RecurringContext, days: number): Promise<void> {
      const db = app.deps.store.db
      await advanceClockOffset(db, ctx.merchantId, (await readClockOffset(db, ctx.merchantId)) + days * DAY_MS)
    }

    async function waitUntilExecuted(ctx: RecurringContext, times: number, timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const rows = await listRecurrencesOfMerchant(app.deps.store.db, ctx.merchantId)
        if (rows.every((row) => row.executed_times >= times)) return
        if (Date.now() > deadline) throw new Error(`Not every recurrence reached ${times} charges in ${timeoutMs} ms`)
        await delay(50)
      }
    }

    /** Waits until the merchant has an attempt open (committed, its outcome not yet recorded). */
    async function waitForOpenAttempt(ctx: RecurringContext, timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const open = await listAttempts(app.deps.store.db, { merchantId: ctx.merchantId, status: 'open' })
        if (open.length > 0) return
        if (Date.now() > deadline) throw new Error(`No attempt was open within ${timeoutMs} ms`)
        await delay(10)
      }
    }

    /** Approved renewal charges per (recurrence, cycle), from the processor's ledger. */
    async function approvedPerCycle(ctx: RecurringContext): Promise<Map<string, number>> {
      const db = app.deps.store.db
      const attempts = await listAttempts(db, { merchantId: ctx.merchantId })
      const byKey = new Map(attempts.map((a) => [`attempt-${a.id}`, `${a.recurrence_id}/${a.cycle}`]))
      // The customers' first payments are charge attempts too; only the recurring ones count here.
      const customerKeys = new Set(attempts.filter((a) => a.kind === 'customer').map((a) => `attempt-${a.id}`))
      const ledger = await listLedger(db, { merchantId: ctx.merchantId, outcome: 'approved', keyPrefix: 'attempt-' })
      const counts = new Map<string, number>()
      for (const { idempotency_key } of ledger) {
        if (customerKeys.has(idempotency_key)) continue
        const key = byKey.get(idempotency_key) ?? `unknown ${idempotency_key}`
        counts.set(key, (counts.get(key) ?? 0) + 1)
      }
      return counts
    }

    /** Worker processes (`dawri serve --role worker`) on the test app's database. */
    function workerPool(env: Record<string, string>) {
      const dataDir = mkdtempSync(join(tmpdir(), 'dawri-workers-'))
      const fullEnv = {
        ...process.env,
        DAWRI_DATA_DIR: dataDir,
        // The test app's vault key (start-test-app.ts), so the workers can read the stored cards.
        DAWRI_VAULT_KEY: Buffer.alloc(32, 7).toString('base64'),
        DAWRI_POLL_INTERVAL_MS: '20',
        LOG_LEVEL: 'fatal',
        ...env,
      }
      const live = new Set<ChildProcess>()
      const exited = (child: ChildProcess) =>
        new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())))
      return {
        live,
        spawn(): ChildProcess {
          const child = spawn(process.execPath, ['dist/cli/main.js', 'serve', '--role', 'worker', '--port', '0', '--database', app.database.url], {
            env: fullEnv,
            stdio: ['ignore', 'ignore', 'inherit'],
          })
          live.add(child)
          child.once('exit', () => live.delete(child))
          return child
        },
        async kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
          const done = exited(child)
          child.kill(signal)
          await done
        },
        async stopAll(): Promise<void> {
          await Promise.all([...live].map((child) => this.kill(child, 'SIGTERM')))
          rmSync(dataDir, { recursive: true, force: true })
        },
      }
    }

    /** Every (recurrence, cycle) up to `cycles` charged exactly once, and counted once. */
    async function expectEachCycleChargedOnce(ctx: RecurringContext, ids: readonly number[], cycles: number): Promise<void> {
      const perCycle = await approvedPerCycle(ctx)
      const expected = new Map(ids.flatMap((id) => Array.from({ length: cycles }, (_, c) => [`${id}/${c + 1}`, 1] as const)))
      expect(perCycle).toEqual(expected)
      const recurrences = await listRecurrencesOfMerchant(app.deps.store.db, ctx.merchantId)
      expect(recurrences.reduce((total, row) => total + row.executed_times, 0)).toBe(ids.length * cycles)
    }

    it('the worker loop bills due cycles at each merchant’s clock and stops gracefully', async () => {
      const ctx = await openRecurringContext(app)
      const ids = await seedActive(ctx, 50)
      const stop = await startBillingWorker(app.deps)
      try {
        await skipDays(ctx, 2)
        await waitUntilExecuted(ctx, 2, 30_000)
      } finally {
        await stop()
      }
      const perCycle = await approvedPerCycle(ctx)
      expect(perCycle.size).toBe(ids.length * 2)
      expect([...perCycle.values()].every((count) => count === 1)).toBe(true)
      expect((await listAttempts(app.deps.store.db, { status: 'open' })).map((a) => a.id)).toEqual([])
    })

    // Several processes writing at once needs a database with concurrent writers (PostgreSQL);
    // SQLite serves one process.
    it.skipIf(!adapterFor(dialect).concurrentWriters)(
      'two worker processes on one database charge every cycle exactly once',
      async () => {
        const ctx = await openRecurringContext(app)
        const ids = await seedActive(ctx, 250)
        const workers = workerPool({ DAWRI_TEST_PROCESSOR_LATENCY_MS: '10' })
        try {
          workers.spawn()
          workers.spawn()
          await delay(500)
          await skipDays(ctx, 3)
          await waitUntilExecuted(ctx, 3, 90_000)
        } finally {
          await workers.stopAll()
        }
        await expectEachCycleChargedOnce(ctx, ids, 3)
      },
      120_000,
    )

    // Reliability: workers killed without warning (kill -9) mid-run, again and again,
    // while charges are in flight at the processor. Their leases run out and the survivors (or
    // replacements) resolve the open attempts through the processor's idempotency look-up.
    it(
      'workers killed with SIGKILL during billing leave no double charge and no missed cycle',
      async () => {
        const ctx = await openRecurringContext(app)
        const ids = await seedActive(ctx, 300)
        // A short lease, so killed workers' attempts are taken over within the test; processor
        // latency, so kills land while charges are in flight.
        const workers = workerPool({ DAWRI_TEST_PROCESSOR_LATENCY_MS: '150', DAWRI_BILLING_LEASE_MS: '1000' })
        // SQLite serves one process at a time; PostgreSQL runs two workers side by side.
        const size = adapterFor(dialect).concurrentWriters ? 2 : 1
        let kills = 0
        try {
          for (let i = 0; i < size; i++) workers.spawn()
          await delay(500)
          await skipDays(ctx, 4)
          for (; kills < 8; kills++) {
            // Kill only while attempts are open, i.e. while a worker holds charges in flight;
            // random timing alone let fast runs kill idle workers.
            await waitForOpenAttempt(ctx, 30_000)
            await delay(Math.floor(Math.random() * 50))
            const victim = [...workers.live][Math.floor(Math.random() * workers.live.size)]
            if (victim) await workers.kill(victim, 'SIGKILL')
            workers.spawn()
          }
          await waitUntilExecuted(ctx, 4, 90_000)
        } finally {
          await workers.stopAll()
        }
        expect(kills).toBe(8)
        // The kills hit work in flight: some attempts were resolved by a later pass than the one
        // that opened them (a pass records with the clock it started with), i.e. recovered —
        // after their lease on PostgreSQL, at the new worker's start-up on SQLite.
        const attempts = await listAttempts(app.deps.store.db, { merchantId: ctx.merchantId })
        expect(attempts.filter((a) => (a.resolved_at ?? 0) > a.created_at).length).toBeGreaterThan(0)
        await expectEachCycleChargedOnce(ctx, ids, 4)
        const open = await listAttempts(app.deps.store.db, { merchantId: ctx.merchantId, status: 'open' })
        expect(open.map((a) => a.id)).toEqual([])
      },
      120_000,
    )
  })
}
