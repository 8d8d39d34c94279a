import { chargeAuthorizesOnly } from '../domain/authorization.js'
import { declined, NO_ANSWER_ERROR_CODE, type ChargeResult } from '../domain/charge.js'
import { paymentRefusal, trackIdOf, type InvoiceRefusal } from '../domain/invoice.js'
import { merchantNow, type Merchant } from '../domain/merchant.js'
import type { PaymentErrorCode } from '../domain/payment-errors.js'
import { isCurrencyCode } from '../domain/currencies.js'
import type { Deps } from '../deps.js'
import { findChargeCards } from '../store/card-token.repository.js'
import { findAttempt, findOpenAttemptOfInvoice, insertAttempts, type ChargeAttemptRow } from '../store/charge-attempt.repository.js'
import type { Executor } from '../store/database.js'
import type { InvoiceRow } from '../store/invoice.repository.js'
import { lockInvoice } from '../store/payment.repository.js'
import { bindTransactionToAttempt, failUnchargedTransaction, findTransaction, listTransactions, type TransactionRow } from '../store/transaction.repository.js'
import { enqueuePaymentStatusChanged } from '../webhooks/outbox.js'
import { sendAttemptCharge } from './processor-call.js'
import { recordCustomerOutcome } from './record-customer-outcome.js'
import { recoverCustomerAttempt } from './recover-customer-attempts.js'

/**
 * The customer's side of the charging engine. Every payment a customer makes — hosted checkout
 * after its OTP step, DirectPayment with a card or a token, Card View sessions, KNET — goes
 * through {@link chargeCustomer}, with the protocol every movement of money follows:
 * 1. open: under the invoice's lock, check it can be paid and that no other charge of it is
 *    under way, write the attempt (`open`, leased to this process) and bind the transaction to
 *    it; commit. Nothing reaches the processor before this commit.
 * 2. charge: call the processor outside any database transaction, the attempt's id as its
 *    idempotency key; a lost reply is resolved through the processor's look-up.
 * 3. record: the outcome, the invoice and recurrence changes and the webhook event in one
 *    transaction (record-customer-outcome.ts).
 * 4. recover: an attempt whose process died between 1 and 3 stays open; once its lease runs out
 *    the recovery pass (recover-customer-attempts.ts) asks the processor and records what it did.
 */

/** An open attempt with the transaction it charges and the invoice it pays. */
export interface OpenedCharge {
  readonly attempt: ChargeAttemptRow
  readonly transaction: TransactionRow
  readonly invoice: InvoiceRow
}

/** How a customer's charge ended for the caller. */
export type CustomerChargeResult =
  /** The outcome is recorded (by this call, or before it when the transaction already had one). */
  | { readonly kind: 'final'; readonly transaction: TransactionRow; readonly invoice: InvoiceRow }
  /** The invoice cannot take this payment; nothing was written (`busy`: another charge of it is under way). */
  | { readonly kind: 'refused'; readonly reason: InvoiceRefusal; readonly invoice: InvoiceRow }
  /** The transaction waiting at its OTP step is gone: another payment of its invoice won, and it was never charged. */
  | { readonly kind: 'gone' }

/** Which transaction to charge: one waiting at its OTP step, or one created now under the invoice's lock. */
export type ChargeTarget =
  | { readonly kind: 'waiting'; readonly transactionId: number }
  /** Called inside the opening transaction once the invoice is known to be payable; what it writes rolls back with a refusal. */
  | { readonly kind: 'new'; readonly invoiceId: number; create(trx: Executor, invoice: InvoiceRow): Promise<TransactionRow> }

/** Options of {@link chargeCustomer}. */
export interface ChargeCustomerOptions {
  readonly merchant: Merchant
  readonly target: ChargeTarget
  /**
   * Sends the charge of the opened attempt (the processor, or KNET's page); called outside any
   * transaction. A lost reply is resolved through the processor's look-up before returning;
   * `unknown` means the charge never arrived.
   */
  charge(opened: OpenedCharge): Promise<ChargeResult>
}

