/**
 * The webhook bodies dawri sends, as MyFatoorah defines them (wire misspellings included), and
 * the typed event {@link parseWebhookEvent} returns. Type aliases (not interfaces) so that a
 * `Data` is assignable to `Record<string, unknown>`.
 */

/** Transaction statuses as webhooks spell them. */
export type WebhookTransactionStatus = 'SUCCESS' | 'FAILED' | 'CANCELED' | 'AUTHORIZE' | 'INPROGRESS'

/** Refund statuses as webhooks spell them. */
export type WebhookRefundStatus = 'REFUNDED' | 'CANCELED'

/** Invoice statuses as webhooks spell them. */
export type WebhookInvoiceStatus = 'PENDING' | 'PAID' | 'CANCELED'

/** Recurring statuses as webhooks spell them. */
export type WebhookRecurringStatus = 'DRAFT' | 'ACTIVE' | 'COMPLETED' | 'UNCOMPLETED' | 'CANCELED'

/** v1 envelope: `EventType` and `Event` name the event. */
export type V1Envelope<TType extends number, TName extends string, TData> = {
  readonly EventType: TType
  readonly Event: TName
  /** `ddMMyyyyHHmmss`, the account's local time. */
  readonly DateTime: string
  readonly CountryIsoCode: string
  readonly Data: TData
}

/** v1 Transaction data (EventType 1). Amounts are decimal text. */
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

/** v1 Recurring data (EventType 5). Payment fields are null when no charge exists yet. */
export type V1RecurringData = {
  readonly RecurringId: string
  readonly RecurringStatus: WebhookRecurringStatus
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

/** v1 Refund data (EventType 2). `GatewayReference` is nested, hence unsigned. */
export type V1RefundData = {
  readonly RefundId: number
  readonly RefundReference: string
  readonly CreatedDate: string
  readonly RefundStatus: WebhookRefundStatus
  readonly Amount: string
  readonly Comments: string
  readonly InvoiceId: number
  readonly GatewayReference: {
    readonly PaymentId: string
    readonly AuthorizationId: string
    readonly ReferenceId: string
    readonly TransactionId: string
    readonly RefundAmount: string
    readonly Currency: string
    readonly PaymentMethod: string
  }
}

/** v1 TransactionsStatusChanged body. */
export type V1TransactionEvent = V1Envelope<1, 'TransactionsStatusChanged', V1TransactionData>
/** v1 RefundStatusChanged body. */
export type V1RefundEvent = V1Envelope<2, 'RefundStatusChanged', V1RefundData>
/** v1 RecurringStatusChanged body. */
export type V1RecurringEvent = V1Envelope<5, 'RecurringStatusChanged', V1RecurringData>

/** v2 envelope: `Event.Code` and `Event.Name` name the event. */
export type V2Envelope<TCode extends number, TName extends string, TData> = {
  readonly Event: {
    readonly Code: TCode
    readonly Name: TName
    readonly CountryIsoCode: string
    /** UTC ISO 8601. */
    readonly CreationDate: string
    /**
     * `WH-<n>`, n counting the account's own events: the same for every delivery of one event
     * (drop duplicates with it; a receiver serving several accounts keys it by account too).
     */
    readonly Reference: string
  }
  readonly Data: TData
}

/** v2 Invoice of PAYMENT_STATUS_CHANGED. */
export type V2Invoice = {
  readonly Id: string
  readonly Status: WebhookInvoiceStatus
  readonly Reference: string
  readonly CreationDate: string
  readonly ExpirationDate: string
  readonly UserDefinedField: string | null
  readonly ExternalIdentifier: string | null
  readonly MetaData: null
}

/** v2 Invoice of RECURRING_UPDATES. */
export type V2RecurringInvoice = Pick<V2Invoice, 'Id' | 'Status' | 'Reference' | 'CreationDate' | 'ExpirationDate' | 'UserDefinedField'>

/** v2 Card (masked). */
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

/** v2 Card of RECURRING_UPDATES. */
export type V2RecurringCard = Pick<V2Card, 'Number' | 'Brand' | 'Issuer'>

/** v2 Transaction. */
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

/** v2 Amount (decimal text in each currency's decimals). */
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

/** v2 PAYMENT_STATUS_CHANGED data. */
export type V2PaymentStatusData = {
  readonly Invoice: V2Invoice
  readonly Transaction: V2Transaction<V2Card>
  readonly Customer: { readonly Name: string | null; readonly Mobile: string | null; readonly Email: string | null }
  readonly Amount: V2Amount
  readonly Suppliers: readonly never[]
}

/** v2 RECURRING_UPDATES data; `Payment` is the latest charge, null before the first. */
export type V2RecurringData = {
  readonly Recurring: {
    readonly Id: string
    readonly NextPayDate: string | null
    readonly Status: WebhookRecurringStatus
    readonly InitialInvoiceId: string
  }
  readonly Payment: {
    readonly Invoice: V2RecurringInvoice
    readonly Transaction: V2Transaction<V2RecurringCard>
    readonly Amount: V2Amount
  } | null
}

/** v2 REFUND_STATUS_CHANGED data. */
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

/** v2 PAYMENT_STATUS_CHANGED body. */
export type V2PaymentStatusEvent = V2Envelope<1, 'PAYMENT_STATUS_CHANGED', V2PaymentStatusData>
/** v2 REFUND_STATUS_CHANGED body. */
export type V2RefundEvent = V2Envelope<2, 'REFUND_STATUS_CHANGED', V2RefundData>
/** v2 RECURRING_UPDATES body. */
export type V2RecurringEvent = V2Envelope<5, 'RECURRING_UPDATES', V2RecurringData>

/** Any v1 body dawri sends. */
export type V1WebhookBody = V1TransactionEvent | V1RecurringEvent | V1RefundEvent
/** Any v2 body dawri sends. */
export type V2WebhookBody = V2PaymentStatusEvent | V2RecurringEvent | V2RefundEvent
/** Any webhook body dawri sends. */
export type WebhookBody = V1WebhookBody | V2WebhookBody

/**
 * A parsed webhook: `kind` says what happened (whatever the version), `version` which envelope
 * carried it, `body` the whole body typed. Switch on `kind`, then on `version`.
 */
export type WebhookEvent =
  | { readonly kind: 'payment'; readonly version: 'v1'; readonly body: V1TransactionEvent }
  | { readonly kind: 'payment'; readonly version: 'v2'; readonly body: V2PaymentStatusEvent }
  | { readonly kind: 'refund'; readonly version: 'v1'; readonly body: V1RefundEvent }
  | { readonly kind: 'refund'; readonly version: 'v2'; readonly body: V2RefundEvent }
  | { readonly kind: 'recurring'; readonly version: 'v1'; readonly body: V1RecurringEvent }
  | { readonly kind: 'recurring'; readonly version: 'v2'; readonly body: V2RecurringEvent }
