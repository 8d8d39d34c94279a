import type { Transaction } from 'kysely'

import { AppError } from '../domain/errors.js'
import { merchantNow, type Merchant } from '../domain/merchant.js'
import { paymentErrorMessage } from '../domain/payment-errors.js'
import type { PaymentMethod } from '../domain/payment-methods.js'
import type { Database } from '../store/database.js'
import { type InvoiceRow } from '../store/invoice.repository.js'
import { findTransaction, type TransactionRow } from '../store/transaction.repository.js'
import type { Deps } from '../deps.js'
import { trackIdOf } from '../domain/invoice.js'
import { NO_ANSWER_ERROR_CODE, recordCustomerPaymentOutcome } from './record-customer-payment.js'

/**
 * Customer payments of one invoice are serialised here. The rules:
 * - an invoice takes a payment only while `Pending` and not expired;
 * - a transaction is *claimed* just before its charge goes to the processor: `track_id` is set
 *   then (the gateway's tracking number is assigned when the request leaves for the gateway), so
 *   an InProgress transaction with a `track_id` is one whose charge may be under way;
 * - while one transaction of an invoice is claimed, no other can be: two OTP forms submitted at
 *   once, or a double click, give one charge.
 * Claims are taken under a lock of the invoice row, in a short database transaction that ends
 * before the processor is called (DESIGN.md: never hold a transaction across a processor call).
 */

/** Why an invoice cannot take a payment now. */
export type InvoiceRefusal = 'paid' | 'expired' | 'canceled' | 'busy'

/** Channels of customer payments (`transactions.channel`). */
export type CustomerChannel = 'hosted' | 'direct' | 'embedded'

/**
 * A claim older than this whose outcome was never recorded belongs to a process that died
 * mid-charge; the next payment attempt settles it through the processor's look-up.
 */
export const ABANDONED_CHARGE_MS = 2 * 60_000

/** The processor idempotency key of a customer payment (KEY INTEGRATION CONTRACT). */
export function chargeKey(transactionId: number): string {
  return `txn-${transactionId}`
}

/**
 * Locks an invoice row for the rest of the transaction and reads it. A no-op UPDATE takes the
 * row's write lock on PostgreSQL and the write lock of the database on SQLite, so concurrent
 * payments of one invoice queue here on both (SQLite has no `SELECT … FOR UPDATE`).
 */
export async function lockInvoiceForPayment(trx: Transaction<Database>, invoiceId: number): Promise<InvoiceRow> {
  await trx
    .updateTable('invoices')
    .set((eb) => ({ status: eb.ref('status') }))
    .where('id', '=', invoiceId)
    .execute()
  return trx.selectFrom('invoices').selectAll().where('id', '=', invoiceId).executeTakeFirstOrThrow()
}

/** Why the invoice cannot be paid at `now` (merchant time), or undefined when it can. */
export function invoiceRefusal(invoice: Pick<InvoiceRow, 'status' | 'expires_at'>, now: number): InvoiceRefusal | undefined {
  if (invoice.status === 'Paid') return 'paid'
  if (invoice.status !== 'Pending') return 'canceled'
  if (invoice.expires_at <= now) return 'expired'
  return undefined
}

/** Values of a new InProgress customer transaction. */
export interface NewCustomerTransaction {
  readonly merchant: Merchant
  readonly invoice: InvoiceRow
  readonly method: PaymentMethod
  readonly channel: CustomerChannel
  readonly cardTokenId: number | null
  readonly ipAddress: string | null
  readonly now: number
}

