/**
 * MyFatoorah's transaction error codes (reference §4.2, `InvoiceTransactions[].ErrorCode`) with
 * the English text dawri prints in `Error` and `ErrorMessage`. These are payment outcomes, not
 * exceptions: a declined card is a value (see domain/errors.ts for what is an AppError).
 */
export const PAYMENT_ERRORS = {
  MF001: '3-D Secure authentication failed',
  MF002: 'Declined by issuer',
  MF003: 'Blocked by payment gateway',
  MF004: 'Insufficient funds',
  MF005: 'Session timeout',
  MF006: 'Transaction cancelled',
  MF007: 'Card expired',
  MF008: 'Issuer not responding',
  MF009: 'Denied by risk',
  MF010: 'Wrong security code',
  MF020: 'Unspecified failure',
} as const

/** One key of {@link PAYMENT_ERRORS}, e.g. `MF002`. */
export type PaymentErrorCode = keyof typeof PAYMENT_ERRORS

/** Every payment error code, in table order. */
export const PAYMENT_ERROR_CODES = Object.keys(PAYMENT_ERRORS) as readonly PaymentErrorCode[]

/** True when `value` is a payment error code (e.g. read back from an `error_code` column). */
export function isPaymentErrorCode(value: string): value is PaymentErrorCode {
  return Object.hasOwn(PAYMENT_ERRORS, value)
}

/** The English message of a payment error code. */
export function paymentErrorMessage(code: PaymentErrorCode): string {
  return PAYMENT_ERRORS[code]
}
