import { AppError, validationError } from '../domain/errors.js'
import { merchantNow, type Merchant } from '../domain/merchant.js'
import { fromRecurringId } from '../domain/public-ids.js'
import { cancel, cancelRefusal } from '../domain/recurrence.js'
import { announceRecurringUpdate } from '../charging/recurring-events.js'
import { UNKNOWN_RECURRING_ID } from './get-recurring-payment.js'
import { lockRecurrence, recurrenceRowToProgress, setRecurrenceStatus, type RecurrenceRow } from '../store/recurrence.repository.js'
import type { Executor } from '../store/database.js'
import type { Deps } from '../deps.js'

/** MyFatoorah's success text for CancelRecurringPayment (reference §1.3). */
export const CANCEL_SUCCESS_MESSAGE = 'Canceled successfully'

/** The error of an unknown, malformed or other merchant's RecurringId (reference §5.2 recommendation). */
export function unknownRecurringIdError(): AppError {
  return validationError([{ Name: 'RecurringId', Error: UNKNOWN_RECURRING_ID }], false)
}

/**
 * Locks a merchant's recurrence by its public RecurringId inside `trx`; an unknown id and
 * another merchant's id both answer the same 400 with `Data: false`, so ids reveal nothing.
 */
export async function lockRecurrenceByPublicId(
  trx: Executor,
  deps: Deps,
  merchant: Pick<Merchant, 'id'>,
  recurringId: string | undefined,
): Promise<RecurrenceRow> {
  if (recurringId === undefined || recurringId.trim() === '') {
    throw validationError([{ Name: 'RecurringId', Error: 'RecurringId is required, e.g. ?recurringId=RECUR123' }], false)
  }
  const id = fromRecurringId(recurringId, deps.ids)
  const row = id === undefined ? undefined : await lockRecurrence(trx, deps.store.adapter, id)
  if (!row || row.merchant_id !== merchant.id) throw unknownRecurringIdError()
  return row
}

/**
 * CancelRecurringPayment: the recurrence becomes Canceled, which is final, and nothing more is
 * charged. Cancelling a Canceled recurrence is an error, and so is cancelling a Completed one
 * (it has nothing left to charge, and its status must keep saying it ended by itself). A
 * charge already sent to the processor when the cancel arrives is still recorded, and counts
 * in ExecutedTimes if approved, because the money moved (docs/recurring.md).
 */
export async function cancelRecurringPayment(
  deps: Deps,
  merchant: Merchant,
  recurringId: string | undefined,
): Promise<void> {
  const now = merchantNow(deps.clock.now(), merchant)
  await deps.store.db.transaction().execute(async (trx) => {
    const row = await lockRecurrenceByPublicId(trx, deps, merchant, recurringId)
    const progress = recurrenceRowToProgress(row)
    const refusal = cancelRefusal(progress.status)
    if (refusal) throw new AppError('INVALID_STATE', 'Invalid data', { fieldErrors: [{ Name: 'RecurringId', Error: refusal }], data: false })
    // An attempt in flight keeps its lease: its outcome is still recorded when it comes.
    await setRecurrenceStatus(trx, row.id, cancel(progress).status, now)
    await announceRecurringUpdate(trx, deps, { recurrenceId: row.id, transactionId: null, now })
  })
}
