import type { CountryCode } from '../domain/countries.js'
import type { CurrencyCode } from '../domain/currencies.js'
import { formatCompactLocal, formatLocalIso } from '../domain/local-time.js'
import { formatAmount } from '../domain/money.js'

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

/** Webhook payload versions a merchant can choose in the portal (reference §7.1). */
export const WEBHOOK_VERSIONS = ['v1', 'v2'] as const

/** One of {@link WEBHOOK_VERSIONS}. */
export type WebhookVersion = (typeof WEBHOOK_VERSIONS)[number]

/** v1 `EventType` → `Event` name (reference §7.3). */
export const V1_EVENT_NAMES = {
  1: 'TransactionsStatusChanged',
  2: 'RefundStatusChanged',
  3: 'BalanceTransferred',
  4: 'SupplierStatusChanged',
  5: 'RecurringStatusChanged',
  6: 'DisputeStatusChanged',
  7: 'SupplierUpdateRequestChanged',
} as const

/** v2 `Event.Code` → `Event.Name` (reference §7.4). */
export const V2_EVENT_NAMES = {
  1: 'PAYMENT_STATUS_CHANGED',
  2: 'REFUND_STATUS_CHANGED',
  3: 'BALANCE_TRANSFERRED',
  4: 'SUPPLIER_STATUS_CHANGED',
  5: 'RECURRING_UPDATES',
  6: 'DISPUTE_STATUS_CHANGED',
  7: 'SUPPLIER_UPDATE_REQUEST_CHANGED',
} as const

/** Invoice statuses in GetPaymentStatus casing (reference §4.2). */
export const INVOICE_STATUSES = ['Pending', 'Paid', 'Canceled'] as const

/** One of {@link INVOICE_STATUSES}. */
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number]

/** Transaction statuses as webhooks spell them (reference §7.3, §6.2 for `INPROGRESS`). */
export const WEBHOOK_TRANSACTION_STATUSES = ['SUCCESS', 'FAILED', 'CANCELED', 'AUTHORIZE', 'INPROGRESS'] as const

/** One of {@link WEBHOOK_TRANSACTION_STATUSES}. */
export type WebhookTransactionStatus = (typeof WEBHOOK_TRANSACTION_STATUSES)[number]

/** Recurring statuses in GetRecurringPayment casing (reference §6.1). */
export const RECURRING_STATUSES = ['Draft', 'Active', 'Completed', 'Uncompleted', 'Canceled'] as const

/** One of {@link RECURRING_STATUSES}. */
export type RecurringStatus = (typeof RECURRING_STATUSES)[number]

// ---------------------------------------------------------------------------------------------
// Facts (inputs)
// ---------------------------------------------------------------------------------------------

/** The invoice a payment event is about. */
export interface InvoiceFacts {
  /** Public InvoiceId. */
  readonly id: number
  /** `InvoiceReference`, e.g. `2025015455`. */
  readonly reference: string
  readonly status: InvoiceStatus
  /** Epoch ms. */
  readonly createdAt: number
  /** Epoch ms. */
  readonly expiresAt: number
  readonly userDefinedField: string | null
  readonly customerReference: string | null
  /** The merchant's identifier of the invoice (v2 `Invoice.ExternalIdentifier`, signed). */
  readonly externalIdentifier: string | null
}

/** The payer as the merchant described them on the invoice. */
export interface CustomerFacts {
  readonly name: string | null
  readonly mobile: string | null
  readonly email: string | null
}

/** The card of a transaction, already masked; no field may hold a full PAN. */
export interface CardFacts {
  readonly nameOnCard: string | null
  /** Masked, e.g. `512345xxxxxx0008`. */
  readonly number: string
  readonly token: string | null
  readonly panHash: string | null
  /** Two digits, e.g. `01`. */
  readonly expiryMonth: string | null
  /** Two digits, e.g. `39`. */
  readonly expiryYear: string | null
  /** e.g. `Mastercard`. */
  readonly brand: string | null
  readonly issuer: string | null
  /** ISO-3, e.g. `KWT`. */
  readonly issuerCountry: string | null
  /** e.g. `credit`. */
  readonly fundingMethod: string | null
}

/** One payment attempt on the invoice. */
export interface TransactionFacts {
  /** Internal transaction id as text (v2 `Transaction.Id`, e.g. `121797`). */
  readonly id: string
  readonly status: WebhookTransactionStatus
  /** Gateway name, e.g. `VISA/MASTER`, `KNET`. */
  readonly paymentMethod: string
  /** 18–20 digit text; kept as a string for its leading zeros. */
  readonly paymentId: string
  readonly referenceId: string | null
  readonly trackId: string | null
  readonly authorizationId: string | null
  /** Epoch ms. */
  readonly transactionDate: number
  readonly eci: string | null
  readonly ipAddress: string | null
  readonly country: string | null
  /** `MF001`…`MF020`, or null on success. */
  readonly errorCode: string | null
  readonly errorMessage: string | null
  readonly card: CardFacts | null
}

