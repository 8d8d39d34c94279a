import type { KnownChargeResult } from '../domain/charge.js'
import type { Merchant } from '../domain/merchant.js'
import { nextAttemptAt, progressAfterCharge, type RecurrenceStatus } from '../domain/recurrence.js'
import type { Deps } from '../deps.js'
import { filterOpenAttempts, resolveAttempts } from '../store/charge-attempt.repository.js'
import { markInvoicesPaid } from '../store/payment.repository.js'
import {
  lockRecurrences,
  recurrenceRowToProgress,
  recurrenceRowToSchedule,
  saveRecurrenceRows,
  type RecurrenceRow,
} from '../store/recurrence.repository.js'
import { settleTransactions } from '../store/transaction.repository.js'
import { announceAttemptOutcomes } from './recurring-events.js'
import { reportChargeOutcome } from './report-charge.js'
import type { RenewalAttempt } from './renewal-attempt.js'

/** One processor answer to record. */
export interface RenewalOutcome {
  readonly attempt: RenewalAttempt
  readonly result: KnownChargeResult
}

/** What recording changed. */
export interface RecordedRenewal {
  /** False when another process had recorded this attempt already (nothing was written). */
  readonly recorded: boolean
  readonly outcome: 'approved' | 'declined'
  readonly statusBefore: RecurrenceStatus
  readonly statusAfter: RecurrenceStatus
}

/** Records one answer; see {@link recordRenewalOutcomes}. */
export async function recordRenewalOutcome(
  deps: Deps,
  merchant: Pick<Merchant, 'timeZone'>,
  attempt: RenewalAttempt,
  result: KnownChargeResult,
  now: number,
): Promise<RecordedRenewal> {
  const [recorded] = await recordRenewalOutcomes(deps, merchant, [{ attempt, result }], now)
  if (!recorded) throw new Error(`Attempt ${attempt.attemptId} was not recorded`)
  return recorded
}

/**
 * Records processor answers of recurring attempts in one transaction (a batch amortises the
 * commit and writes each table with one statement): each attempt is resolved, its transaction
 * becomes `Succss` or `Failed`, an approval pays the invoice, the recurrence moves on as
 * domain/recurrence.ts `progressAfterCharge` decides, and the webhook events are written in the
 * same commit.
 *
 * Only attempts still `open` are recorded: when two processes race on one attempt (a lease ran
 * out under a slow worker), the first records it and the other writes nothing. The recurrences
 * are locked first, in id order, so concurrent batches cannot deadlock.
 */
export async function recordRenewalOutcomes(
  deps: Deps,
  merchant: Pick<Merchant, 'timeZone'>,
  outcomes: readonly RenewalOutcome[],
  now: number,
): Promise<RecordedRenewal[]> {
  if (outcomes.length === 0) return []
  const { results, recorded } = await deps.store.db.transaction().execute(async (trx) => {
    const locked = await lockRecurrences(trx, deps.store.adapter, outcomes.map((o) => o.attempt.recurrenceId))
    const rows = new Map<number, RecurrenceRow>(locked.map((row) => [row.id, row]))
    const stillOpen = await filterOpenAttempts(trx, outcomes.map((o) => o.attempt.attemptId))

    const results: RecordedRenewal[] = []
    const recorded: RenewalOutcome[] = []
    const changed = new Map<number, RecurrenceRow>()
    for (const item of outcomes) {
      const { attempt, result } = item
      const row = rows.get(attempt.recurrenceId)
      if (!row) throw new Error(`Recurrence ${attempt.recurrenceId} of attempt ${attempt.attemptId} vanished`)
      const before = recurrenceRowToProgress(row)
      if (!stillOpen.delete(attempt.attemptId)) {
        results.push({ recorded: false, outcome: result.status, statusBefore: before.status, statusAfter: before.status })
        continue
      }
      const schedule = recurrenceRowToSchedule(row, merchant.timeZone, deps.config.chargeHour)
      const after = progressAfterCharge(schedule, before, attempt, result.status)
      const next: RecurrenceRow = {
        ...row,
        status: after.status,
        next_cycle: after.nextCycle,
        failed_attempts: after.failedAttempts,
        executed_times: after.executedTimes,
        next_attempt_at: nextAttemptAt(schedule, after),
        last_pay_at: result.status === 'approved' ? now : row.last_pay_at,
      }
      rows.set(row.id, next)
      changed.set(row.id, next)
      recorded.push(item)
      results.push({ recorded: true, outcome: result.status, statusBefore: before.status, statusAfter: after.status })
    }
    if (recorded.length === 0) return { results, recorded }

    await resolveAttempts(trx, recorded.map((o) => ({ attemptId: o.attempt.attemptId, result: o.result })), now)
    await settleTransactions(trx, recorded.map((o) => ({ transactionId: o.attempt.transactionId, result: o.result })), now)
    await markInvoicesPaid(trx, recorded.filter((o) => o.result.status === 'approved').map((o) => o.attempt.invoiceId), now)
    await saveRecurrenceRows(trx, [...changed.values()], now)
    await announceAttemptOutcomes(trx, deps, recorded.map((o) => o.attempt), now)
    return { results, recorded }
  })
  // After the commit: what this call wrote is counted once, here.
  for (const { attempt, result } of recorded) {
    reportChargeOutcome(deps, { kind: attempt.kind, attemptId: attempt.attemptId, merchantId: attempt.merchantId, result, recovered: attempt.reopened })
  }
  return results
}
