import type { CountryCode } from '../domain/countries.js'
import { getCurrency, type CurrencyCode } from '../domain/currencies.js'
import { formatCompactLocal, formatLocalIso } from '../domain/local-time.js'
import { formatAmount } from '../domain/money.js'
import {
  type AmountFacts,
  type CardFacts,
  type InvoiceFacts,
  type PaymentFacts,
  type RecurringFacts,
  type RecurringStatus,
  type RefundFacts,
  type TransactionFacts,
  V1_EVENT_NAMES,
  V2_EVENT_NAMES,
  type WebhookContext,
} from './webhook-facts.js'
import {
  type V1RecurringEvent,
  type V1RefundEvent,
  type V1TransactionEvent,
  type V2Amount,
  type V2Card,
  type V2PaymentStatusEvent,
  type V2RecurringCard,
  type V2RecurringEvent,
  type V2RecurringInvoice,
  type V2RefundEvent,
  type V2Transaction,
} from './wire-shapes.js'

/**
 * Pure renderers of webhook bodies (reference §7.3, §7.4). They take domain facts in camelCase
 * and instants as epoch milliseconds, and return the exact JSON shapes MyFatoorah sends, wire
 * misspellings included. Nothing here reads the clock or touches I/O, so a body can be rebuilt
 * byte-for-byte for retries and tests.
 *
 * Time formats, chosen once and used everywhere:
 * - v1: local time of the account's zone, `ddMMyyyyHHmmss` (`DateTime`, `CreatedDate`).
 * - v2: UTC ISO 8601 with milliseconds and `Z` (`2025-02-09T01:16:11.977Z`), i.e.
 *   `Date.prototype.toISOString`. MyFatoorah prints 7 fractional digits and sometimes drops the
 *   `Z`; 3 digits with `Z` parse identically in every ISO parser and are never ambiguous.
 *   The one exception is `Recurring.NextPayDate`, printed to the second (`2025-02-09T21:00:00Z`)
 *   exactly as the documented sample, because it is always a local midnight.
 */

// Formatting helpers
// ---------------------------------------------------------------------------------------------

/** UTC ISO 8601 with milliseconds and `Z`: the v2 timestamp format. */
export function formatUtcIso(epochMs: number): string {
  return new Date(epochMs).toISOString()
}

/** UTC ISO 8601 to the second, `2025-02-09T21:00:00Z`, as v2 `Recurring.NextPayDate`. */
export function formatUtcIsoSeconds(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19) + 'Z'
}

const upper = <T extends string>(value: T): Uppercase<T> => value.toUpperCase() as Uppercase<T>

interface ResolvedAmounts {
  readonly base: CurrencyCode
  readonly value: string
  readonly display: CurrencyCode
  readonly displayValue: string
  readonly pay: CurrencyCode
  readonly payValue: string
  readonly serviceCharge: string
  readonly serviceChargeVat: string
  readonly receivable: string
}

/** Fills the defaults of {@link AmountFacts} and formats every amount as decimal text. */
function resolveAmounts(amount: AmountFacts): ResolvedAmounts {
  const base = amount.currency
  const display = amount.displayCurrency ?? base
  const displayMinor = amount.displayValueMinor ?? (display === base ? amount.valueMinor : undefined)
  const pay = amount.payCurrency ?? display
  const payMinor = amount.payValueMinor ?? (pay === display ? displayMinor : undefined)
  // A silent fallback would print a base amount under a foreign currency code.
  if (displayMinor === undefined) throw new TypeError(`displayValueMinor is required for display currency ${display}`)
  if (payMinor === undefined) throw new TypeError(`payValueMinor is required for pay currency ${pay}`)
  const receivableMinor =
    amount.receivableMinor ?? amount.valueMinor - amount.serviceChargeMinor - amount.serviceChargeVatMinor
  return {
    base,
    // Fixed currency decimals ("456.750"), as GetPaymentStatus prints amounts; the old v1 sample's
    // "456.75" is the same number and every client parses it as one.
    value: formatAmount(amount.valueMinor, base),
    display,
    displayValue: formatAmount(displayMinor, display),
    pay,
    payValue: formatAmount(payMinor, pay),
    serviceCharge: formatAmount(amount.serviceChargeMinor, base),
    serviceChargeVat: formatAmount(amount.serviceChargeVatMinor, base),
    receivable: formatAmount(receivableMinor, base),
  }
}

function v2Amount(amount: AmountFacts): V2Amount {
  const a = resolveAmounts(amount)
  return {
    BaseCurrency: a.base,
    ValueInBaseCurrency: a.value,
    ServiceCharge: a.serviceCharge,
    ServiceChargeVAT: a.serviceChargeVat,
    ReceivableAmount: a.receivable,
    DisplayCurrency: a.display,
    ValueInDisplayCurrency: a.displayValue,
    PayCurrency: a.pay,
    ValueInPayCurrency: a.payValue,
  }
}

