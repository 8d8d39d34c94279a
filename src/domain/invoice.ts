import { formatLocalDashedDate, toLocal } from './local-time.js'

/** Invoice statuses in GetPaymentStatus casing (reference §4.2). */
export const INVOICE_STATUSES = ['Pending', 'Paid', 'Canceled'] as const
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number]

/** Transaction statuses with their wire spellings, `Succss` included (reference §4.2). */
export const TRANSACTION_STATUSES = ['InProgress', 'Succss', 'Failed', 'Canceled', 'Authorize'] as const
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number]

/** Default lifetime of an invoice created through the API when no ExpiryDate is sent. */
export const DEFAULT_INVOICE_LIFETIME_MS = 3 * 24 * 3_600_000

/**
 * A row that a merchant sees a number of: its per-merchant `reference_number` (set by the
 * database on insert), or, for a row older than those numbers, its id.
 */
export interface NumberedRow {
  readonly id: number
  readonly reference_number: number | null
  readonly created_at: number
}

/** The number a merchant sees for a row (see {@link NumberedRow}). */
export function referenceNumberOf(row: NumberedRow): number {
  return row.reference_number ?? row.id
}

/** `InvoiceReference`: local year followed by the merchant's six-digit invoice count, e.g. 2026000042. */
export function invoiceReference(invoice: NumberedRow, timeZone: string): string {
  return `${toLocal(invoice.created_at, timeZone).year}${String(referenceNumberOf(invoice)).padStart(6, '0')}`
}

/** `TrackId` as MyFatoorah prints it: local date and the merchant's transaction count (`10-01-2026_3250552`). */
export function trackIdOf(transaction: NumberedRow, timeZone: string): string {
  return `${formatLocalDashedDate(transaction.created_at, timeZone)}_${String(referenceNumberOf(transaction)).padStart(7, '0')}`
}

/** Why an invoice cannot take a customer's payment now; `busy` while a charge of it is under way. */
export type InvoiceRefusal = 'paid' | 'expired' | 'canceled' | 'busy'

/**
 * Whether an invoice can take a customer's payment at `now` (merchant time): only while Pending
 * and not expired. A charge the processor already took is recorded whatever this says.
 */
export function paymentRefusal(invoice: { readonly status: InvoiceStatus; readonly expires_at: number }, now: number): InvoiceRefusal | undefined {
  if (invoice.status === 'Paid') return 'paid'
  if (invoice.status !== 'Pending') return 'canceled'
  if (invoice.expires_at <= now) return 'expired'
  return undefined
}
