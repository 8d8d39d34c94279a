import { isCardBrand, PAYMENT_STATUS_BRAND_NAMES } from '../domain/cards.js'
import { getCountry, isCountryCode } from '../domain/countries.js'
import { isCurrencyCode, type CurrencyCode } from '../domain/currencies.js'
import { AppError } from '../domain/errors.js'
import { invoiceReference, type TransactionStatus } from '../domain/invoice.js'
import { isFinalStatus, nextPayDate } from '../domain/recurrence.js'
import { midnightInstant } from '../domain/schedule.js'
import { findPaymentMethod, serviceChargeMinor } from '../domain/payment-methods.js'
import { toInvoiceId, toPaymentId, toRecurringId, type PublicIdKeys } from '../domain/public-ids.js'
import { trackIdOf } from '../services/payment-status-view.js'
import type { InvoiceRow } from '../store/invoice.repository.js'
import type { Executor } from '../store/invoice.repository.js'
import type { MerchantRow } from '../store/merchant.repository.js'
import {
  recurrenceRowToProgress,
  recurrenceRowToSchedule,
  type RecurrenceRow,
} from '../store/recurrence.repository.js'
import {
  INVOICE_STATUSES,
  RECURRING_STATUSES,
  type CardFacts,
  type InvoiceStatus,
  type PaymentFacts,
  type RecurringFacts,
  type RecurringStatus,
  type WebhookTransactionStatus,
} from './envelopes.js'

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

/** The merchant row (with webhook settings) of an event. */
export async function loadMerchantRow(db: Executor, merchantId: number): Promise<MerchantRow> {
  const row = await db.selectFrom('merchants').selectAll().where('id', '=', merchantId).executeTakeFirst()
  if (!row) throw new AppError('INTERNAL', `Merchant ${merchantId} does not exist`)
  return row
}

/** Facts of a PAYMENT_STATUS_CHANGED event about one transaction. */
export async function loadPaymentSource(db: Executor, ids: PublicIdKeys, transactionId: number): Promise<PaymentSource> {
  const row = await db
    .selectFrom('transactions')
    .leftJoin('card_tokens', 'card_tokens.id', 'transactions.card_token_id')
    .selectAll('transactions')
    .select([
      'card_tokens.masked_number',
      'card_tokens.brand',
      'card_tokens.issuer',
      'card_tokens.expiry_month',
      'card_tokens.expiry_year',
      'card_tokens.holder_name',
      'card_tokens.pan_hash',
      'card_tokens.token',
      'card_tokens.purpose',
    ])
    .where('transactions.id', '=', transactionId)
    .executeTakeFirst()
  if (!row) throw new AppError('INTERNAL', `Transaction ${transactionId} does not exist`)
  const invoice = await db.selectFrom('invoices').selectAll().where('id', '=', row.invoice_id).executeTakeFirst()
  if (!invoice) throw new AppError('INTERNAL', `Invoice ${row.invoice_id} of transaction ${transactionId} does not exist`)
  const merchant = await loadMerchantRow(db, invoice.merchant_id)
  if (!isCountryCode(merchant.country)) throw new AppError('INTERNAL', `Merchant ${merchant.id} has an unknown country`)
  const timeZone = getCountry(merchant.country).timeZone
  const currency = currencyOf(invoice.currency)
  const status = WEBHOOK_TRANSACTION_STATUS[row.status as TransactionStatus]
  if (status === undefined) throw new AppError('INTERNAL', `Transaction ${row.id} has an unknown status ${row.status}`)
  const method = findPaymentMethod(row.payment_method_id)
  // As GetPaymentStatus: the gateway charge exists only once the money moved.
  const charge = status === 'SUCCESS' && method ? serviceChargeMinor(method, invoice.value_minor, currency) : 0
  const externalIdentifier = await sessionCustomerIdentifier(db, invoice)
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
  const facts: PaymentFacts = {
    invoice: {
      id: toInvoiceId(invoice.id, ids),
      reference: invoiceReference(invoice.id, invoice.created_at, timeZone),
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
  return { facts, invoice, merchant }
}

/** Facts of a RECURRING_UPDATES event: the recurrence and, when given, its latest deduction. */
export async function loadRecurringSource(
  db: Executor,
  ids: PublicIdKeys,
  chargeHour: number,
  recurrenceId: number,
  transactionId: number | null,
): Promise<RecurringSource> {
  const recurrence = await db.selectFrom('recurrences').selectAll().where('id', '=', recurrenceId).executeTakeFirst()
  if (!recurrence) throw new AppError('INTERNAL', `Recurrence ${recurrenceId} does not exist`)
  const initialInvoice = await db
    .selectFrom('invoices')
    .selectAll()
    .where('id', '=', recurrence.initial_invoice_id)
    .executeTakeFirst()
  if (!initialInvoice) throw new AppError('INTERNAL', `Initial invoice of recurrence ${recurrenceId} does not exist`)
  const payment = transactionId === null ? null : await loadPaymentSource(db, ids, transactionId)
  const merchant = payment?.merchant ?? (await loadMerchantRow(db, recurrence.merchant_id))
  if (!isCountryCode(merchant.country)) throw new AppError('INTERNAL', `Merchant ${merchant.id} has an unknown country`)
  const timeZone = getCountry(merchant.country).timeZone
  const status = recurrence.status as RecurringStatus
  if (!(RECURRING_STATUSES as readonly string[]).includes(status)) {
    throw new AppError('INTERNAL', `Recurrence ${recurrence.id} has an unknown status ${recurrence.status}`)
  }
  const progress = recurrenceRowToProgress(recurrence)
  // Nothing is scheduled once Completed or Canceled; otherwise the date of the cycle charged
  // next, as a local midnight (GetRecurringPayment's NextPayDate, reference §6.2).
  const next = isFinalStatus(progress.status)
    ? null
    : midnightInstant(nextPayDate(recurrenceRowToSchedule(recurrence, timeZone, chargeHour), progress), timeZone)
  return {
    facts: {
      recurring: {
        id: toRecurringId(recurrence.id, ids),
        status,
        nextPayDate: next,
        initialInvoiceId: toInvoiceId(recurrence.initial_invoice_id, ids),
      },
      payment: payment?.facts ?? null,
    },
    recurrence,
    initialInvoice,
    paymentInvoice: payment?.invoice ?? null,
    merchant,
  }
}

function invoiceStatusOf(invoice: InvoiceRow): InvoiceStatus {
  const status = invoice.status as InvoiceStatus
  if (!(INVOICE_STATUSES as readonly string[]).includes(status)) {
    throw new AppError('INTERNAL', `Invoice ${invoice.id} has an unknown status ${invoice.status}`)
  }
  return status
}

function currencyOf(code: string): CurrencyCode {
  if (!isCurrencyCode(code)) throw new AppError('INTERNAL', `Unknown currency ${code}`)
  return code
}

function dialCode(code: string | null): string {
  if (code === null) return ''
  return code.startsWith('+') ? code : `+${code}`
}

/**
 * v2 `Invoice.ExternalIdentifier`: MyFatoorah documents it as the value sent as
 * `CustomerIdentifier`, which dawri receives in InitiateSession; invoices paid without a
 * session (or a session without one) send null, which signs as an empty value.
 */
async function sessionCustomerIdentifier(db: Executor, invoice: InvoiceRow): Promise<string | null> {
  if (invoice.session_id === null) return null
  const session = await db
    .selectFrom('sessions')
    .select('customer_identifier')
    .where('id', '=', invoice.session_id)
    .executeTakeFirst()
  return session?.customer_identifier ?? null
}
