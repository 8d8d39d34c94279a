import { AppError } from '../domain/errors.js'
import { activate, nextAttemptAt } from '../domain/recurrence.js'
import { formatLocalDate, localDateOf } from '../domain/schedule.js'
import type { Deps } from '../deps.js'
import { copyCardTokenForRecurrence } from '../store/card-token.repository.js'
import type { Executor } from '../store/database.js'
import { findMerchantById } from '../store/merchant.repository.js'
import {
  findRecurrenceIdOfInitialInvoice,
  lockRecurrence,
  recurrenceRowToProgress,
  recurrenceRowToSchedule,
  saveRecurrenceProgress,
} from '../store/recurrence.repository.js'
import { announceRecurringUpdate } from './recurring-events.js'

/** What {@link activateRecurrenceOnFirstPayment} needs to know about the approved first payment. */
export interface ActivateRecurrenceOptions {
  /** Internal id of the invoice that was just paid. */
  readonly invoiceId: number
  /** Internal id of the card token the customer paid with. */
  readonly cardTokenId: number
  /** The merchant's clock at the payment (sandbox offset included). */
  readonly now: number
}

/**
 * Moves the Draft recurrence of a first invoice to Active (domain/recurrence.ts `activate`),
 * inside the caller's transaction that records the approved payment, so payment, activation and
 * the webhook commit together.
 *
 * - The card is copied into a token of purpose `recurring` (the ciphertext as it is), never shown
 *   to the merchant, so deleting a saved card or a session token never stops the recurrence.
 * - The schedule is re-anchored on the local date of this payment: a customer who pays a day
 *   after ExecutePayment is charged one period after paying, not after the invoice was created.
 * - An invoice that is not a Draft recurrence's first invoice is ignored, and so is a second
 *   call for an already activated recurrence (recording may be retried).
 */
export async function activateRecurrenceOnFirstPayment(
  trx: Executor,
  deps: Deps,
  { invoiceId, cardTokenId, now }: ActivateRecurrenceOptions,
): Promise<void> {
  const recurrenceId = await findRecurrenceIdOfInitialInvoice(trx, invoiceId)
  if (recurrenceId === undefined) return
  const recurrence = await lockRecurrence(trx, deps.store.adapter, recurrenceId)
  if (!recurrence || recurrence.status !== 'Draft') return

  const merchant = await findMerchantById(trx, recurrence.merchant_id)
  if (!merchant) throw new AppError('INTERNAL', `Merchant ${recurrence.merchant_id} of recurrence ${recurrence.id} is missing`)
  const timeZone = merchant.timeZone
  const copyId = await copyCardTokenForRecurrence(trx, recurrence.merchant_id, cardTokenId, now)
  if (copyId === undefined) throw new AppError('INTERNAL', `Card token ${cardTokenId} of the first payment is missing`)

  const anchorDate = formatLocalDate(localDateOf(now, timeZone))
  const schedule = recurrenceRowToSchedule({ ...recurrence, anchor_date: anchorDate }, timeZone, deps.config.chargeHour)
  const progress = activate(recurrenceRowToProgress(recurrence))
  await saveRecurrenceProgress(trx, recurrence.id, {
    progress,
    nextAttemptAt: nextAttemptAt(schedule, progress),
    anchorDate,
    cardTokenId: copyId,
    onlyFrom: 'Draft',
    now,
  })
  await announceRecurringUpdate(trx, deps, { recurrenceId: recurrence.id, transactionId: null, now })
}