function v2Transaction<TCard>(
  transaction: TransactionFacts,
  card: (card: CardFacts) => TCard,
): V2Transaction<TCard> {
  return {
    Id: transaction.id,
    Status: transaction.status,
    PaymentMethod: transaction.paymentMethod,
    PaymentId: transaction.paymentId,
    ReferenceId: transaction.referenceId,
    TrackId: transaction.trackId,
    AuthorizationId: transaction.authorizationId,
    TransactionDate: formatUtcIso(transaction.transactionDate),
    ECI: transaction.eci,
    IP: { Address: transaction.ipAddress, Country: transaction.country },
    Error: { Code: transaction.errorCode, Message: transaction.errorMessage },
    Card: transaction.card ? card(transaction.card) : null,
  }
}

function v2FullCard(card: CardFacts): V2Card {
  return {
    NameOnCard: card.nameOnCard,
    Number: card.number,
    Token: card.token,
    PanHash: card.panHash,
    ExpiryMonth: card.expiryMonth,
    ExpiryYear: card.expiryYear,
    Brand: card.brand,
    Issuer: card.issuer,
    IssuerCountry: card.issuerCountry,
    FundingMethod: card.fundingMethod,
  }
}

function v2RecurringCard(card: CardFacts): V2RecurringCard {
  return { Number: card.number, Brand: card.brand, Issuer: card.issuer }
}

function v2RecurringInvoice(invoice: InvoiceFacts): V2RecurringInvoice {
  return {
    Id: String(invoice.id),
    Status: upper(invoice.status),
    Reference: invoice.reference,
    CreationDate: formatUtcIso(invoice.createdAt),
    ExpirationDate: formatUtcIso(invoice.expiresAt),
    UserDefinedField: invoice.userDefinedField,
  }
}

// ---------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------

/**
 * v1 TransactionsStatusChanged (EventType 1). Per reference §11, Data holds only flat strings,
 * numbers and nulls (no booleans or nested objects), so every client signs it the same way.
 */
export function buildV1TransactionEvent(facts: PaymentFacts, ctx: WebhookContext): V1TransactionEvent {
  const { invoice, customer, transaction } = facts
  const a = resolveAmounts(facts.amount)
  return {
    EventType: 1,
    Event: V1_EVENT_NAMES[1],
    DateTime: formatCompactLocal(ctx.createdAt, ctx.timeZone),
    CountryIsoCode: ctx.countryIsoCode,
    Data: {
      InvoiceId: invoice.id,
      InvoiceReference: invoice.reference,
      CreatedDate: formatCompactLocal(invoice.createdAt, ctx.timeZone),
      CustomerReference: invoice.customerReference,
      CustomerName: customer.name,
      CustomerMobile: customer.mobile,
      CustomerEmail: customer.email,
      TransactionStatus: transaction.status,
      PaymentMethod: transaction.paymentMethod,
      UserDefinedField: invoice.userDefinedField,
      ReferenceId: transaction.referenceId,
      TrackId: transaction.trackId,
      PaymentId: transaction.paymentId,
      AuthorizationId: transaction.authorizationId,
      InvoiceValueInBaseCurrency: a.value,
      BaseCurrency: a.base,
      InvoiceValueInDisplayCurreny: a.displayValue,
      DisplayCurrency: a.display,
      InvoiceValueInPayCurrency: a.payValue,
      PayCurrency: a.pay,
    },
  }
}

/**
 * v1 RecurringStatusChanged (EventType 5). Status is UPPER as in the newest (2024) sample.
 * `NextPayDate` uses the older sample's local ISO form `2021-04-07T00:00:00` rather than the 2024
 * sample's `ddMMyyyyHHmmss`: it is the only form documented in the data-model table's example
 * and in the signature example, and it cannot be mistaken for the event's own timestamps.
 */
export function buildV1RecurringEvent(facts: RecurringFacts, ctx: WebhookContext): V1RecurringEvent {
  const { recurring, payment } = facts
  const a = payment ? resolveAmounts(payment.amount) : null
  return {
    EventType: 5,
    Event: V1_EVENT_NAMES[5],
    DateTime: formatCompactLocal(ctx.createdAt, ctx.timeZone),
    CountryIsoCode: ctx.countryIsoCode,
    Data: {
      RecurringId: recurring.id,
      RecurringStatus: upper(recurring.status),
      NextPayDate:
        recurring.nextPayDate === null ? null : formatLocalIso(recurring.nextPayDate, ctx.timeZone).slice(0, 19),
      InvoiceId: payment?.invoice.id ?? null,
      InvoiceReference: payment?.invoice.reference ?? null,
      CreatedDate: payment ? formatCompactLocal(payment.invoice.createdAt, ctx.timeZone) : null,
      TransactionStatus: payment?.transaction.status ?? null,
      ReferenceId: payment?.transaction.referenceId ?? null,
      TrackId: payment?.transaction.trackId ?? null,
      PaymentId: payment?.transaction.paymentId ?? null,
      AuthorizationId: payment?.transaction.authorizationId ?? null,
      InvoiceValueInBaseCurrency: a?.value ?? null,
      BaseCurrency: a?.base ?? null,
    },
  }
}