/** Opens, charges and records one customer payment (see the protocol above). */
export async function chargeCustomer(deps: Deps, options: ChargeCustomerOptions): Promise<CustomerChargeResult> {
  const { merchant } = options
  for (let round = 0; ; round++) {
    const step = await deps.store.db.transaction().execute((trx) => openCustomerCharge(trx, deps, merchant, options.target))
    if (step.kind === 'stale' && round === 0) {
      // The invoice's last charge belongs to a process that died; settle it, then look again.
      await recoverCustomerAttempt(deps, step.attempt)
      continue
    }
    if (step.kind === 'stale') return { kind: 'refused', reason: 'busy', invoice: step.invoice }
    if (step.kind !== 'opened') return step
    const result = await options.charge(step.opened)
    // The charge already asked the processor's look-up about a lost reply (sendAttemptCharge):
    // `unknown` here means the processor never received it, so nothing was charged.
    const known = result.status === 'unknown' ? declined(NO_ANSWER_ERROR_CODE) : result
    const recorded = await recordCustomerOutcome(deps, {
      merchant,
      attemptId: step.opened.attempt.id,
      transactionId: step.opened.transaction.id,
      result: known,
      now: merchantNow(deps.clock.now(), merchant),
    })
    return { kind: 'final', transaction: recorded.transaction, invoice: step.opened.invoice }
  }
}

type OpenStep =
  | { readonly kind: 'opened'; readonly opened: OpenedCharge }
  | { readonly kind: 'stale'; readonly attempt: ChargeAttemptRow; readonly invoice: InvoiceRow }
  | CustomerChargeResult

async function openCustomerCharge(trx: Executor, deps: Deps, merchant: Merchant, target: ChargeTarget): Promise<OpenStep> {
  const now = merchantNow(deps.clock.now(), merchant)
  const realNow = deps.clock.now()
  let transaction: TransactionRow | undefined
  if (target.kind === 'waiting') {
    transaction = await findTransaction(trx, merchant.id, target.transactionId)
    if (!transaction) return { kind: 'gone' }
  }
  const invoiceId = target.kind === 'waiting' ? (transaction as TransactionRow).invoice_id : target.invoiceId
  const invoice = await lockInvoice(trx, deps.store.adapter, invoiceId)
  if (!invoice || invoice.merchant_id !== merchant.id) throw new Error(`Invoice ${invoiceId} of merchant ${merchant.id} does not exist`)
  if (transaction) {
    // Read again under the lock: another request may have charged or discarded it meanwhile.
    transaction = await findTransaction(trx, merchant.id, transaction.id)
    if (!transaction) return { kind: 'gone' }
    if (transaction.status !== 'InProgress') return { kind: 'final', transaction, invoice }
  }
  const open = await findOpenAttemptOfInvoice(trx, invoice.id)
  if (open) {
    return open.lease_until !== null && open.lease_until <= realNow ? { kind: 'stale', attempt: open, invoice } : { kind: 'refused', reason: 'busy', invoice }
  }
  const refusal = paymentRefusal(invoice, now)
  if (refusal) return { kind: 'refused', reason: refusal, invoice }
  // An authorised payment (AutoCapture off) holds the invoice until it is released.
  if ((await listTransactions(trx, invoice.id)).some((t) => t.status === 'Authorize')) return { kind: 'refused', reason: 'paid', invoice }
  if (!transaction) transaction = await (target as Extract<ChargeTarget, { kind: 'new' }>).create(trx, invoice)

  const [attempt] = await insertAttempts(trx, [
    {
      merchant_id: merchant.id,
      invoice_id: invoice.id,
      kind: 'customer',
      recurrence_id: null,
      cycle: null,
      attempt_number: null,
      lease_until: realNow + deps.config.billingLeaseMs,
      created_at: now,
    },
  ])
  if (!attempt) throw new Error(`The attempt of transaction ${transaction.id} was not written`)
  const trackId = trackIdOf(transaction, merchant.timeZone)
  if (!(await bindTransactionToAttempt(trx, transaction.id, attempt.id, trackId, now))) {
    throw new Error(`Transaction ${transaction.id} was charged under the invoice's lock`)
  }
  return { kind: 'opened', opened: { attempt, invoice, transaction: { ...transaction, attempt_id: attempt.id, track_id: trackId, updated_at: now } } }
}


