import { paymentErrorMessage, type PaymentErrorCode } from './payment-errors.js'

/**
 * The vocabulary of the charging engine: every movement of money is a charge attempt, opened
 * before the processor is called and resolved once with its outcome.
 */

/**
 * Why money moves: a payment the customer makes, the recurring engine's charges, a refund
 * returning (part of) a captured payment (MakeRefund), or the capture or release of a payment
 * only authorised (AutoCapture off; UpdatePaymentStatus).
 */
export const CHARGE_KINDS = ['customer', 'renewal', 'retry', 'resume', 'refund', 'capture', 'release'] as const
export type ChargeKind = (typeof CHARGE_KINDS)[number]

/** `open` from before the processor call until its outcome is recorded, then final. */
export const ATTEMPT_STATUSES = ['open', 'approved', 'declined'] as const
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number]

/** How a transaction reached dawri: hosted pages, DirectPayment, Card View, or the billing engine. */
export const TRANSACTION_CHANNELS = ['hosted', 'direct', 'embedded', 'automatic'] as const
export type TransactionChannel = (typeof TRANSACTION_CHANNELS)[number]

/** Channels a customer pays through (every channel but the engine's own). */
export type CustomerChannel = Exclude<TransactionChannel, 'automatic'>

/** The processor's idempotency key of an attempt: the same for every kind of charge. */
export function attemptIdempotencyKey(attemptId: number): string {
  return `attempt-${attemptId}`
}

/** The charge kind of a recurring attempt: number 0 is the cycle's renewal, up to RetryCount its retries, above that a Resume. */
export function recurringChargeKind(attemptNumber: number, retryCount: number): Exclude<ChargeKind, 'customer' | 'refund' | 'capture' | 'release'> {
  if (attemptNumber === 0) return 'renewal'
  return attemptNumber <= retryCount ? 'retry' : 'resume'
}

/**
 * What the processor answered. `unknown` means no answer arrived (timeout, lost reply): the
 * money may or may not have moved, and only the processor's look-up can tell.
 */
export type ChargeResult =
  | { status: 'approved'; authorizationId: string; referenceId: string }
  | { status: 'declined'; errorCode: PaymentErrorCode; message: string }
  | { status: 'unknown'; message: string }

/** An answer the engine can record: approved or declined. */
export type KnownChargeResult = Exclude<ChargeResult, { status: 'unknown' }>

/** Error code recorded when no outcome could be learnt from the processor ("issuer not responding"; nothing charged). */
export const NO_ANSWER_ERROR_CODE: PaymentErrorCode = 'MF008'

/** A declined result with an MF code and its message. */
export function declined(errorCode: PaymentErrorCode): Extract<KnownChargeResult, { status: 'declined' }> {
  return { status: 'declined', errorCode, message: paymentErrorMessage(errorCode) }
}
