import { isCardBrand, PAYMENT_STATUS_BRAND_NAMES } from '../domain/cards.js'
import { getCountry, isCountryCode } from '../domain/countries.js'
import { isCurrencyCode, type CurrencyCode } from '../domain/currencies.js'
import { AppError } from '../domain/errors.js'
import { INVOICE_STATUSES, invoiceReference, trackIdOf, type InvoiceStatus, type TransactionStatus } from '../domain/invoice.js'
import { shownNextPayDate } from '../domain/recurrence.js'
import { localDateOf, midnightInstant } from '../domain/schedule.js'
import { findPaymentMethod, serviceChargeMinor } from '../domain/payment-methods.js'
import { toInvoiceId, toPaymentId, toRecurringId, toRefundId, type PublicIdKeys } from '../domain/public-ids.js'
import { refundReference, WEBHOOK_REFUND_STATUS } from '../domain/refund.js'
import type { Executor } from '../store/database.js'
import type { InvoiceRow } from '../store/invoice.repository.js'
import type { MerchantRow } from '../store/merchant.repository.js'
import {
  recurrenceRowToProgress,
  recurrenceRowToSchedule,
  type RecurrenceRow,
} from '../store/recurrence.repository.js'
import { findRefundsByIds, type RefundRow } from '../store/refund.repository.js'
import { loadEventFactRows, type TransactionWithCardRow } from '../store/webhook-facts.repository.js'
import type { CardFacts, PaymentFacts, RecurringFacts, RefundFacts, WebhookTransactionStatus } from './webhook-facts.js'

/**
 * Loads the facts of webhook bodies from stored rows, presenting them exactly as
 * GetPaymentStatus does (TrackId, masked card, brand names, service charge), so a webhook and
 * an inquiry about the same transaction never disagree.
 */

/** Transaction statuses as stored (GetPaymentStatus spelling) → as webhooks spell them (§7.3). */
export const WEBHOOK_TRANSACTION_STATUS: Readonly<Record<TransactionStatus, WebhookTransactionStatus>> = {
  InProgress: 'INPROGRESS',
  Succss: 'SUCCESS',
  Failed: 'FAILED',
  Canceled: 'CANCELED',
  Authorize: 'AUTHORIZE',
}

/** A payment event's facts and the rows they came from. */
export interface PaymentSource {
  readonly facts: PaymentFacts
  readonly invoice: InvoiceRow
  readonly merchant: MerchantRow
}

/** A recurring event's facts and the rows they came from. */
export interface RecurringSource {
  readonly facts: RecurringFacts
  readonly recurrence: RecurrenceRow
  /** The first invoice of the recurrence (its WebhookUrl applies to recurring events). */
  readonly initialInvoice: InvoiceRow
  /** The invoice of the latest deduction attempt, or null when there is none. */
  readonly paymentInvoice: InvoiceRow | null
  readonly merchant: MerchantRow
}

/** A refund event's facts and the rows they came from. */
export interface RefundSource {
  readonly facts: RefundFacts
  /** The refunded invoice (its WebhookUrl applies; refund events are ordered with its payment events). */
  readonly invoice: InvoiceRow
  readonly merchant: MerchantRow
}

/**
 * What an event is about: a transaction (event 1), a recurrence and its latest deduction
 * (event 5), or a refund that reached a final status (event 2).
 */
export type EventSubject =
  | { readonly kind: 'payment'; readonly transactionId: number }
  | { readonly kind: 'recurring'; readonly recurrenceId: number; readonly transactionId: number | null }
  | { readonly kind: 'refund'; readonly refundId: number }

/** The loaded source of one {@link EventSubject}. */
export type EventSource =
  | { readonly kind: 'payment'; readonly source: PaymentSource }
  | { readonly kind: 'recurring'; readonly source: RecurringSource }
  | { readonly kind: 'refund'; readonly source: RefundSource }

/**
 * Loads the facts of many events with one query per table (transactions with their cards,
 * recurrences, invoices, merchants, sessions) however many events there are, so that a batch
 * of billing outcomes costs a handful of round trips instead of a dozen per charge.
 * Reads through `db`, so inside a transaction the events see its uncommitted changes. `now` is
 * the merchant's clock when the events happen (their NextPayDate is never before its date).
 */