/** Inserts an InProgress, unclaimed transaction for the whole invoice amount. */
export async function insertCustomerTransaction(trx: Transaction<Database>, values: NewCustomerTransaction): Promise<TransactionRow> {
  return trx
    .insertInto('transactions')
    .values({
      invoice_id: values.invoice.id,
      merchant_id: values.merchant.id,
      status: 'InProgress',
      channel: values.channel,
      payment_method_id: values.method.id,
      gateway: values.method.gateway,
      amount_minor: values.invoice.value_minor,
      currency: values.invoice.currency,
      card_token_id: values.cardTokenId,
      error_code: null,
      error_message: null,
      reference_id: null,
      track_id: null,
      authorization_id: null,
      ip_address: values.ipAddress,
      attempt_id: null,
      created_at: values.now,
      updated_at: values.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** The result of {@link claimCharge}. */
export type ChargeClaim =
  /** This caller, and only it, may now charge the transaction. */
  | { kind: 'claimed'; transaction: TransactionRow; invoice: InvoiceRow }
  /** The transaction already has its outcome. */
  | { kind: 'final'; transaction: TransactionRow; invoice: InvoiceRow }
  /** The invoice cannot take this payment (`busy`: a charge of it is under way). */
  | { kind: 'refused'; reason: InvoiceRefusal; transaction: TransactionRow; invoice: InvoiceRow }

/** Claims the charge of an InProgress transaction (see the rules at the top of this file). */
export async function claimCharge(deps: Deps, merchant: Merchant, transactionId: number): Promise<ChargeClaim> {
  for (let round = 0; ; round++) {
    const now = merchantNow(deps.clock.now(), merchant)
    const step = await deps.store.db.transaction().execute(async (trx) => {
      const found = await findTransaction(trx, merchant.id, transactionId)
      if (!found) throw new AppError('NOT_FOUND', `Transaction ${transactionId} does not exist`)
      const invoice = await lockInvoiceForPayment(trx, found.invoice_id)
      // Read again under the lock: another request may have claimed or finished it meanwhile.
      const transaction = (await findTransaction(trx, merchant.id, transactionId)) ?? found
      if (transaction.status !== 'InProgress') return { kind: 'final' as const, transaction, invoice }
      const charging = await trx
        .selectFrom('transactions')
        .select(['id', 'updated_at'])
        .where('invoice_id', '=', invoice.id)
        .where('status', '=', 'InProgress')
        .where('track_id', 'is not', null)
        .execute()
      const abandoned = charging.filter((row) => now - row.updated_at >= ABANDONED_CHARGE_MS).map((row) => row.id)
      if (abandoned.length > 0 && round === 0) return { kind: 'abandoned' as const, ids: abandoned }
      if (charging.length > 0) return { kind: 'refused' as const, reason: 'busy' as const, transaction, invoice }
      const refusal = invoiceRefusal(invoice, now)
      if (refusal) return { kind: 'refused' as const, reason: refusal, transaction, invoice }
      const trackId = trackIdOf(transaction, merchant.timeZone)
      await trx
        .updateTable('transactions')
        .set({ track_id: trackId, updated_at: now })
        .where('id', '=', transaction.id)
        .where('track_id', 'is', null)
        .execute()
      return { kind: 'claimed' as const, transaction: { ...transaction, track_id: trackId, updated_at: now }, invoice }
    })
    if (step.kind !== 'abandoned') return step
    for (const id of step.ids) await settleAbandonedCharge(deps, merchant, id)
  }
}

/**
 * Records the outcome of a claimed charge whose process died before recording it: whatever the
 * processor says it did with the charge's key, or Failed MF008 when it never received it.
 */
export async function settleAbandonedCharge(deps: Deps, merchant: Merchant, transactionId: number): Promise<void> {
  const known = await deps.processor.lookup(chargeKey(transactionId))
  const result =
    known && known.status !== 'unknown'
      ? known
      : { status: 'declined' as const, errorCode: NO_ANSWER_ERROR_CODE, message: paymentErrorMessage(NO_ANSWER_ERROR_CODE) }
  deps.logger.warn({ transactionId, outcome: result.status }, 'settled a customer charge abandoned mid-way')
  await recordCustomerPaymentOutcome(deps, { merchant, transactionId, result, now: merchantNow(deps.clock.now(), merchant) })
}
