import { chargeCustomer, chargeStoredCard, declineWithoutCharge, settleIfAbandoned, type CustomerChargeResult } from '../charging/customer-charge.js'
import type { Merchant } from '../domain/merchant.js'
import { findCardTokenById } from '../store/card-token.repository.js'
import { findTransaction } from '../store/transaction.repository.js'
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
  // A saved card cancelled (CancelToken) while its payment waited here is never charged.
  if (await paysWithCanceledCard(deps, merchant, transactionId)) return declineWithoutCharge(deps, merchant, transactionId, 'MF006')
  return chargeCustomer(deps, { merchant, target: { kind: 'waiting', transactionId }, charge: chargeStoredCard(deps, merchant, null) })
}

/** True when the transaction's card is a saved card that was cancelled since the payment started. */
async function paysWithCanceledCard(deps: Deps, merchant: Merchant, transactionId: number): Promise<boolean> {
  const transaction = await findTransaction(deps.store.db, merchant.id, transactionId)
  if (!transaction || transaction.card_token_id === null) return false
  const card = await findCardTokenById(deps.store.db, merchant.id, transaction.card_token_id)
  return card?.deleted_at != null
}

export { settleIfAbandoned }
