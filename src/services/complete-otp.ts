import { chargeCustomer, chargeStoredCard, declineWithoutCharge, settleIfAbandoned, type CustomerChargeResult } from '../charging/customer-charge.js'
import type { Merchant } from '../domain/merchant.js'
import type { Deps } from '../deps.js'

/** The code the sandbox's 3-D Secure step accepts. */
export const SANDBOX_OTP = '123456'

/** Options for {@link completeOtp}. */
export interface CompleteOtpOptions {
  readonly merchant: Merchant
  readonly transactionId: number
  /** What the customer typed. */
  readonly otp: string
}

/**
 * The 3-D Secure step of hosted, direct and embedded payments: the right code charges the card
 * once, through the charging engine; any other code fails the transaction with MF001 and charges
 * nothing. A repeated or concurrent submission gets the first outcome, or `busy` while the charge
 * is under way.
 */
export async function completeOtp(deps: Deps, options: CompleteOtpOptions): Promise<CustomerChargeResult> {
  const { merchant, transactionId } = options
  if (options.otp.trim() !== SANDBOX_OTP) return declineWithoutCharge(deps, merchant, transactionId, 'MF001')
  // A saved card cancelled while its payment waited here is declined MF006 by the charge itself.
  return chargeCustomer(deps, { merchant, target: { kind: 'waiting', transactionId }, charge: chargeStoredCard(deps, merchant, null) })
}

export { settleIfAbandoned }