export async function loadEventSources(
  db: Executor,
  ids: PublicIdKeys,
  chargeHour: number,
  subjects: readonly EventSubject[],
  now: number,
): Promise<EventSource[]> {
  const refundRows = await findRefundsByIds(db, subjects.flatMap((s) => (s.kind === 'refund' ? [s.refundId] : [])))
  const refunds = new Map(refundRows.map((row) => [row.id, row]))
  const transactionIds = [
    ...subjects.flatMap((s) => (s.kind === 'refund' || s.transactionId === null ? [] : [s.transactionId])),
    ...refundRows.map((row) => row.transaction_id),
  ]
  const recurrenceIds = subjects.flatMap((s) => (s.kind === 'recurring' ? [s.recurrenceId] : []))
  const { transactions, recurrences, invoices, merchants, sessions } = await loadEventFactRows(db, { transactionIds, recurrenceIds })
  const found = <T>(map: ReadonlyMap<number, T>, id: number, what: string): T => {
    const value = map.get(id)
    if (value === undefined) throw new AppError('INTERNAL', `${what} ${id} does not exist`)
    return value
  }
  const payments = new Map<number, PaymentSource>()
  const paymentSource = (transactionId: number): PaymentSource => {
    const known = payments.get(transactionId)
    if (known) return known
    const row = found(transactions, transactionId, 'Transaction')
    const invoice = found(invoices, row.invoice_id, 'Invoice')
    const merchant = found(merchants, invoice.merchant_id, 'Merchant')
    // v2 `Invoice.ExternalIdentifier`: MyFatoorah documents it as the value sent as
    // `CustomerIdentifier`, which dawri receives in InitiateSession; invoices paid without a
    // session (or a session without one) send null, which signs as an empty value.
    const externalIdentifier = invoice.session_id === null ? null : (sessions.get(invoice.session_id)?.customer_identifier ?? null)
    const source = { facts: paymentFacts(row, invoice, merchant, externalIdentifier, ids), invoice, merchant }
    payments.set(transactionId, source)
    return source
  }
  return subjects.map((subject): EventSource => {
    if (subject.kind === 'payment') return { kind: 'payment', source: paymentSource(subject.transactionId) }
    if (subject.kind === 'refund') {
      const refund = found(refunds, subject.refundId, 'Refund')
      const transaction = found(transactions, refund.transaction_id, 'Transaction')
      const invoice = found(invoices, refund.invoice_id, 'Invoice')
      const merchant = found(merchants, invoice.merchant_id, 'Merchant')
      return { kind: 'refund', source: { facts: refundFacts(refund, transaction, invoice, merchant, ids), invoice, merchant } }
    }
    const recurrence = found(recurrences, subject.recurrenceId, 'Recurrence')
    const initialInvoice = found(invoices, recurrence.initial_invoice_id, 'Invoice')
    const payment = subject.transactionId === null ? null : paymentSource(subject.transactionId)
    const merchant = payment?.merchant ?? found(merchants, recurrence.merchant_id, 'Merchant')
    return {
      kind: 'recurring',
      source: {
        facts: { recurring: recurringFacts(recurrence, merchant, chargeHour, ids, now), payment: payment?.facts ?? null },
        recurrence,
        initialInvoice,
        paymentInvoice: payment?.invoice ?? null,
        merchant,
      },
    }
  })
}