/**
 * The charge of a stored card for {@link chargeCustomer}: the transaction's token, decrypted
 * just for the call; `securityCode` only when the customer typed it in this very request.
 */
export function chargeStoredCard(deps: Deps, merchant: Merchant, securityCode: string | null): ChargeCustomerOptions['charge'] {
  return async ({ attempt, transaction, invoice }) => {
    const [card] = transaction.card_token_id === null ? [] : await findChargeCards(deps.store.db, [transaction.card_token_id])
    if (!card) throw new Error(`Transaction ${transaction.id} has no card to charge`)
    // A saved card cancelled (CancelToken) while its payment waited is never charged: read right
    // before the processor call, inside the open attempt.
    if (card.deleted_at !== null) return declined('MF006')
    if (!isCurrencyCode(transaction.currency)) throw new Error(`Transaction ${transaction.id} has an unknown currency`)
    const authorizeOnly = chargeAuthorizesOnly(invoice, transaction)
    const charge = { attemptId: attempt.id, merchantId: merchant.id, amountMinor: transaction.amount_minor, currency: transaction.currency, card, securityCode, purpose: 'customer' as const, authorizeOnly }
    return sendAttemptCharge(deps, charge, merchantNow(deps.clock.now(), merchant), { askFirst: false })
  }
}

/**
 * Fails a transaction waiting at its OTP step without any charge (a wrong verification code),
 * with its webhook in the same commit. Refused like a charge when the invoice cannot be paid or
 * the transaction's charge is under way; the first outcome stands when it already has one.
 */
export async function declineWithoutCharge(deps: Deps, merchant: Merchant, transactionId: number, errorCode: PaymentErrorCode): Promise<CustomerChargeResult> {
  return deps.store.db.transaction().execute(async (trx) => {
    const now = merchantNow(deps.clock.now(), merchant)
    const found = await findTransaction(trx, merchant.id, transactionId)
    if (!found) return { kind: 'gone' }
    const invoice = await lockInvoice(trx, deps.store.adapter, found.invoice_id)
    if (!invoice) throw new Error(`Invoice ${found.invoice_id} does not exist`)
    const transaction = await findTransaction(trx, merchant.id, transactionId)
    if (!transaction) return { kind: 'gone' }
    if (transaction.status !== 'InProgress') return { kind: 'final', transaction, invoice }
    if (transaction.attempt_id !== null) return { kind: 'refused', reason: 'busy', invoice }
    const refusal = paymentRefusal(invoice, now)
    if (refusal) return { kind: 'refused', reason: refusal, invoice }
    await failUnchargedTransaction(trx, transactionId, declined(errorCode), now)
    await enqueuePaymentStatusChanged(trx, deps, { transactionId, now })
    const failed = await findTransaction(trx, merchant.id, transactionId)
    return { kind: 'final', transaction: failed ?? transaction, invoice }
  })
}

/**
 * What to do with a transaction whose charge is under way (an open attempt): `in-flight` while
 * its opener's lease lasts; once it ran out (the opener died), the attempt is settled here, as
 * the recovery pass would, and `settled` is returned.
 */
export async function settleIfAbandoned(deps: Deps, attemptId: number): Promise<'in-flight' | 'settled'> {
  const attempt = await findAttempt(deps.store.db, attemptId)
  if (!attempt || attempt.status !== 'open') return 'settled'
  if (attempt.lease_until === null || attempt.lease_until > deps.clock.now()) return 'in-flight'
  return (await recoverCustomerAttempt(deps, attempt)) ? 'settled' : 'in-flight'
}
