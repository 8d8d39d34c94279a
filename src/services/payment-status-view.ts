import { capturedMinorOf } from '../domain/authorization.js'
import { isCardBrand, PAYMENT_STATUS_BRAND_NAMES } from '../domain/cards.js'
import { getCountry } from '../domain/countries.js'
import { getCurrency, isCurrencyCode, type CurrencyCode } from '../domain/currencies.js'
import type { InvoiceItem, SupplierShare } from '../domain/execute-payment-request.js'
import { invoiceReference, trackIdOf } from '../domain/invoice.js'
import {
  formatLocalHumanDate,
  formatLocalIso,
  formatLocalTime,
} from '../domain/local-time.js'
import type { Merchant } from '../domain/merchant.js'
import { formatAmount, formatDisplayValue, minorToMajorNumber } from '../domain/money.js'
import { findPaymentMethod, serviceChargeMinor } from '../domain/payment-methods.js'
import { toInvoiceId, toPaymentId, toRecurringId, type PublicIdKeys } from '../domain/public-ids.js'
import type { InvoiceRow, TransactionWithCard } from '../store/invoice.repository.js'

function currencyOf(code: string): CurrencyCode {
  if (!isCurrencyCode(code)) throw new Error(`Unknown currency ${code}`)
  return code
}


/** One entry of `InvoiceTransactions` (reference §4.2), wire spellings kept (`TransationValue`). */
export function transactionView(transaction: TransactionWithCard, merchant: Merchant, ids: PublicIdKeys) {
  const currency = currencyOf(transaction.currency)
  const method = findPaymentMethod(transaction.payment_method_id)
  // A partial capture (UpdatePaymentStatus) took less than was authorised: DueValue is what it took.
  const dueMinor = transaction.status === 'Succss' ? capturedMinorOf(transaction) : transaction.amount_minor
  const charge = method ? serviceChargeMinor(method, dueMinor, currency) : 0
  const money = (minor: number) => formatAmount(minor, currency, { grouping: true })
  const symbol = getCurrency(currency).symbol
  const card = transaction.card
  const isSucceeded = transaction.status === 'Succss'
  return {
    TransactionDate: formatLocalIso(transaction.created_at, merchant.timeZone),
    PaymentGateway: transaction.gateway,
    ReferenceId: transaction.reference_id ?? '',
    TrackId: trackIdOf(transaction, merchant.timeZone),
    TransactionId: String(transaction.id),
    PaymentId: toPaymentId(transaction.id, ids),
    AuthorizationId: transaction.authorization_id ?? '',
    TransactionStatus: transaction.status,
    TransationValue: money(transaction.amount_minor),
    CustomerServiceCharge: money(0),
    TotalServiceCharge: money(isSucceeded ? charge : 0),
    DueValue: money(dueMinor),
    PaidCurrency: symbol,
    PaidCurrencyValue: money(dueMinor),
    VatAmount: money(0),
    IpAddress: transaction.ip_address ?? '',
    Country: getCountry(merchant.country).nameEn,
    Currency: symbol,
    Error: transaction.error_message,
    CardNumber: card?.masked_number ?? null,
    ErrorCode: transaction.error_code ?? '',
    ECI: card ? '02' : '',
    Card: card
      ? {
          NameOnCard: card.holder_name ?? '',
          Number: card.masked_number,
          // Recurring tokens are never exposed to the merchant (reference §3.1).
          Token: card.purpose === 'saved' ? card.token : '',
          PanHash: card.pan_hash,
          ExpiryMonth: card.expiry_month,
          ExpiryYear: card.expiry_year,
          Brand: isCardBrand(card.brand) ? PAYMENT_STATUS_BRAND_NAMES[card.brand] : card.brand,
          Issuer: card.issuer,
          IssuerCountry: merchant.country,
          FundingMethod: 'credit',
        }
      : null,
  }
}

/** `Data` of GetPaymentStatus for an invoice and its transactions (reference §4.2). */
export function paymentStatusView(
  invoice: InvoiceRow,
  transactions: readonly TransactionWithCard[],
  merchant: Merchant,
  ids: PublicIdKeys,
) {
  const currency = currencyOf(invoice.currency)
  const items = JSON.parse(invoice.items) as InvoiceItem[]
  const suppliers = JSON.parse(invoice.suppliers) as SupplierShare[]
  const paid = transactions.find((transaction) => transaction.status === 'Succss')
  const method = paid ? findPaymentMethod(paid.payment_method_id) : undefined
  // What the payment took: the invoice's value, or what a partial capture took of it.
  const takenMinor = paid ? (paid.captured_minor ?? invoice.value_minor) : 0
  const dueDeposit = paid ? takenMinor - (method ? serviceChargeMinor(method, takenMinor, currency) : 0) : 0
  const major = (minor: number) => minorToMajorNumber(minor, currency)
  const mobile =
    invoice.customer_mobile === null ? null : `${normaliseCountryCode(invoice.mobile_country_code)}${invoice.customer_mobile}`
  return {
    InvoiceId: toInvoiceId(invoice.id, ids),
    InvoiceStatus: invoice.status,
    InvoiceReference: invoiceReference(invoice, merchant.timeZone),
    CustomerReference: invoice.customer_reference,
    CreatedDate: formatLocalIso(invoice.created_at, merchant.timeZone),
    ExpiryDate: formatLocalHumanDate(invoice.expires_at, merchant.timeZone),
    ExpiryTime: formatLocalTime(invoice.expires_at, merchant.timeZone),
    InvoiceValue: major(invoice.value_minor),
    Comments: null,
    CustomerName: invoice.customer_name,
    CustomerMobile: mobile,
    CustomerEmail: invoice.customer_email,
    UserDefinedField: invoice.user_defined_field,
    InvoiceDisplayValue: formatDisplayValue(invoice.value_minor, currency),
    DueDeposit: major(dueDeposit),
    DepositStatus: 'Not Deposited',
    InvoiceItems: items.map((item) => ({
      ItemName: item.itemName,
      Quantity: item.quantity,
      UnitPrice: major(item.unitPriceMinor),
      Weight: item.weight,
      Width: item.width,
      Height: item.height,
      Depth: item.depth,
    })),
    InvoiceTransactions: transactions.map((transaction) => transactionView(transaction, merchant, ids)),
    Suppliers: suppliers.map((supplier) => ({
      SupplierCode: supplier.supplierCode,
      SupplierName: `Supplier ${supplier.supplierCode}`,
      InvoiceShare: major(supplier.invoiceShareMinor),
      ProposedShare: supplier.proposedShareMinor === null ? null : major(supplier.proposedShareMinor),
      DepositShare: 0,
    })),
    // Emitted for invoices of a recurrence, as the Flutter SDK model expects (reference §4.2).
    ...(invoice.recurrence_id !== null ? { RecurringId: toRecurringId(invoice.recurrence_id, ids) } : {}),
  }
}

function normaliseCountryCode(code: string | null): string {
  if (code === null) return ''
  return code.startsWith('+') ? code : `+${code}`
}