/**
 * Amounts of the invoice in minor units. Display and pay amounts default to the base amount;
 * when their currency differs from the base, their value must be given (no FX here).
 */
export interface AmountFacts {
  /** Base (account) currency. */
  readonly currency: CurrencyCode
  /** Invoice value in the base currency. */
  readonly valueMinor: number
  /** Currency shown to the customer; default: base. */
  readonly displayCurrency?: CurrencyCode
  readonly displayValueMinor?: number
  /** Currency the customer was charged in; default: display currency. */
  readonly payCurrency?: CurrencyCode
  readonly payValueMinor?: number
  /** Gateway charge borne by the merchant, base currency. */
  readonly serviceChargeMinor: number
  /** VAT on the service charge, base currency. */
  readonly serviceChargeVatMinor: number
  /** What the merchant receives; default: value − service charge − VAT (as DueDeposit, §4.2). */
  readonly receivableMinor?: number
}

/** Everything a payment-status webhook says about one transaction of one invoice. */
export interface PaymentFacts {
  readonly invoice: InvoiceFacts
  readonly customer: CustomerFacts
  readonly transaction: TransactionFacts
  readonly amount: AmountFacts
}

/** A recurring agreement and its latest deduction attempt. */
export interface RecurringFacts {
  readonly recurring: {
    /** `RECUR…`. */
    readonly id: string
    readonly status: RecurringStatus
    /** Instant of the local midnight of the next charge; null once nothing is scheduled. */
    readonly nextPayDate: number | null
    readonly initialInvoiceId: number
  }
  /** Latest deduction attempt; null when none exists yet (e.g. a Draft cancelled unpaid). */
  readonly payment: PaymentFacts | null
}

/** Per-delivery context: who the account is and when/which event this is. */
export interface WebhookContext {
  readonly countryIsoCode: CountryCode
  /** IANA zone of the account, e.g. `Asia/Kuwait`; v1 local times are printed in it. */
  readonly timeZone: string
  /** Epoch ms of the event's creation (v1 `DateTime`, v2 `Event.CreationDate`). */
  readonly createdAt: number
  /** Unique event reference `WH-<n>` (v2 `Event.Reference`). */
  readonly reference: string
}

// ---------------------------------------------------------------------------------------------
// Wire shapes (outputs). Type aliases, not interfaces, so that Data is assignable to
// Record<string, unknown> for the signers.
// ---------------------------------------------------------------------------------------------

/** v1 envelope around a `Data` model (reference §7.3). */
export type V1Envelope<TType extends keyof typeof V1_EVENT_NAMES, TData> = {
  readonly EventType: TType
  readonly Event: (typeof V1_EVENT_NAMES)[TType]
  /** `ddMMyyyyHHmmss`, account-local. */
  readonly DateTime: string
  readonly CountryIsoCode: string
  readonly Data: TData
}

/** v1 Transaction data model (event 1). */
export type V1TransactionData = {
  readonly InvoiceId: number
  readonly InvoiceReference: string
  readonly CreatedDate: string
  readonly CustomerReference: string | null
  readonly CustomerName: string | null
  readonly CustomerMobile: string | null
  readonly CustomerEmail: string | null
  readonly TransactionStatus: WebhookTransactionStatus
  readonly PaymentMethod: string
  readonly UserDefinedField: string | null
  readonly ReferenceId: string | null
  readonly TrackId: string | null
  readonly PaymentId: string
  readonly AuthorizationId: string | null
  readonly InvoiceValueInBaseCurrency: string
  readonly BaseCurrency: string
  /** Sic: the wire key is misspelt. */
  readonly InvoiceValueInDisplayCurreny: string
  readonly DisplayCurrency: string
  readonly InvoiceValueInPayCurrency: string
  readonly PayCurrency: string
}

/** v1 Recurring data model (event 5). Payment fields are null when no attempt exists. */
export type V1RecurringData = {
  readonly RecurringId: string
  readonly RecurringStatus: Uppercase<RecurringStatus>
  readonly NextPayDate: string | null
  readonly InvoiceId: number | null
  readonly InvoiceReference: string | null
  readonly CreatedDate: string | null
  readonly TransactionStatus: WebhookTransactionStatus | null
  readonly ReferenceId: string | null
  readonly TrackId: string | null
  readonly PaymentId: string | null
  readonly AuthorizationId: string | null
  readonly InvoiceValueInBaseCurrency: string | null
  readonly BaseCurrency: string | null
}

