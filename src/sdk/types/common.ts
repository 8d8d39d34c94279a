/** MyFatoorah's response envelope, as every /v2 route answers (`Data` typed per route). */
export interface Envelope<TData> {
  readonly IsSuccess: boolean
  readonly Message: string | null
  readonly ValidationErrors: readonly FieldError[] | null
  readonly Data: TData
}

/** One entry of `ValidationErrors`: the field as the request spelled it, and what is wrong. */
export interface FieldError {
  readonly Name: string
  readonly Error: string
}

/** ISO-3 country codes of MyFatoorah accounts. */
export type CountryCode = 'KWT' | 'SAU' | 'BHR' | 'ARE' | 'QAT' | 'OMN' | 'JOR' | 'EGY'

/** Currencies MyFatoorah settles in. */
export type CurrencyIso = 'KWD' | 'SAR' | 'BHD' | 'AED' | 'QAR' | 'OMR' | 'JOD' | 'EGP'

/** Invoice statuses (GetPaymentStatus casing). */
export type InvoiceStatus = 'Pending' | 'Paid' | 'Canceled'

/** Transaction statuses as GetPaymentStatus spells them (`Succss` is MyFatoorah's wire spelling). */
export type TransactionStatus = 'InProgress' | 'Succss' | 'Failed' | 'Canceled' | 'Authorize'

/** Recurring payment statuses. */
export type RecurringStatus = 'Draft' | 'Active' | 'Completed' | 'Uncompleted' | 'Canceled'

/** Refund statuses. */
export type RefundStatus = 'Pending' | 'Refunded' | 'Canceled'

/**
 * An amount in the currency's major unit (10.5 = 10.500 KWD). The server accepts decimal numbers
 * and numeric strings; a string keeps exact decimals when your amounts are not JavaScript numbers.
 */
export type Amount = number | string
