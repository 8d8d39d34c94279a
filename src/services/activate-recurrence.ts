import { randomUUID } from 'node:crypto'

import { AppError } from '../domain/errors.js'
import { timeZoneOf } from '../domain/merchant.js'
import { activate, nextAttemptAt } from '../domain/recurrence.js'
import { formatLocalDate, localDateOf } from '../domain/schedule.js'
import { isCountryCode } from '../domain/countries.js'
import { announceRecurringUpdate } from '../billing/recurring-events.js'
import type { Executor } from '../store/database.js'
import { lockRecurrence, recurrenceRowToProgress, recurrenceRowToSchedule } from '../store/recurrence.repository.js'
import type { Deps } from '../deps.js'

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
 * Moves the Draft recurrence of a first invoice to Active, inside the caller's transaction that
 * records the approved payment (so payment, activation and the webhook commit together).
 *
 * - The card is copied into a token of purpose `recurring`: the encrypted columns are copied
 *   as they are (nothing is decrypted), and the copy is never shown to the merchant, so deleting
 *   a saved card or a session token never stops the recurrence (reference §3.1).
 * - The schedule is re-anchored on the local date of this payment: a customer who pays a day
 *   after ExecutePayment is charged one period after paying, not after the invoice was created.
 * - An invoice that is not a Draft recurrence's first invoice is ignored, and so is a second
 *   call for an already activated recurrence (the payment recorder may be retried).
 */
export async function activateRecurrenceOnFirstPayment(
  trx: Executor,
  deps: Deps,
  { invoiceId, cardTokenId, now }: ActivateRecurrenceOptions,
): Promise<void> {
  const found = await trx
    .selectFrom('recurrences')
    .select('id')
    .where('initial_invoice_id', '=', invoiceId)
    .executeTakeFirst()
  if (!found) return
  const recurrence = await lockRecurrence(trx, deps.store.adapter, found.id)
  if (!recurrence || recurrence.status !== 'Draft') return

  const merchant = await trx
    .selectFrom('merchants')
    .select(['id', 'country'])
    .where('id', '=', recurrence.merchant_id)
    .executeTakeFirstOrThrow()
  if (!isCountryCode(merchant.country)) {
    throw new AppError('INTERNAL', `Merchant ${merchant.id} has an unknown country ${merchant.country}`)
  }
  const timeZone = timeZoneOf(merchant.country)

  const card = await trx
    .selectFrom('card_tokens')
    .selectAll()
    .where('id', '=', cardTokenId)
    .where('merchant_id', '=', recurrence.merchant_id)
    .executeTakeFirst()
  if (!card) throw new AppError('INTERNAL', `Card token ${cardTokenId} of the first payment is missing`)
  const copy = await trx
    .insertInto('card_tokens')
    .values({
      merchant_id: card.merchant_id,
      token: `TKN-${randomUUID()}`,
      purpose: 'recurring',
      customer_identifier: card.customer_identifier,
      pan_encrypted: card.pan_encrypted,
      pan_hash: card.pan_hash,
      masked_number: card.masked_number,
      brand: card.brand,
      issuer: card.issuer,
      expiry_month: card.expiry_month,
      expiry_year: card.expiry_year,
      holder_name: card.holder_name,
      created_at: now,
      deleted_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()

  const anchorDate = formatLocalDate(localDateOf(now, timeZone))
  const schedule = recurrenceRowToSchedule({ ...recurrence, anchor_date: anchorDate }, timeZone, deps.config.chargeHour)
  const progress = activate(recurrenceRowToProgress(recurrence))
  await trx
    .updateTable('recurrences')
    .set({
      status: progress.status,
      anchor_date: anchorDate,
      card_token_id: copy.id,
      next_cycle: progress.nextCycle,
      failed_attempts: progress.failedAttempts,
      executed_times: progress.executedTimes,
      next_attempt_at: nextAttemptAt(schedule, progress),
      lease_until: null,
      updated_at: now,
    })
    .where('id', '=', recurrence.id)
    .where('status', '=', 'Draft')
    .execute()
  await announceRecurringUpdate(trx, deps, { recurrenceId: recurrence.id, transactionId: null, now })
}
