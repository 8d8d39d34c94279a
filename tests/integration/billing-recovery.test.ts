import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { claimAttempts } from '../../src/billing/claim-attempts.js'
import { openRenewalAttempts } from '../../src/charging/open-renewal-attempts.js'
import { chargeRenewalAttempt } from '../../src/charging/process-renewal-attempt.js'
import { recordRenewalOutcome } from '../../src/charging/record-renewal-outcomes.js'
import { runBillingPass } from '../../src/billing/run-billing-pass.js'
import { merchantNow, type Merchant } from '../../src/domain/merchant.js'
import { listAttempts } from '../../src/store/charge-attempt.repository.js'
import { advanceClockOffset, findMerchantById, readClockOffset } from '../../src/store/merchant.repository.js'
import { expireRecurrenceLeases, findRecurrence } from '../../src/store/recurrence.repository.js'
import { DIALECTS } from '../support/dialects.js'
import type { TestApp } from '../support/start-test-app.js'
import { AMBIGUOUS_CARD, openRecurringContext, startRecurringApp, type RecurringContext } from './recurring-fixtures.js'

const DAY_MS = 86_400_000

for (const dialect of DIALECTS) {
  describe(`${dialect}: billing recovery`, () => {
    let app: TestApp

    beforeAll(async () => {
      app = await startRecurringApp(dialect)
    })
    afterAll(async () => {
      await app?.close()
    })

    /** Moves the merchant's clock without running anything, as if the worker had been down. */
    async function skipTime(ctx: RecurringContext, ms: number): Promise<{ merchant: Merchant; now: number }> {
      const db = app.deps.store.db
      await advanceClockOffset(db, ctx.merchantId, (await readClockOffset(db, ctx.merchantId)) + ms)
      const merchant = await findMerchantById(app.deps.store.db, ctx.merchantId)
      if (!merchant) throw new Error('merchant vanished')
      return { merchant, now: merchantNow(app.deps.clock.now(), merchant) }
    }

    /** Lets every lease run out, as after a crash. */
    async function expireLeases(ctx: RecurringContext): Promise<void> {
      await expireRecurrenceLeases(app.deps.store.db, ctx.merchantId)
    }

    async function attemptsOf(ctx: RecurringContext, recurringId: string) {
      return listAttempts(app.deps.store.db, { recurrenceId: ctx.internalId(recurringId) })
    }

    it('resolves attempts left open by a crash before and after the processor call', async () => {
      const ctx = await openRecurringContext(app)
      const neverSent = await ctx.createActive({ RecurringType: 'Daily', Iteration: 0 })
      const chargedNotRecorded = await ctx.createActive({ RecurringType: 'Daily', Iteration: 0 })
      const ambiguous = await ctx.createActive({ RecurringType: 'Daily', Iteration: 0 }, AMBIGUOUS_CARD)
      const { merchant, now } = await skipTime(ctx, DAY_MS)

      // A worker claims (attempts, invoices and transactions commit), then dies at various points.
      const claimed = await claimAttempts(app.deps, merchant, 'due', { now, realNow: Date.now(), limit: 10 })
      expect(claimed).toHaveLength(3)
      for (const attempt of claimed) {
        if (attempt.recurrenceId === ctx.internalId(neverSent)) continue
        // The processor receives these charges (the ambiguous card's reply is lost on the way).
        await app.deps.processor.charge(
          {
            idempotencyKey: `attempt-${attempt.attemptId}`,
            merchantId: attempt.merchantId,
            amountMinor: attempt.amountMinor,
            currency: 'KWD',
            card: { number: attempt.recurrenceId === ctx.internalId(ambiguous) ? AMBIGUOUS_CARD : '5123450000000008', expiryMonth: '01', expiryYear: '39', securityCode: null, holderName: 'Card Holder' },
            cardTokenId: attempt.card.id,
            purpose: 'renewal',
            renewal: { cycle: attempt.cycle, attemptNumber: attempt.attemptNumber },
          },
          now,
        )
      }
      // While the lease holds, nothing else touches them.
      expect((await runBillingPass(app.deps, merchant, { now })).charges).toBe(0)

      await expireLeases(ctx)
      const recovered = await runBillingPass(app.deps, merchant, { now })
      expect(recovered).toMatchObject({ charges: 3, approved: 3, errors: 0, unresolved: 0 })
      for (const id of [neverSent, chargedNotRecorded, ambiguous]) {
        expect(await ctx.get(id), id).toMatchObject({ RecurringStatus: 'Active', ExecutedTimes: 1 })
        expect([...(await ctx.approvedRenewals(id)).entries()], id).toEqual([[1, 1]])
        expect((await attemptsOf(ctx, id)).map((a) => a.status)).toEqual(['approved'])
      }
      // Nothing is left to do, and a second recovery charges nothing.
      await expireLeases(ctx)
      expect((await runBillingPass(app.deps, merchant, { now })).charges).toBe(0)
    })

    it('records an attempt once when two workers race on it, and keeps a cancel final', async () => {
      const ctx = await openRecurringContext(app)
      const racing = await ctx.createActive({ RecurringType: 'Daily', Iteration: 0 })
      const { merchant, now } = await skipTime(ctx, DAY_MS)
      const [attempt] = await claimAttempts(app.deps, merchant, 'due', { now, realNow: Date.now(), limit: 10 })
      if (!attempt) throw new Error('nothing claimed')

      // The merchant cancels while the charge is in flight: the money moves, the status stays.
      expect((await ctx.cancel(racing)).body.Data).toBe(true)
      const results = await Promise.all([chargeRenewalAttempt(app.deps, attempt, now), chargeRenewalAttempt(app.deps, { ...attempt, reopened: true }, now)])
      const recorded = []
      for (const result of results) {
        if (result.status === 'unknown') throw new Error('unexpected unknown')
        recorded.push(await recordRenewalOutcome(app.deps, merchant, attempt, result, now))
      }
      expect(recorded.map((r) => r.recorded)).toEqual([true, false])
      expect(await ctx.get(racing)).toMatchObject({ RecurringStatus: 'Canceled', ExecutedTimes: 1 })
      expect([...(await ctx.approvedRenewals(racing)).values()]).toEqual([1])
      await expireLeases(ctx)
      expect((await runBillingPass(app.deps, merchant, { now: now + 5 * DAY_MS })).charges).toBe(0)
    })

    it('recovers a Resume that crashed after committing its attempt', async () => {
      const ctx = await openRecurringContext(app)
      // 4000000000001018 declines the first attempt of a cycle and approves the next one.
      const id = await ctx.createActive({ RecurringType: 'Daily', Iteration: 1, RetryCount: 0 }, '4000000000001018')
      await ctx.advance({ Days: 1 })
      expect(await ctx.get(id)).toMatchObject({ RecurringStatus: 'Uncompleted' })

      const { merchant, now } = await skipTime(ctx, 0)
      const db = app.deps.store.db
      await db.transaction().execute(async (trx) => {
        const row = await findRecurrence(trx, ctx.merchantId, ctx.internalId(id))
        if (!row) throw new Error(`${id} not stored`)
        await openRenewalAttempts(trx, app.deps, [row], 'resume', now)
      })
      const recovered = await runBillingPass(app.deps, merchant, { now })
      expect(recovered).toMatchObject({ charges: 1, approved: 1, statusChanges: 1 })
      expect(await ctx.get(id)).toMatchObject({ RecurringStatus: 'Completed', ExecutedTimes: 1 })
      expect((await attemptsOf(ctx, id)).map((a) => [a.attempt_number, a.status])).toEqual([
        [0, 'declined'],
        [1, 'approved'],
      ])
    })

    it('catches up every missed cycle after downtime, in order, without skipping', async () => {
      const ctx = await openRecurringContext(app)
      const id = await ctx.createActive({ RecurringType: 'Daily', Iteration: 0 })
      const { merchant, now } = await skipTime(ctx, 5 * DAY_MS)
      let total = 0
      for (let round = 0; round < 10; round++) total += (await runBillingPass(app.deps, merchant, { now })).charges
      expect(total).toBe(5)
      expect(await ctx.get(id)).toMatchObject({ RecurringStatus: 'Active', ExecutedTimes: 5 })
      expect([...(await ctx.approvedRenewals(id)).keys()].sort()).toEqual([1, 2, 3, 4, 5])
    })
  })
}