/** v2 PAYMENT_STATUS_CHANGED (Code 1) with every field of the documented data model. */
export function buildV2PaymentStatusEvent(facts: PaymentFacts, ctx: WebhookContext): V2PaymentStatusEvent {
  const { invoice, customer } = facts
  return {
    Event: {
      Code: 1,
      Name: V2_EVENT_NAMES[1],
      CountryIsoCode: ctx.countryIsoCode,
      CreationDate: formatUtcIso(ctx.createdAt),
      Reference: ctx.reference,
    },
    Data: {
      Invoice: {
        ...v2RecurringInvoice(invoice),
        ExternalIdentifier: invoice.externalIdentifier,
        MetaData: null,
      },
      Transaction: v2Transaction(facts.transaction, v2FullCard),
      Customer: { Name: customer.name, Mobile: customer.mobile, Email: customer.email },
      Amount: v2Amount(facts.amount),
      Suppliers: [],
    },
  }
}

/**
 * v2 RECURRING_UPDATES (Code 5). `Payment` follows the recurring data model, which documents a
 * smaller Invoice (no ExternalIdentifier/MetaData) and Card (Number, Brand, Issuer).
 */
export function buildV2RecurringEvent(facts: RecurringFacts, ctx: WebhookContext): V2RecurringEvent {
  const { recurring, payment } = facts
  return {
    Event: {
      Code: 5,
      Name: V2_EVENT_NAMES[5],
      CountryIsoCode: ctx.countryIsoCode,
      CreationDate: formatUtcIso(ctx.createdAt),
      Reference: ctx.reference,
    },
    Data: {
      Recurring: {
        Id: recurring.id,
        NextPayDate: recurring.nextPayDate === null ? null : formatUtcIsoSeconds(recurring.nextPayDate),
        Status: upper(recurring.status),
        InitialInvoiceId: String(recurring.initialInvoiceId),
      },
      Payment: payment
        ? {
            Invoice: v2RecurringInvoice(payment.invoice),
            Transaction: v2Transaction(payment.transaction, v2RecurringCard),
            Amount: v2Amount(payment.amount),
          }
        : null,
    },
  }
}

/**
 * v1 RefundStatusChanged (EventType 2): exactly the documented sample's keys (no
 * `InvoiceRefernce`), amounts as text with the currency's decimals, no nulls (§11). The signed
 * text is every top-level key but `GatewayReference`.
 */
export function buildV1RefundEvent(facts: RefundFacts, ctx: WebhookContext): V1RefundEvent {
  const { refund, invoice, amount, payment } = facts
  return {
    EventType: 2,
    Event: V1_EVENT_NAMES[2],
    DateTime: formatCompactLocal(ctx.createdAt, ctx.timeZone),
    CountryIsoCode: ctx.countryIsoCode,
    Data: {
      RefundId: refund.id,
      RefundReference: refund.reference,
      CreatedDate: formatCompactLocal(refund.createdAt, ctx.timeZone),
      RefundStatus: refund.status,
      Amount: formatAmount(amount.valueMinor, amount.currency),
      Comments: refund.comment ?? '',
      InvoiceId: invoice.id,
      GatewayReference: {
        PaymentId: payment.paymentId,
        AuthorizationId: payment.authorizationId ?? '',
        ReferenceId: payment.referenceId ?? '',
        TransactionId: payment.transactionId,
        RefundAmount: formatAmount(amount.refundAmountMinor, amount.currency),
        Currency: getCurrency(amount.currency).symbol,
        PaymentMethod: payment.paymentMethod,
      },
    },
  }
}

/**
 * v2 REFUND_STATUS_CHANGED (Code 2). The documented fields (`Refund.Id`, `Refund.Status`,
 * `Amount.ValueInBaseCurrency`, `ReferencedInvoice.Id`, signed in that order) and the ones
 * named by analogy with the other v2 models; `ValueInBaseCurrency` is text so that receivers
 * re-reading it from parsed JSON sign the same characters. Refunds are in the base currency,
 * which is also the display currency here.
 */
export function buildV2RefundEvent(facts: RefundFacts, ctx: WebhookContext): V2RefundEvent {
  const { refund, invoice, amount } = facts
  const value = formatAmount(amount.valueMinor, amount.currency)
  return {
    Event: {
      Code: 2,
      Name: V2_EVENT_NAMES[2],
      CountryIsoCode: ctx.countryIsoCode,
      CreationDate: formatUtcIso(ctx.createdAt),
      Reference: ctx.reference,
    },
    Data: {
      Refund: {
        Id: refund.id,
        Reference: refund.reference,
        Status: refund.status,
        CreationDate: formatUtcIso(refund.createdAt),
        Comment: refund.comment ?? '',
        ExternalIdentifier: refund.externalIdentifier ?? '',
      },
      Amount: { BaseCurrency: amount.currency, ValueInBaseCurrency: value, DisplayCurrency: amount.currency, ValueInDisplayCurrency: value },
      ReferencedInvoice: { Id: String(invoice.id), Reference: invoice.reference },
    },
  }
}
