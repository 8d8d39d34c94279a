import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { claimAttempts } from '../../src/billing/claim-attempts.js'
import { merchantNow } from '../../src/domain/merchant.js'
import { listAttempts } from '../../src/store/charge-attempt.repository.js'
import { findMerchantById } from '../../src/store/merchant.repository.js'
import { DIALECTS } from '../support/dialects.js'
import type { TestApp } from '../support/start-test-app.js'
import { openRecurringContext, startRecurringApp, type RecurringContext } from './recurring-fixtures.js'

/**
 * AdvanceClock billing recurrences that worker processes are billing at the same moment (the
 * crash-injection run's 500s). Its billing waits for rows another process holds once their
 * leases outlast its patience; it must then lock them in the order every other locker does, take
 * the work over, charge each cycle once, and answer 200.
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: AdvanceClock racing the billing workers`, () => {
    let app: TestApp

    beforeAll(async () => {
      app = await startRecurringApp(dialect)
    })
    afterAll(async () => {
      await app?.close()
    })

    /**
     * Two Active daily recurrences, both overdue on the merchant's clock (so one claim takes both),
     * the second (higher id) due a minute before the first.
     */
    async function twoDueOutOfIdOrder(ctx: RecurringContext): Promise<{ first: number; second: number; ids: string[] }> {
      const ids = [await ctx.createActive({ RecurringType: 'Daily', Iteration: 0 }), await ctx.createActive({ RecurringType: 'Daily', Iteration: 0 })]
      const [first, second] = ids.map((id) => ctx.internalId(id)) as [number, number]
      expect(first).toBeLessThan(second)
      const merchant = await findMerchantById(app.deps.store.db, ctx.merchantId)
      if (!merchant) throw new Error('merchant vanished')
      const now = merchantNow(Date.now(), merchant)
      const db = app.deps.store.db
      await db.updateTable('recurrences').set({ next_attempt_at: now - 60_000 }).where('id', '=', first).execute()
      await db.updateTable('recurrences').set({ next_attempt_at: now - 120_000 }).where('id', '=', second).execute()
      return { first, second, ids }
    }

    /** Approved renewal charges per cycle of each recurrence, from the processor's ledger. */
    async function expectEachFirstCycleChargedOnce(ctx: RecurringContext, ids: readonly string[]): Promise<void> {
      for (const id of ids) {
        expect([...(await ctx.approvedRenewals(id)).entries()], id).toEqual([[1, 1]])
        expect(await listAttempts(app.deps.store.db, { recurrenceId: ctx.internalId(id), status: 'open' })).toEqual([])
        expect((await ctx.get(id)).ExecutedTimes).toBe(1)
      }
    }

    it('takes over recurrences a live worker leased (one with its attempt open) and charges each cycle once', async () => {
      const ctx = await openRecurringContext(app)
      const { first, second, ids } = await twoDueOutOfIdOrder(ctx)
      const merchant = await findMerchantById(app.deps.store.db, ctx.merchantId)
      if (!merchant) throw new Error('merchant vanished')
      // A worker claims the first (its attempt is open, its charge never sent) and leases the
      // second, for a minute: far beyond AdvanceClock's patience.
      const realNow = Date.now()
      const claimed = await claimAttempts(app.deps, merchant, 'due', { now: merchantNow(realNow, merchant), realNow, limit: 1, leaseMs: 60_000 })
      expect(claimed.map((a) => a.recurrenceId)).toEqual([second])
      await app.deps.store.db.updateTable('recurrences').set({ lease_until: realNow + 60_000 }).where('id', '=', first).execute()

      const response = await app.call('POST', '/v2/sandbox/AdvanceClock', ctx.apiKey, { Days: 1 })
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      expect(response.body.Data).toMatchObject({ Charges: 2, Approved: 2 })
      await expectEachFirstCycleChargedOnce(ctx, ids)
    })

    it.runIf(dialect === 'postgres')(
      'waits for a worker recording a batch in id order without deadlocking (PostgreSQL)',
      async () => {
        const ctx = await openRecurringContext(app)
        const { first, second, ids } = await twoDueOutOfIdOrder(ctx)
        // Workers hold both rows' leases, so AdvanceClock waits, then takes them over and locks them.
        await app.deps.store.db.updateTable('recurrences').set({ lease_until: Date.now() + 60_000 }).where('id', 'in', [first, second]).execute()

        const database = new URL(app.database.url).pathname.slice(1)
        const worker = new pg.Client({ connectionString: app.database.url })
        const observer = new pg.Client({ connectionString: app.database.url })
        await worker.connect()
        await observer.connect()
        const deadlocks = async () => Number((await observer.query('SELECT deadlocks FROM pg_stat_database WHERE datname = $1', [database])).rows[0].deadlocks)
        try {
          const deadlocksBefore = await deadlocks()
          // A worker records a batch of both: it locks the recurrences in id order (lockRecurrences),
          // the first now, the second below. Its own deadlock check waits long, so that if the two
          // lock orders cross, PostgreSQL aborts the other side, AdvanceClock's claim.
          await worker.query('BEGIN')
          await worker.query("SET LOCAL deadlock_timeout = '60s'")
          await worker.query('SELECT id FROM recurrences WHERE id = $1 FOR UPDATE', [first])

          const advancing = app.call('POST', '/v2/sandbox/AdvanceClock', ctx.apiKey, { Days: 1 })
          // AdvanceClock's claim is now waiting for the worker's lock on the first recurrence.
          const deadline = Date.now() + 20_000
          for (;;) {
            const waiting = await observer.query(
              "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND query ILIKE '%from \"recurrences\"%for update%'",
              [database],
            )
            if (waiting.rows[0].n > 0) break
            if (Date.now() > deadline) throw new Error('AdvanceClock never waited for the worker’s lock')
            await new Promise((resolve) => setTimeout(resolve, 20))
          }
          // The worker goes on to its second row: free, unless the claim locked it out of id order.
          await worker.query("SET LOCAL statement_timeout = '20s'")
          await worker.query('SELECT id FROM recurrences WHERE id = $1 FOR UPDATE', [second])
          await worker.query('ROLLBACK')

          const response = await advancing
          expect(response.status, JSON.stringify(response.body)).toBe(200)
          expect(response.body.Data).toMatchObject({ Charges: 2, Approved: 2 })
          await expectEachFirstCycleChargedOnce(ctx, ids)
          expect(await deadlocks(), 'deadlocks PostgreSQL detected').toBe(deadlocksBefore)
        } finally {
          await worker.end()
          await observer.end()
        }
      },
      60_000,
    )
  })
}
