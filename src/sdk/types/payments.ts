import type { Amount, CountryCode, CurrencyIso, InvoiceStatus, TransactionStatus } from './common.js'

/** `POST /v2/InitiatePayment`: the payment methods enabled for an amount. */
export interface InitiatePaymentRequest {
  readonly InvoiceAmount?: Amount
  readonly CurrencyIso?: CurrencyIso
}

/** One payment method with its charges for the amount. */
export interface PaymentMethod {
  readonly PaymentMethodId: number
  readonly PaymentMethodAr: string
  readonly PaymentMethodEn: string
  readonly PaymentMethodCode: string
  /** True for methods paid over DirectPayment with card data (id 9). */
  readonly IsDirectPayment: boolean
  readonly ServiceCharge: number
  readonly TotalAmount: number
  readonly CurrencyIso: string
  readonly ImageUrl: string
  readonly IsEmbeddedSupported: boolean
  readonly PaymentCurrencyIso: string
}

/** `Data` of InitiatePayment. */
export interface InitiatePaymentData {
  readonly PaymentMethods: readonly PaymentMethod[]
}

/** How often a recurring payment charges the saved card after the first payment. */
export interface RecurringModel {
  readonly RecurringType: 'Custom' | 'Daily' | 'Weekly' | 'Monthly'
  /** Days between charges; required for `Custom` (1–180). */
  readonly IntervalDays?: number | null
  /** Automatic charges after the first payment; 0 = until cancelled. */
  readonly Iteration?: number
  /** Daily retries of a declined charge (0–5). */
  readonly RetryCount?: number
}

/** One line of an invoice. */
export interface InvoiceItem {
  readonly ItemName: string
  readonly Quantity: number
  readonly UnitPrice: Amount
  readonly Weight?: number
  readonly Width?: number
  readonly Height?: number
  readonly Depth?: number
}

/** The customer's address printed on the invoice. */
export interface CustomerAddress {
  readonly Block?: string
  readonly Street?: string
  readonly HouseBuildingNo?: string
  readonly Address?: string
  readonly AddressInstructions?: string
}

/** The shipping recipient, required with `ShippingMethod`. */
export interface ShippingConsignee {
  readonly PersonName: string
  readonly Mobile: string
  readonly EmailAddress?: string
  readonly LineAddress: string
  readonly CityName: string
  readonly PostalCode?: string
  readonly CountryCode: string
}

/** A supplier's share of a multi-vendor invoice. */
export interface SupplierShare {
  readonly SupplierCode: number
  readonly InvoiceShare: Amount
  readonly ProposedShare?: Amount
}

/** Capture and 3-D Secure options of a payment. */
export interface ProcessingDetails {
  /** false: authorise now, capture or release later with UpdatePaymentStatus. */
  readonly AutoCapture?: boolean
  readonly Bypass3DS?: boolean
}

/** Fields ExecutePayment and SendPayment share. */
export interface InvoiceFields {
  readonly InvoiceValue: Amount
  readonly CustomerName?: string
  readonly DisplayCurrencyIso?: CurrencyIso
  readonly MobileCountryCode?: string
  readonly CustomerMobile?: string
  readonly CustomerEmail?: string
  readonly CallBackUrl?: string
  readonly ErrorUrl?: string
  readonly Language?: 'EN' | 'AR' | 'en' | 'ar'
  readonly CustomerReference?: string
  readonly CustomerCivilId?: string
  readonly UserDefinedField?: string
  /** Local date-time of the account's country, e.g. `2030-12-31T23:59:59`. */
  readonly ExpiryDate?: string
  readonly CustomerAddress?: CustomerAddress
  readonly InvoiceItems?: readonly InvoiceItem[]
  /** 1 = DHL, 2 = ARAMEX. */
  readonly ShippingMethod?: 1 | 2
  readonly ShippingConsignee?: ShippingConsignee
  readonly Suppliers?: readonly SupplierShare[]
  readonly ProcessingDetails?: ProcessingDetails
  /** Where this invoice's webhooks go, instead of the account's URL. */
  readonly WebhookUrl?: string
}

/** `POST /v2/ExecutePayment`: create an invoice (optionally recurring) and get its PaymentURL. */
export interface ExecutePaymentRequest extends InvoiceFields {
  /** From InitiatePayment; send it or `SessionId`, not both. */
  readonly PaymentMethodId?: number
  /** From InitiateSession once the Card View was submitted. */
  readonly SessionId?: string
  readonly RecurringModel?: RecurringModel
}

/** `Data` of ExecutePayment. */
export interface ExecutePaymentData {
  readonly InvoiceId: number
  /** True when PaymentURL is a DirectPayment URL taking card data (see `directPayment`). */
  readonly IsDirectPayment: boolean
  readonly PaymentURL: string
  readonly CustomerReference: string | null
  readonly UserDefinedField: string | null
  /** `RECUR…` when a RecurringModel was sent, else empty. */
  readonly RecurringId: string
}

/** Card data for DirectPayment (PCI-compliant merchants only). */
export interface DirectPaymentCard {
  readonly Number: string
  /** `MM`. */
  readonly ExpiryMonth: string
  /** `YY`. */
  readonly ExpiryYear: string
  readonly SecurityCode: string
  readonly HolderName?: string
}

/** `POST /v2/DirectPayment/{invoiceKey}/{paymentGatewayId}`: pay an invoice with a card or a saved token. */
export interface DirectPaymentRequest {
  readonly PaymentType: 'card' | 'token'
  readonly Card?: DirectPaymentCard
  /** A saved token (`TKN-…`) when PaymentType is `token`. */
  readonly Token?: string
  readonly SaveToken?: boolean
  /** Charge at once without the OTP step (the account needs the feature). */
  readonly Bypass3DS?: boolean
}

