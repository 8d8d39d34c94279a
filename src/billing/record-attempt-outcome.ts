import { sql, type RawBuilder } from 'kysely'

import type { Merchant } from '../domain/merchant.js'
import {
  decideAfterAttempt,
  decideAfterResume,
  nextAttemptAt,
  type RecurrenceProgress,
  type RecurrenceStatus,
} from '../domain/recurrence.js'
import type { ChargeResult } from '../processor/card-processor.js'
import type { Deps } from '../deps.js'
import { recurrenceRowToProgress, recurrenceRowToSchedule, type RecurrenceRow } from '../store/recurrence.repository.js'
import type { PreparedAttempt } from './prepared-attempt.js'
import { announceAttemptOutcomes } from './recurring-events.js'

/** A charge result the engine can record: the processor answered approved or declined. */
export type KnownChargeResult = Exclude<ChargeResult, { status: 'unknown' }>

/** One processor answer to record. */
export interface AttemptOutcome {
  readonly attempt: PreparedAttempt
  readonly result: KnownChargeResult
}

/** What recording changed. */
export interface RecordedOutcome {
  /** False when another worker had recorded this attempt already (nothing was written). */
  readonly recorded: boolean
  readonly outcome: 'approved' | 'declined'
  readonly statusBefore: RecurrenceStatus
  readonly statusAfter: RecurrenceStatus
}

/** Records one answer; see {@link recordAttemptOutcomes}. */
export async function recordAttemptOutcome(
  deps: Deps,
  merchant: Pick<Merchant, 'timeZone'>,
  attempt: PreparedAttempt,
  result: KnownChargeResult,
  now: number,
): Promise<RecordedOutcome> {
  const [recorded] = await recordAttemptOutcomes(deps, merchant, [{ attempt, result }], now)
  if (!recorded) throw new Error(`Attempt ${attempt.attemptId} was not recorded`)
  return recorded
}

/**
 * Records processor answers in one transaction (a batch amortises the commit and writes rows
 * with one statement per table): each attempt is resolved, its transaction becomes `Succss` or
 * `Failed`, an approval pays the invoice, the recurrence moves on as domain/recurrence.ts
 * decides, and the webhook events are written in the same commit.
 *
 * Attempts are resolved with `WHERE status = 'open'`: when two workers race on one attempt (a
 * lease ran out under a slow worker), only the first records it; the other writes nothing.
 * The recurrences are locked first, in id order, so concurrent batches cannot deadlock.
 *
 * Attempts numbered above RetryCount are resumes (automatic attempts of a cycle are numbered
 * 0…RetryCount). When the recurrence changed under an attempt in flight (cancelled meanwhile),
 * its status stays as it is; an approval still counts in ExecutedTimes, because money moved.
 */