/** v1 TransactionsStatusChanged body. */
export type V1TransactionEvent = V1Envelope<1, V1TransactionData>

/** v1 RecurringStatusChanged body. */
export type V1RecurringEvent = V1Envelope<5, V1RecurringData>

/** v2 envelope around a `Data` model (reference §7.4). */
export type V2Envelope<TCode extends keyof typeof V2_EVENT_NAMES, TData> = {
  readonly Event: {
    readonly Code: TCode
    readonly Name: (typeof V2_EVENT_NAMES)[TCode]
    readonly CountryIsoCode: string
    /** UTC ISO 8601. */
    readonly CreationDate: string
    readonly Reference: string
  }
  readonly Data: TData
}

/** v2 Invoice of PAYMENT_STATUS_CHANGED. */
export type V2Invoice = {
  readonly Id: string
  readonly Status: Uppercase<InvoiceStatus>
  readonly Reference: string
  readonly CreationDate: string
  readonly ExpirationDate: string
  readonly UserDefinedField: string | null
  readonly ExternalIdentifier: string | null
  /** `{UDF1..UDF5}` in MyFatoorah; dawri has no such fields, so always null. */
  readonly MetaData: null
}

/** v2 Invoice of RECURRING_UPDATES `Payment` (the documented model has fewer fields). */
export type V2RecurringInvoice = Pick<
  V2Invoice,
  'Id' | 'Status' | 'Reference' | 'CreationDate' | 'ExpirationDate' | 'UserDefinedField'
>

/** v2 full Card (PAYMENT_STATUS_CHANGED). */
export type V2Card = {
  readonly NameOnCard: string | null
  readonly Number: string
  readonly Token: string | null
  readonly PanHash: string | null
  readonly ExpiryMonth: string | null
  readonly ExpiryYear: string | null
  readonly Brand: string | null
  readonly Issuer: string | null
  readonly IssuerCountry: string | null
  readonly FundingMethod: string | null
}

/** v2 Card of RECURRING_UPDATES (documented as three fields). */
export type V2RecurringCard = Pick<V2Card, 'Number' | 'Brand' | 'Issuer'>

/** v2 Transaction, generic over its Card model. */
export type V2Transaction<TCard> = {
  readonly Id: string
  readonly Status: WebhookTransactionStatus
  readonly PaymentMethod: string
  readonly PaymentId: string
  readonly ReferenceId: string | null
  readonly TrackId: string | null
  readonly AuthorizationId: string | null
  readonly TransactionDate: string
  readonly ECI: string | null
  readonly IP: { readonly Address: string | null; readonly Country: string | null }
  readonly Error: { readonly Code: string | null; readonly Message: string | null }
  readonly Card: TCard | null
}

/** v2 Amount (all values decimal text in their currency's decimals). */
export type V2Amount = {
  readonly BaseCurrency: string
  readonly ValueInBaseCurrency: string
  readonly ServiceCharge: string
  readonly ServiceChargeVAT: string
  readonly ReceivableAmount: string
  readonly DisplayCurrency: string
  readonly ValueInDisplayCurrency: string
  readonly PayCurrency: string
  readonly ValueInPayCurrency: string
}

/** v2 PAYMENT_STATUS_CHANGED data model. */
export type V2PaymentStatusData = {
  readonly Invoice: V2Invoice
  readonly Transaction: V2Transaction<V2Card>
  readonly Customer: { readonly Name: string | null; readonly Mobile: string | null; readonly Email: string | null }
  readonly Amount: V2Amount
  /** dawri has no multi-vendor suppliers. */
  readonly Suppliers: readonly never[]
}

/** v2 RECURRING_UPDATES data model. */
export type V2RecurringData = {
  readonly Recurring: {
    readonly Id: string
    readonly NextPayDate: string | null
    readonly Status: Uppercase<RecurringStatus>
    readonly InitialInvoiceId: string
  }
  readonly Payment: {
    readonly Invoice: V2RecurringInvoice
    readonly Transaction: V2Transaction<V2RecurringCard>
    readonly Amount: V2Amount
  } | null
}

/** v2 PAYMENT_STATUS_CHANGED body. */
export type V2PaymentStatusEvent = V2Envelope<1, V2PaymentStatusData>

/** v2 RECURRING_UPDATES body. */
export type V2RecurringEvent = V2Envelope<5, V2RecurringData>

/** Any v1 body dawri sends. */
export type V1WebhookBody = V1TransactionEvent | V1RecurringEvent

/** Any v2 body dawri sends. */
export type V2WebhookBody = V2PaymentStatusEvent | V2RecurringEvent

/** Any webhook body dawri sends. */
export type WebhookBody = V1WebhookBody | V2WebhookBody

// ---------------------------------------------------------------------------------------------
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
