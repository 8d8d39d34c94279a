import { merchantNow, type Merchant } from '../domain/merchant.js'
import { paymentErrorMessage } from '../domain/payment-errors.js'
import type { InvoiceRow } from '../store/invoice.repository.js'
import type { TransactionRow } from '../store/transaction.repository.js'
import { chargeClaimedTransaction } from './charge-transaction.js'
import type { Deps } from '../deps.js'
import { claimCharge, type InvoiceRefusal } from './payment-claim.js'
import { recordCustomerPaymentOutcome } from './record-customer-payment.js'

/** The code the sandbox's 3-D Secure step accepts (DESIGN.md). */
export const SANDBOX_OTP = '123456'

/** Options for {@link completeOtp}. */
export interface CompleteOtpOptions {
  readonly merchant: Merchant
  readonly transactionId: number
  /** What the customer typed. */
  readonly otp: string
}

/** The result of {@link completeOtp}. */
export type CompleteOtpResult =
  | { kind: 'final'; transaction: TransactionRow; invoice: InvoiceRow }
  | { kind: 'refused'; reason: InvoiceRefusal; transaction: TransactionRow; invoice: InvoiceRow }

/**
 * The 3-D Secure step of hosted, direct and embedded payments: the right code charges the card
 * once; any other code fails the transaction with MF001 and charges nothing. A repeated or
 * concurrent submission gets the first outcome, or `busy` while the charge is under way.
 */
export async function completeOtp(deps: Deps, options: CompleteOtpOptions): Promise<CompleteOtpResult> {
  const { merchant, transactionId } = options
  const claim = await claimCharge(deps, merchant, transactionId)
  if (claim.kind !== 'claimed') return claim
  if (options.otp.trim() !== SANDBOX_OTP) {
    const { transaction } = await recordCustomerPaymentOutcome(deps, {
      merchant,
      transactionId,
      result: { status: 'declined', errorCode: 'MF001', message: paymentErrorMessage('MF001') },
      now: merchantNow(deps.clock.now(), merchant),
    })
    return { kind: 'final', transaction, invoice: claim.invoice }
  }
  const transaction = await chargeClaimedTransaction(deps, { merchant, transaction: claim.transaction, securityCode: null })
  return { kind: 'final', transaction, invoice: claim.invoice }
}
