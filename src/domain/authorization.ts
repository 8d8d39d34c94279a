import { findPaymentMethod } from './payment-methods.js'

/**
 * Payments only authorised (ExecutePayment with `ProcessingDetails.AutoCapture: false`): the
 * processor holds the amount on the card, the transaction is `Authorize` and the invoice stays
 * `Pending` until the merchant captures all or part of it (`Succss`, invoice `Paid`) or releases
 * it (`Canceled`, invoice `Pending` and payable again) with UpdatePaymentStatus — once.
 */

/** UpdatePaymentStatus operations (reference spelling; matched case-insensitively). */
export const AUTHORIZATION_OPERATIONS = ['Capture', 'Release'] as const
export type AuthorizationOperation = (typeof AUTHORIZATION_OPERATIONS)[number]

/** Whether an invoice's stored `processing_details` asks for authorisation only (AutoCapture false). */
export function isAuthorizeOnly(processingDetails: string | null): boolean {
  if (processingDetails === null) return false
  try {
    const parsed = JSON.parse(processingDetails) as { autoCapture?: unknown }
    return parsed.autoCapture === false
  } catch {
    return false
  }
}

/**
 * Whether a customer's charge of this transaction only authorises: its invoice asked for it and
 * it is paid by card (other methods, KNET, always capture; ExecutePayment refuses AutoCapture
 * false for them, this keeps any other path honest).
 */
export function chargeAuthorizesOnly(invoice: { readonly processing_details: string | null }, transaction: { readonly payment_method_id: number }): boolean {
  return isAuthorizeOnly(invoice.processing_details) && findPaymentMethod(transaction.payment_method_id)?.isCard === true
}

/** Why a capture's amount is refused. */
export type CaptureAmountRefusal = 'not-positive' | 'exceeds-authorized'

/** A capture takes all or part of the authorised amount, never more; integer minor units. */
export function captureAmountRefusal(authorizedMinor: number, amountMinor: number): CaptureAmountRefusal | undefined {
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) return 'not-positive'
  if (amountMinor > authorizedMinor) return 'exceeds-authorized'
  return undefined
}

/**
 * The money a transaction actually took: all of it once `Succss` (auto-captured, or captured in
 * full), the captured part after a partial capture, nothing otherwise (an authorisation holds
 * money but has not taken it). What refunds are bounded by.
 */
export function capturedMinorOf(transaction: { readonly status: string; readonly amount_minor: number; readonly captured_minor: number | null }): number {
  if (transaction.status !== 'Succss') return 0
  return transaction.captured_minor ?? transaction.amount_minor
}
