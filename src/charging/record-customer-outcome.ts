import { chargeAuthorizesOnly } from '../domain/authorization.js'
import type { KnownChargeResult } from '../domain/charge.js'
import type { Merchant } from '../domain/merchant.js'
import type { Deps } from '../deps.js'
import { deleteOrphanSessionTokens, markCardTokenSaved } from '../store/card-token.repository.js'
import { resolveAttempts } from '../store/charge-attempt.repository.js'
import { findInvoice } from '../store/invoice.repository.js'
import { markInvoicesPaid } from '../store/payment.repository.js'
import { discardUnchargedTransactions, findTransaction, settleTransactions, type TransactionRow } from '../store/transaction.repository.js'
import { enqueuePaymentStatusChanged } from '../webhooks/outbox.js'
import { activateRecurrenceOnFirstPayment } from './activate-recurrence.js'
import { reportChargeOutcome } from './report-charge.js'

/** Options of {@link recordCustomerOutcome}. */
export interface RecordCustomerOutcomeOptions {
  readonly merchant: Pick<Merchant, 'id'>
  readonly attemptId: number
  /** The transaction the attempt charged. */
  readonly transactionId: number
  readonly result: KnownChargeResult
  /** The merchant's time (sandbox clock included). */
  readonly now: number
}

/** What {@link recordCustomerOutcome} did. */
export interface RecordedCustomerOutcome {
  /** False when the attempt was already resolved (by recovery, or a racing request): nothing was written. */
  readonly recorded: boolean
  /** The transaction as it stands after recording. */
  readonly transaction: TransactionRow
}

/**
 * Records the outcome of a customer's charge attempt in one database transaction:
 * - the attempt is resolved, only while still `open` (whoever records second writes nothing);
 * - the transaction becomes `Succss` (with the processor's authorisation and reference) or
 *   `Failed` (with the MF code and its message);
 * - an approval pays the invoice — also when it expired meanwhile: what the processor took is
 *   always recorded — keeps the card when the customer asked for it (SaveToken), activates the
 *   recurrence of a first invoice, and discards the invoice's other InProgress transactions that
 *   were never charged (a second tab, a payment that lost the race) with their one-payment cards;
 * - the PaymentStatusChanged webhook of the transaction is written to the outbox, before the
 *   recurring update that an activation writes, so the merchant hears of the payment first.
 */
export async function recordCustomerOutcome(deps: Deps, options: RecordCustomerOutcomeOptions): Promise<RecordedCustomerOutcome> {
  const { merchant, attemptId, transactionId, result, now } = options
  const outcome = await deps.store.db.transaction().execute(async (trx): Promise<RecordedCustomerOutcome> => {
    const resolved = await resolveAttempts(trx, [{ attemptId, result }], now)
    if (resolved === 0) {
      const transaction = await findTransaction(trx, merchant.id, transactionId)
      if (!transaction) throw new Error(`Transaction ${transactionId} of attempt ${attemptId} is missing`)
      return { recorded: false, transaction }
    }
    const charged = await findTransaction(trx, merchant.id, transactionId)
    const invoice = charged ? await findInvoice(trx, merchant.id, charged.invoice_id) : undefined
    if (!charged || !invoice) throw new Error(`Transaction ${transactionId} of attempt ${attemptId} or its invoice is missing`)
    // AutoCapture off: the card was only authorised; the invoice stays Pending until UpdatePaymentStatus.
    const authorizeOnly = chargeAuthorizesOnly(invoice, charged)
    await settleTransactions(trx, [{ transactionId, result, authorizeOnly }], now)
    const transaction = await findTransaction(trx, merchant.id, transactionId)
    if (!transaction) throw new Error(`Transaction ${transactionId} of attempt ${attemptId} is missing`)
    await enqueuePaymentStatusChanged(trx, deps, { transactionId, now })
    if (result.status === 'approved' && authorizeOnly) {
      if (transaction.card_token_id !== null && transaction.save_card === 1) await markCardTokenSaved(trx, transaction.card_token_id)
      await deleteOrphanSessionTokens(trx, await discardUnchargedTransactions(trx, [transaction.invoice_id]))
    } else if (result.status === 'approved') {
      if ((await markInvoicesPaid(trx, [transaction.invoice_id], now)) !== 1) {
        // Only a Canceled invoice gets here: the money moved all the same, so the transaction
        // stays Succss and someone must refund it.
        deps.logger.error({ transactionId, invoiceId: transaction.invoice_id }, 'a charge was approved for an invoice that was not Pending')
      }
      if (transaction.card_token_id !== null) {
        if (transaction.save_card === 1) await markCardTokenSaved(trx, transaction.card_token_id)
        await activateRecurrenceOnFirstPayment(trx, deps, { invoiceId: transaction.invoice_id, cardTokenId: transaction.card_token_id, now })
      }
      await deleteOrphanSessionTokens(trx, await discardUnchargedTransactions(trx, [transaction.invoice_id]))
    }
    return { recorded: true, transaction }
  })
  if (outcome.recorded) reportChargeOutcome(deps, { kind: 'customer', attemptId, merchantId: merchant.id, result })
  return outcome
}
