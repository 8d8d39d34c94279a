import type { Merchant } from '../domain/merchant.js'
import { paymentErrorMessage, type PaymentErrorCode } from '../domain/payment-errors.js'
import type { ChargeResult } from '../processor/card-processor.js'
import type { TransactionRow } from '../store/transaction.repository.js'
import { enqueuePaymentStatusChanged } from '../webhooks/outbox.js'
import { activateRecurrenceOnFirstPayment } from './activate-recurrence.js'
import type { Deps } from '../deps.js'

/** Options for {@link recordCustomerPaymentOutcome}. */
export interface RecordCustomerPaymentOptions {
  readonly merchant: Merchant
  /** Internal id of the InProgress transaction the outcome belongs to. */
  readonly transactionId: number
  /**
   * What the processor (or the OTP step) decided. Resolve `unknown` with the processor's lookup
   * first (see resolveAmbiguousCharge); an `unknown` that reaches this function is recorded as
   * Failed MF008, "issuer not responding".
   */
  readonly result: ChargeResult
  /** The merchant's time (sandbox clock included). */
  readonly now: number
}

/** What {@link recordCustomerPaymentOutcome} did. */
export interface RecordedCustomerPayment {
  /** False when the transaction already had an outcome: recording is idempotent. */
  readonly recorded: boolean
  /** The transaction after recording. */
  readonly transaction: TransactionRow
}

/** Error code recorded when no outcome could be learnt from the processor. */
export const NO_ANSWER_ERROR_CODE: PaymentErrorCode = 'MF008'

/**
 * Records the outcome of a customer payment in one database transaction: the transaction becomes
 * `Succss` (with the processor's authorisation and reference) or `Failed` (with the MF code and
 * its message); an approval marks the invoice `Paid`, and the first payment of a recurrence
 * activates it; every outcome enqueues the PaymentStatusChanged webhook in the same commit
 * (DESIGN.md: a state change and its event commit together).
 */
export async function recordCustomerPaymentOutcome(
  deps: Deps,
  options: RecordCustomerPaymentOptions,
): Promise<RecordedCustomerPayment> {
  const { merchant, transactionId, result, now } = options
  return deps.store.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('transactions')
      .set({ ...outcomeColumns(result), updated_at: now })
      .where('id', '=', transactionId)
      .where('merchant_id', '=', merchant.id)
      .where('status', '=', 'InProgress')
      .executeTakeFirst()
    const transaction = await trx
      .selectFrom('transactions')
      .selectAll()
      .where('id', '=', transactionId)
      .where('merchant_id', '=', merchant.id)
      .executeTakeFirstOrThrow()
    if (Number(updated.numUpdatedRows) !== 1) return { recorded: false, transaction }

    if (result.status === 'approved') {
      const paid = await trx
        .updateTable('invoices')
        .set({ status: 'Paid', paid_at: now })
        .where('id', '=', transaction.invoice_id)
        .where('status', '=', 'Pending')
        .executeTakeFirst()
      if (Number(paid.numUpdatedRows) !== 1) {
        // The charge claim (payment-claim.ts) makes this unreachable; if it happens anyway the
        // money did move, so the transaction stays Succss and someone must refund by hand.
        deps.logger.error({ transactionId, invoiceId: transaction.invoice_id }, 'approved a payment for an invoice that was not Pending')
      } else {
        const invoice = await trx
          .selectFrom('invoices')
          .select(['recurrence_id', 'recurrence_cycle'])
          .where('id', '=', transaction.invoice_id)
          .executeTakeFirstOrThrow()
        if (invoice.recurrence_id !== null && invoice.recurrence_cycle === 0 && transaction.card_token_id !== null) {
          await activateRecurrenceOnFirstPayment(trx, deps, {
            invoiceId: transaction.invoice_id,
            cardTokenId: transaction.card_token_id,
            now,
          })
        }
      }
    }
    await enqueuePaymentStatusChanged(trx, deps, { transactionId, now })
    return { recorded: true, transaction }
  })
}

function outcomeColumns(result: ChargeResult) {
  switch (result.status) {
    case 'approved':
      return {
        status: 'Succss' as const,
        authorization_id: result.authorizationId,
        reference_id: result.referenceId,
        error_code: null,
        error_message: null,
      }
    case 'declined':
      return { status: 'Failed' as const, error_code: result.errorCode, error_message: paymentErrorMessage(result.errorCode) }
    case 'unknown':
      return { status: 'Failed' as const, error_code: NO_ANSWER_ERROR_CODE, error_message: paymentErrorMessage(NO_ANSWER_ERROR_CODE) }
  }
}
