import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'

import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startBillingWorker } from '../../src/billing/billing-worker.js'
import { CAPABILITIES } from '../../src/store/capabilities.js'
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
      const row = await db.selectFrom('recurrences').selectAll().where('id', '=', ctx.internalId(model)).executeTakeFirstOrThrow()
      const { id: _id, ...copy } = row
      for (let start = 1; start < count; start += 200) {
        const size = Math.min(200, count - start)
        await db.insertInto('recurrences').values(Array.from({ length: size }, () => copy)).execute()
      }
      const ids = await db.selectFrom('recurrences').select('id').where('merchant_id', '=', ctx.merchantId).execute()
      return ids.map((r) => r.id)
    }

    /** Moves the merchant's clock without billing, as if every worker had been down. */
    async function skipDays(ctx: RecurringContext, days: number): Promise<void> {
      await app.deps.store.db
        .updateTable('merchants')
        .set({ clock_offset_ms: sql<number>`clock_offset_ms + ${days * DAY_MS}` })
        .where('id', '=', ctx.merchantId)
        .execute()
    }

    async function waitUntilExecuted(ctx: RecurringContext, times: number, timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const row = await app.deps.store.db
          .selectFrom('recurrences')
          .select((eb) => eb.fn.min('executed_times').as('least'))
          .where('merchant_id', '=', ctx.merchantId)
          .executeTakeFirstOrThrow()
        if (Number(row.least) >= times) return
        if (Date.now() > deadline) throw new Error(`Not every recurrence reached ${times} charges in ${timeoutMs} ms`)
        await delay(50)
      }
    }

    /** Approved renewal charges per (recurrence, cycle), from the processor's ledger. */
    async function approvedPerCycle(ctx: RecurringContext): Promise<Map<string, number>> {
      const db = app.deps.store.db
      const attempts = await db
        .selectFrom('recurrence_attempts')
        .select(['id', 'recurrence_id', 'cycle'])
        .where('merchant_id', '=', ctx.merchantId)
        .execute()
      const byKey = new Map(attempts.map((a) => [`attempt-${a.id}`, `${a.recurrence_id}/${a.cycle}`]))
      const ledger = await db
        .selectFrom('processor_ledger')
        .select('idempotency_key')
        .where('merchant_id', '=', ctx.merchantId)
        .where('outcome', '=', 'approved')
        .where('idempotency_key', 'like', 'attempt-%')
        .execute()
      const counts = new Map<string, number>()
      for (const { idempotency_key } of ledger) {
        const key = byKey.get(idempotency_key) ?? `unknown ${idempotency_key}`
        counts.set(key, (counts.get(key) ?? 0) + 1)
      }
      return counts
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
      const open = await app.deps.store.db.selectFrom('recurrence_attempts').select('id').where('status', '=', 'open').execute()
      expect(open).toEqual([])
    })

    // Several processes writing at once needs a database with concurrent writers (PostgreSQL);
    // SQLite serves one process.
    it.skipIf(!CAPABILITIES[dialect].concurrentWriters)(
      'two worker processes on one database charge every cycle exactly once',
      async () => {
        const ctx = await openRecurringContext(app)
        const ids = await seedActive(ctx, 250)
        const dataDir = mkdtempSync(join(tmpdir(), 'dawri-workers-'))
        const env = {
          ...process.env,
          DAWRI_DATA_DIR: dataDir,
          // The test app's vault key (start-test-app.ts), so the workers can read the stored cards.
          DAWRI_VAULT_KEY: Buffer.alloc(32, 7).toString('base64'),
          DAWRI_TEST_PROCESSOR_LATENCY_MS: '10',
          DAWRI_POLL_INTERVAL_MS: '20',
          LOG_LEVEL: 'error',
        }
        const workers: ChildProcess[] = []
        const spawnWorker = () => {
          const child = spawn(process.execPath, ['dist/cli/main.js', 'serve', '--role', 'worker', '--database', app.database.url], {
            env,
            stdio: ['ignore', 'ignore', 'inherit'],
          })
          workers.push(child)
        }
        try {
          spawnWorker()
          spawnWorker()
          await delay(500)
          await skipDays(ctx, 3)
          await waitUntilExecuted(ctx, 3, 90_000)
        } finally {
          await Promise.all(
            workers.map(
              (child) =>
                new Promise<void>((resolve) => {
                  if (child.exitCode !== null) return resolve()
                  child.once('exit', () => resolve())
                  child.kill('SIGTERM')
                }),
            ),
          )
          rmSync(dataDir, { recursive: true, force: true })
        }
        const perCycle = await approvedPerCycle(ctx)
        expect(perCycle.size).toBe(ids.length * 3)
        const doubles = [...perCycle.entries()].filter(([, count]) => count !== 1)
        expect(doubles).toEqual([])
        const executed = await app.deps.store.db
          .selectFrom('recurrences')
          .select((eb) => eb.fn.sum<number>('executed_times').as('total'))
          .where('merchant_id', '=', ctx.merchantId)
          .executeTakeFirstOrThrow()
        expect(Number(executed.total)).toBe(ids.length * 3)
      },
      120_000,
    )
  })
}
