import type {
  InvoiceStatus,
  RecurringStatus,
  V1_EVENT_NAMES,
  V2_EVENT_NAMES,
  WebhookRefundStatus,
  WebhookTransactionStatus,
} from './webhook-facts.js'

/**
 * The JSON shapes of webhook bodies as MyFatoorah sends them (reference §7.3, §7.4), wire
 * misspellings included. Type aliases, not interfaces, so that Data is assignable to
 * Record<string, unknown> for the signers.
 */

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

/**
 * v1 Refund data model (event 2): the documented sample's keys, amounts as text with the
 * currency's decimals, no nulls. `GatewayReference` is a nested object, so it is never signed.
 */
export type V1RefundData = {
  readonly RefundId: number
  readonly RefundReference: string
  /** `ddMMyyyyHHmmss`, account-local: when the refund was asked for. */
  readonly CreatedDate: string
  readonly RefundStatus: WebhookRefundStatus
  readonly Amount: string
  /** The MakeRefund `Comment` (plural on the wire); empty when none. */
  readonly Comments: string
  readonly InvoiceId: number
  readonly GatewayReference: {
    readonly PaymentId: string
    readonly AuthorizationId: string
    readonly ReferenceId: string
    readonly TransactionId: string
    readonly RefundAmount: string
    /** Display symbol, e.g. `KD`, as GetPaymentStatus prints `Currency`. */
    readonly Currency: string
    readonly PaymentMethod: string
  }
}

/** v1 RefundStatusChanged body. */
export type V1RefundEvent = V1Envelope<2, V1RefundData>

/** v2 REFUND_STATUS_CHANGED data model; amounts are decimal text so their signature survives parsing. */
export type V2RefundData = {
  readonly Refund: {
    readonly Id: number
    readonly Reference: string
    readonly Status: WebhookRefundStatus
    readonly CreationDate: string
    readonly Comment: string
    readonly ExternalIdentifier: string
  }
  readonly Amount: {
    readonly BaseCurrency: string
    readonly ValueInBaseCurrency: string
    readonly DisplayCurrency: string
    readonly ValueInDisplayCurrency: string
  }
  readonly ReferencedInvoice: { readonly Id: string; readonly Reference: string }
}

/** v2 REFUND_STATUS_CHANGED body. */
export type V2RefundEvent = V2Envelope<2, V2RefundData>

/** Any v1 body dawri sends. */
export type V1WebhookBody = V1TransactionEvent | V1RecurringEvent | V1RefundEvent

/** Any v2 body dawri sends. */
export type V2WebhookBody = V2PaymentStatusEvent | V2RecurringEvent | V2RefundEvent

/** Any webhook body dawri sends. */
export type WebhookBody = V1WebhookBody | V2WebhookBody