/** `Data` of DirectPayment. */
export interface DirectPaymentData {
  readonly Status: 'SUCCESS' | 'FAILURE'
  readonly ErrorMessage: string
  readonly PaymentId: string
  readonly Token: string
  readonly RecurringId: string
  /** The OTP step, or the result page with Bypass3DS. */
  readonly PaymentURL: string
  readonly CardInfo: {
    readonly Number: string
    readonly ExpiryMonth: string
    readonly ExpiryYear: string
    readonly Brand: string
    readonly Issuer: string
  }
}

/** `POST /v2/GetPaymentStatus`. */
export interface GetPaymentStatusRequest {
  readonly Key: string | number
  readonly KeyType: 'InvoiceId' | 'PaymentId' | 'CustomerReference'
}

/** A card as GetPaymentStatus shows it (masked). */
export interface TransactionCard {
  readonly NameOnCard: string
  readonly Number: string
  readonly Token: string
  readonly PanHash: string | null
  readonly ExpiryMonth: string | null
  readonly ExpiryYear: string | null
  readonly Brand: string | null
  readonly Issuer: string | null
  readonly IssuerCountry: string
  readonly FundingMethod: string
}

/** One payment attempt of an invoice; amounts are decimal text. */
export interface InvoiceTransaction {
  readonly TransactionDate: string
  readonly PaymentGateway: string
  readonly ReferenceId: string
  readonly TrackId: string
  readonly TransactionId: string
  readonly PaymentId: string
  readonly AuthorizationId: string
  readonly TransactionStatus: TransactionStatus
  /** Sic: MyFatoorah's wire spelling. */
  readonly TransationValue: string
  readonly CustomerServiceCharge: string
  readonly TotalServiceCharge: string
  readonly DueValue: string
  readonly PaidCurrency: string
  readonly PaidCurrencyValue: string
  readonly VatAmount: string
  readonly IpAddress: string
  readonly Country: string
  readonly Currency: string
  readonly Error: string | null
  readonly CardNumber: string | null
  readonly ErrorCode: string
  readonly ECI: string
  readonly Card: TransactionCard | null
}

/** An invoice line as GetPaymentStatus shows it. */
export interface InvoiceItemView {
  readonly ItemName: string
  readonly Quantity: number
  readonly UnitPrice: number
  readonly Weight: number | null
  readonly Width: number | null
  readonly Height: number | null
  readonly Depth: number | null
}

/** A supplier's share as GetPaymentStatus shows it. */
export interface SupplierView {
  readonly SupplierCode: number
  readonly SupplierName: string
  readonly InvoiceShare: number
  readonly ProposedShare: number | null
  readonly DepositShare: number
}

/** `Data` of GetPaymentStatus: the invoice and all its transactions. */
export interface PaymentStatusData {
  readonly InvoiceId: number
  readonly InvoiceStatus: InvoiceStatus
  readonly InvoiceReference: string
  readonly CustomerReference: string | null
  readonly CreatedDate: string
  readonly ExpiryDate: string
  readonly ExpiryTime: string
  readonly InvoiceValue: number
  readonly Comments: string | null
  readonly CustomerName: string | null
  readonly CustomerMobile: string | null
  readonly CustomerEmail: string | null
  readonly UserDefinedField: string | null
  readonly InvoiceDisplayValue: string
  readonly DueDeposit: number
  readonly DepositStatus: string
  readonly InvoiceItems: readonly InvoiceItemView[]
  readonly InvoiceTransactions: readonly InvoiceTransaction[]
  readonly Suppliers: readonly SupplierView[]
  /** Present on invoices of a recurring payment. */
  readonly RecurringId?: string
}

/** `POST /v2/InitiateSession`: a single-use session for the Card View. */
export interface InitiateSessionRequest {
  /** Your id of the customer: their saved cards come back in `CustomerTokens`. */
  readonly CustomerIdentifier?: string
  readonly SaveToken?: boolean
  /** The session will pay the first invoice of a recurring payment. */
  readonly IsRecurring?: boolean
}

/** A saved card of the customer. */
export interface CustomerToken {
  readonly Token: string
  readonly CardNumber: string
  readonly CardBrand: string
  readonly Is3DSVerified: boolean
  readonly TokenType: string
}

/** `Data` of InitiateSession. */
export interface InitiateSessionData {
  readonly SessionId: string
  readonly CountryCode: CountryCode
  readonly CustomerTokens: readonly CustomerToken[]
}

/** `POST /v2/UpdateSession`: bind a saved card to a session. */
export interface UpdateSessionRequest {
  readonly SessionId: string
  readonly Token: string
  readonly TokenType: 'mftoken'
  readonly SecurityCode?: string
}

/** `Data` of UpdateSession. */
export interface UpdateSessionData {
  readonly SessionId: string
  readonly CountryCode: string
}

/** `POST /v2/UpdatePaymentStatus`: capture or release an authorised payment. */
export interface UpdatePaymentStatusRequest {
  readonly Operation: 'Capture' | 'Release'
  /** Required to capture; at most what was authorised. */
  readonly Amount?: Amount
  readonly KeyType: 'InvoiceId' | 'PaymentId' | 'CustomerReference'
  readonly Key: string | number
}

/** `Data` of UpdatePaymentStatus. */
export interface UpdatePaymentStatusData {
  readonly InvoiceId: number
  readonly PaymentId: string
  readonly Operation: 'Capture' | 'Release'
  readonly Amount: number
}

/** `POST /v2/CancelToken?token=…`: delete a saved card. */
export interface CancelTokenRequest {
  readonly token: string
}
