import { isCurrencyCode } from '../domain/currencies.js'
import { AppError } from '../domain/errors.js'
import { merchantNow, type Merchant } from '../domain/merchant.js'
import { paymentErrorMessage } from '../domain/payment-errors.js'
import type { ChargeResult } from '../processor/card-processor.js'
import { findCardTokenById, readCardNumber } from '../store/card-token.repository.js'
import type { TransactionRow } from '../store/transaction.repository.js'
import type { Deps } from '../deps.js'
import { chargeKey } from './payment-claim.js'
import { NO_ANSWER_ERROR_CODE, recordCustomerPaymentOutcome } from './record-customer-payment.js'

/** Options for {@link chargeClaimedTransaction}. */
export interface ChargeClaimedTransactionOptions {
  readonly merchant: Merchant
  /** A transaction this caller claimed (payment-claim.ts `claimCharge`). */
  readonly transaction: TransactionRow
  /**
   * The security code, only when the customer typed it in this very request (DirectPayment with
   * Bypass3DS). The CVV is never stored, so charges after the OTP step go without one, as
   * charges of stored cards do.
   */
  readonly securityCode: string | null
}

/**
 * Charges a claimed transaction's card and records the outcome: the processor is called with
 * the root database and outside any database transaction, keyed `txn-<id>`, and the outcome is
 * recorded in a second transaction (KEY INTEGRATION CONTRACT).
 */
export async function chargeClaimedTransaction(deps: Deps, options: ChargeClaimedTransactionOptions): Promise<TransactionRow> {
  const { merchant, transaction, securityCode } = options
  if (transaction.card_token_id === null) throw new AppError('INTERNAL', `Transaction ${transaction.id} has no card to charge`)
  const token = await findCardTokenById(deps.store.db, merchant.id, transaction.card_token_id)
  if (!token) throw new AppError('INTERNAL', `Card token of transaction ${transaction.id} is missing`)
  if (!isCurrencyCode(transaction.currency)) throw new AppError('INTERNAL', `Transaction ${transaction.id} has an unknown currency`)

  const key = chargeKey(transaction.id)
  let result = await deps.processor.charge(
    {
      idempotencyKey: key,
      merchantId: merchant.id,
      amountMinor: transaction.amount_minor,
      currency: transaction.currency,
      card: {
        number: readCardNumber(deps.vault, token),
        expiryMonth: token.expiry_month,
        expiryYear: token.expiry_year,
        securityCode,
        holderName: token.holder_name,
      },
      cardTokenId: token.id,
      purpose: 'customer',
    },
    merchantNow(deps.clock.now(), merchant),
  )
  if (result.status === 'unknown') result = await resolveAmbiguousCharge(deps, key)
  deps.logger.debug({ transactionId: transaction.id, maskedCard: token.masked_number, outcome: result.status }, 'customer charge')
  const recorded = await recordCustomerPaymentOutcome(deps, {
    merchant,
    transactionId: transaction.id,
    result,
    now: merchantNow(deps.clock.now(), merchant),
  })
  return recorded.transaction
}

/**
 * The outcome of a charge whose reply was lost (timeout): the processor's idempotency look-up
 * tells whether it was approved or declined; when the processor never received it, nothing was
 * charged and the payment is Failed MF008 ("issuer not responding").
 */
export async function resolveAmbiguousCharge(deps: Deps, key: string): Promise<ChargeResult> {
  const known = await deps.processor.lookup(key)
  deps.logger.warn({ idempotencyKey: key, outcome: known?.status ?? 'not received' }, 'processor reply lost; looked the charge up')
  if (known && known.status !== 'unknown') return known
  return { status: 'declined', errorCode: NO_ANSWER_ERROR_CODE, message: paymentErrorMessage(NO_ANSWER_ERROR_CODE) }
}