function paymentFacts(
  row: TransactionWithCardRow,
  invoice: InvoiceRow,
  merchant: MerchantRow,
  externalIdentifier: string | null,
  ids: PublicIdKeys,
): PaymentFacts {
  if (!isCountryCode(merchant.country)) throw new AppError('INTERNAL', `Merchant ${merchant.id} has an unknown country`)
  const timeZone = getCountry(merchant.country).timeZone
  const currency = currencyOf(invoice.currency)
  const status = WEBHOOK_TRANSACTION_STATUS[row.status]
  if (status === undefined) throw new AppError('INTERNAL', `Transaction ${row.id} has an unknown status ${row.status}`)
  const method = findPaymentMethod(row.payment_method_id)
  // As GetPaymentStatus: the gateway charge exists only once the money moved.
  const charge = status === 'SUCCESS' && method ? serviceChargeMinor(method, invoice.value_minor, currency) : 0
  const card: CardFacts | null =
    row.masked_number === null
      ? null
      : {
          nameOnCard: row.holder_name,
          number: row.masked_number,
          // Recurring tokens are never exposed to the merchant (reference §3.1).
          token: row.purpose === 'saved' ? row.token : null,
          panHash: row.pan_hash,
          expiryMonth: row.expiry_month,
          expiryYear: row.expiry_year,
          brand: row.brand !== null && isCardBrand(row.brand) ? PAYMENT_STATUS_BRAND_NAMES[row.brand] : row.brand,
          issuer: row.issuer,
          issuerCountry: merchant.country,
          fundingMethod: 'credit',
        }
  return {
    invoice: {
      id: toInvoiceId(invoice.id, ids),
      reference: invoiceReference(invoice, timeZone),
      status: invoiceStatusOf(invoice),
      createdAt: invoice.created_at,
      expiresAt: invoice.expires_at,
      userDefinedField: invoice.user_defined_field,
      customerReference: invoice.customer_reference,
      externalIdentifier,
    },
    customer: {
      name: invoice.customer_name,
      mobile: invoice.customer_mobile === null ? null : `${dialCode(invoice.mobile_country_code)}${invoice.customer_mobile}`,
      email: invoice.customer_email,
    },
    transaction: {
      id: String(row.id),
      status,
      paymentMethod: row.gateway,
      paymentId: toPaymentId(row.id, ids),
      referenceId: row.reference_id,
      trackId: trackIdOf(row, timeZone),
      authorizationId: row.authorization_id,
      transactionDate: row.created_at,
      eci: card ? '02' : null,
      ipAddress: row.ip_address,
      country: row.ip_address === null ? null : getCountry(merchant.country).nameEn,
      errorCode: row.error_code,
      errorMessage: row.error_message,
      card,
    },
    amount: {
      currency,
      valueMinor: invoice.value_minor,
      serviceChargeMinor: charge,
      serviceChargeVatMinor: 0,
    },
  }
}

function refundFacts(refund: RefundRow, transaction: TransactionWithCardRow, invoice: InvoiceRow, merchant: MerchantRow, ids: PublicIdKeys): RefundFacts {
  if (!isCountryCode(merchant.country)) throw new AppError('INTERNAL', `Merchant ${merchant.id} has an unknown country`)
  const timeZone = getCountry(merchant.country).timeZone
  if (refund.status === 'Pending') throw new AppError('INTERNAL', `Refund ${refund.id} is still Pending: only final statuses are announced`)
  return {
    refund: {
      id: toRefundId(refund.id, ids),
      reference: refundReference(refund, timeZone),
      status: WEBHOOK_REFUND_STATUS[refund.status],
      createdAt: refund.created_at,
      comment: refund.comment,
      externalIdentifier: refund.external_identifier,
    },
    invoice: { id: toInvoiceId(invoice.id, ids), reference: invoiceReference(invoice, timeZone) },
    amount: { currency: currencyOf(refund.currency), valueMinor: refund.amount_minor, refundAmountMinor: refund.refund_amount_minor },
    payment: {
      paymentId: toPaymentId(transaction.id, ids),
      transactionId: String(transaction.id),
      authorizationId: transaction.authorization_id,
      referenceId: transaction.reference_id,
      paymentMethod: transaction.gateway,
    },
  }
}

function recurringFacts(
  recurrence: RecurrenceRow,
  merchant: MerchantRow,
  chargeHour: number,
  ids: PublicIdKeys,
  now: number,
): RecurringFacts['recurring'] {
  if (!isCountryCode(merchant.country)) throw new AppError('INTERNAL', `Merchant ${merchant.id} has an unknown country`)
  const timeZone = getCountry(merchant.country).timeZone
  // Throws on a status outside the domain's RECURRENCE_STATUSES.
  const progress = recurrenceRowToProgress(recurrence)
  // GetRecurringPayment's NextPayDate, by the same rule and the same clock, as a local midnight.
  const schedule = recurrenceRowToSchedule(recurrence, timeZone, chargeHour)
  const next = midnightInstant(shownNextPayDate(schedule, progress, localDateOf(now, timeZone)), timeZone)
  return {
    id: toRecurringId(recurrence.id, ids),
    status: progress.status,
    nextPayDate: next,
    initialInvoiceId: toInvoiceId(recurrence.initial_invoice_id, ids),
  }
}

function invoiceStatusOf(invoice: InvoiceRow): InvoiceStatus {
  const status: string = invoice.status
  if (!(INVOICE_STATUSES as readonly string[]).includes(status)) {
    throw new AppError('INTERNAL', `Invoice ${invoice.id} has an unknown status ${invoice.status}`)
  }
  return invoice.status
}

function currencyOf(code: string): CurrencyCode {
  if (!isCurrencyCode(code)) throw new AppError('INTERNAL', `Unknown currency ${code}`)
  return code
}

function dialCode(code: string | null): string {
  if (code === null) return ''
  return code.startsWith('+') ? code : `+${code}`
}