export async function recordAttemptOutcomes(
  deps: Deps,
  merchant: Pick<Merchant, 'timeZone'>,
  outcomes: readonly AttemptOutcome[],
  now: number,
): Promise<RecordedOutcome[]> {
  if (outcomes.length === 0) return []
  return deps.store.db.transaction().execute(async (trx) => {
    const recurrenceIds = [...new Set(outcomes.map((o) => o.attempt.recurrenceId))].sort((a, b) => a - b)
    const locking = deps.store.adapter.lockRows(trx.selectFrom('recurrences').selectAll().where('id', 'in', recurrenceIds).orderBy('id'))
    const rows = new Map<number, RecurrenceRow>((await locking.execute()).map((row) => [row.id, row]))

    const attemptIds = outcomes.map((o) => o.attempt.attemptId)
    const open = await trx
      .selectFrom('charge_attempts')
      .select('id')
      .where('id', 'in', attemptIds)
      .where('status', '=', 'open')
      .execute()
    const stillOpen = new Set(open.map((a) => a.id))

    const results: RecordedOutcome[] = []
    const recorded: AttemptOutcome[] = []
    const changed = new Map<number, RecurrenceRow>()
    for (const item of outcomes) {
      const { attempt, result } = item
      const row = rows.get(attempt.recurrenceId)
      if (!row) throw new Error(`Recurrence ${attempt.recurrenceId} of attempt ${attempt.attemptId} vanished`)
      const approved = result.status === 'approved'
      const before = recurrenceRowToProgress(row)
      if (!stillOpen.delete(attempt.attemptId)) {
        results.push({ recorded: false, outcome: result.status, statusBefore: before.status, statusAfter: before.status })
        continue
      }
      const after = decide(deps, merchant, row, before, attempt, approved)
      const schedule = recurrenceRowToSchedule(row, merchant.timeZone, deps.config.chargeHour)
      const next: RecurrenceRow = {
        ...row,
        status: after.status,
        next_cycle: after.nextCycle,
        failed_attempts: after.failedAttempts,
        executed_times: after.executedTimes,
        next_attempt_at: nextAttemptAt(schedule, after),
        last_pay_at: approved ? now : row.last_pay_at,
      }
      rows.set(row.id, next)
      changed.set(row.id, next)
      recorded.push(item)
      results.push({ recorded: true, outcome: result.status, statusBefore: before.status, statusAfter: after.status })
    }
    if (recorded.length === 0) return results

    const ids = recorded.map((o) => o.attempt.attemptId)
    await trx
      .updateTable('charge_attempts')
      .set({
        status: byId(ids, recorded.map((o) => o.result.status), 'text'),
        error_code: byId(ids, recorded.map((o) => (o.result.status === 'declined' ? o.result.errorCode : null)), 'text'),
        resolved_at: now,
      })
      .where('id', 'in', ids)
      .execute()

    const transactionIds = recorded.map((o) => o.attempt.transactionId)
    const pick = <T>(f: (r: KnownChargeResult) => T | null) => recorded.map((o) => f(o.result))
    await trx
      .updateTable('transactions')
      .set({
        status: byId(transactionIds, recorded.map((o) => (o.result.status === 'approved' ? 'Succss' : 'Failed')), 'text'),
        reference_id: byId(transactionIds, pick((r) => (r.status === 'approved' ? r.referenceId : null)), 'text'),
        authorization_id: byId(transactionIds, pick((r) => (r.status === 'approved' ? r.authorizationId : null)), 'text'),
        error_code: byId(transactionIds, pick((r) => (r.status === 'declined' ? r.errorCode : null)), 'text'),
        error_message: byId(transactionIds, pick((r) => (r.status === 'declined' ? r.message : null)), 'text'),
        updated_at: now,
      })
      .where('id', 'in', transactionIds)
      .execute()

    const paidInvoices = recorded.filter((o) => o.result.status === 'approved').map((o) => o.attempt.invoiceId)
    if (paidInvoices.length > 0) {
      await trx.updateTable('invoices').set({ status: 'Paid', paid_at: now }).where('id', 'in', paidInvoices).execute()
    }

    const updates = [...changed.values()]
    const changedIds = updates.map((r) => r.id)
    await trx
      .updateTable('recurrences')
      .set({
        status: byId(changedIds, updates.map((r) => r.status), 'text'),
        next_cycle: byId(changedIds, updates.map((r) => r.next_cycle), 'integer'),
        failed_attempts: byId(changedIds, updates.map((r) => r.failed_attempts), 'integer'),
        executed_times: byId(changedIds, updates.map((r) => r.executed_times), 'integer'),
        next_attempt_at: byId(changedIds, updates.map((r) => r.next_attempt_at), 'bigint'),
        last_pay_at: byId(changedIds, updates.map((r) => r.last_pay_at), 'bigint'),
        lease_until: null,
        updated_at: now,
      })
      .where('id', 'in', changedIds)
      .execute()

    await announceAttemptOutcomes(trx, deps, recorded.map((o) => o.attempt), now)
    return results
  })
}

function decide(
  deps: Deps,
  merchant: Pick<Merchant, 'timeZone'>,
  row: RecurrenceRow,
  before: RecurrenceProgress,
  attempt: PreparedAttempt,
  approved: boolean,
): RecurrenceProgress {
  const schedule = recurrenceRowToSchedule(row, merchant.timeZone, deps.config.chargeHour)
  const outcome = approved ? 'approved' : 'declined'
  const isResume = attempt.attemptNumber > row.retry_count
  const onSchedule = attempt.cycle === before.nextCycle
  if (isResume && onSchedule && before.status === 'Uncompleted') return decideAfterResume(schedule, before, outcome)
  if (!isResume && onSchedule && before.status === 'Active' && attempt.attemptNumber === before.failedAttempts) {
    return decideAfterAttempt(schedule, before, outcome)
  }
  return approved
    ? { ...before, nextCycle: before.nextCycle + 1, failedAttempts: 0, executedTimes: before.executedTimes + 1 }
    : before
}

/**
 * `CASE id WHEN … THEN … END`: one statement sets a different value on each row. Values are
 * cast, so PostgreSQL knows their type even when every one is a parameter or null.
 */
function byId<T extends string | number | null>(
  ids: readonly number[],
  values: readonly T[],
  type: 'text' | 'integer' | 'bigint',
): RawBuilder<T> {
  const cases = ids.map((id, index) => sql`WHEN ${id} THEN CAST(${values[index] ?? null} AS ${sql.raw(type)})`)
  return sql<T>`CASE id ${sql.join(cases, sql` `)} END`
}
