import { CURRENCY_CODES } from '../../domain/currencies.js'
import { CUSTOMER_MOBILE_RULE, MAX_MOBILE_LENGTH } from '../../domain/execute-payment-request.js'
import { INVOICE_STATUSES, TRANSACTION_STATUSES } from '../../domain/invoice.js'
import { MAX_INTERVAL_DAYS, MIN_INTERVAL_DAYS, RECURRING_TYPES } from '../../domain/schedule.js'
import { MAX_RETRY_COUNT } from '../../domain/recurrence.js'
import { always, LOCAL_DATE_TIME, money, nonNegativeMoney } from './schemas.js'

/**
 * Schemas of the payment routes (reference §2–§4): InitiatePayment, ExecutePayment,
 * GetPaymentStatus, InitiateSession, and the invoice fields SendPayment shares. Documentation
 * only (see schemas.ts); the bounds are those of domain/execute-payment-request.ts.
 */

const text = (maxLength: number, description?: string) =>
  ({ type: 'string', maxLength, ...(description === undefined ? {} : { description }) }) as const

const merchantUrl = (description: string) =>
  ({ type: 'string', format: 'uri', maxLength: 254, description: `${description}. http(s); in production https and not this machine` }) as const

/** The invoice fields ExecutePayment and SendPayment share (reference §2.2, §12.1). */
export const INVOICE_PROPERTIES = {
  InvoiceValue: { ...money, exclusiveMinimum: 0, description: 'Required, more than 0; equals Σ Quantity × UnitPrice when InvoiceItems are sent. Numeric strings accepted' },
  CustomerName: text(100, 'Shown on checkout; Arabic welcome'),
  DisplayCurrencyIso: { type: 'string', enum: [...CURRENCY_CODES], description: 'Default: the account’s currency' },
  MobileCountryCode: { type: 'string', maxLength: 5, pattern: '^\\+?\\d{1,4}$', description: 'A dialling code such as +965', example: '+965' },
  CustomerMobile: {
    type: 'string',
    maxLength: MAX_MOBILE_LENGTH,
    pattern: '^(?:\\+|00|\\*)?[0-9]{3,14}#?$',
    description: `${CUSTOMER_MOBILE_RULE}. ASCII; a leading +, 00 or * and a trailing # are allowed within the ${MAX_MOBILE_LENGTH} characters`,
    example: '55512345',
  },
  CustomerEmail: { type: 'string', format: 'email', maxLength: 100 },
  CallBackUrl: merchantUrl('Where the customer returns after paying'),
  ErrorUrl: merchantUrl('Where the customer returns after a failed payment'),
  Language: { type: 'string', enum: ['EN', 'AR', 'en', 'ar'], description: 'Any case; default EN' },
  CustomerReference: text(100, 'Your order id; a GetPaymentStatus key'),
  CustomerCivilId: text(50),
  UserDefinedField: text(500),
  ExpiryDate: {
    type: 'string',
    pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?$',
    description: 'In the future; local time of the account’s country, no offset, e.g. 2030-12-31T23:59:59',
  },
  CustomerAddress: {
    type: 'object',
    properties: {
      Block: text(500),
      Street: text(500),
      HouseBuildingNo: text(500),
      Address: text(500),
      AddressInstructions: text(500),
    },
  },
  InvoiceItems: {
    type: 'array',
    maxItems: 250,
    items: {
      type: 'object',
      required: ['ItemName', 'Quantity', 'UnitPrice'],
      properties: {
        ItemName: text(250),
        Quantity: { type: 'integer', minimum: 1, maximum: 1_000_000 },
        UnitPrice: nonNegativeMoney,
        Weight: { type: 'number', minimum: 0, maximum: 100, description: 'kg' },
        Width: { type: 'number', minimum: 0, maximum: 200, description: 'cm' },
        Height: { type: 'number', minimum: 0, maximum: 160, description: 'cm' },
        Depth: { type: 'number', minimum: 0, maximum: 200, description: 'cm' },
      },
    },
  },
  ShippingMethod: { type: 'integer', enum: [1, 2], description: '1 DHL, 2 ARAMEX; ShippingConsignee is then required' },
  ShippingConsignee: {
    type: 'object',
    required: ['PersonName', 'Mobile', 'LineAddress', 'CityName', 'CountryCode'],
    properties: {
      PersonName: text(100),
      Mobile: text(20),
      EmailAddress: { type: 'string', format: 'email', maxLength: 100 },
      LineAddress: text(500),
      CityName: text(100),
      PostalCode: text(20),
      CountryCode: text(3),
    },
  },
  Suppliers: {
    type: 'array',
    maxItems: 100,
    description: 'Multi-vendor shares: each SupplierCode once, InvoiceShare summing to InvoiceValue',
    items: {
      type: 'object',
      required: ['SupplierCode', 'InvoiceShare'],
      properties: {
        SupplierCode: { type: 'integer', minimum: 1 },
        InvoiceShare: { ...money, exclusiveMinimum: 0 },
        ProposedShare: { ...nonNegativeMoney, description: 'At most InvoiceShare' },
      },
    },
  },
  ProcessingDetails: {
    type: 'object',
    properties: {
      AutoCapture: { type: 'boolean', description: 'false authorises only (then UpdatePaymentStatus); the account must have the feature; never with a RecurringModel. Default true' },
      Bypass3DS: { type: 'boolean', description: 'Charge without the OTP step; the account must have the feature. Default false' },
    },
  },
  WebhookUrl: { type: 'string', format: 'uri', description: 'Webhooks of this invoice (and its recurring payment) go here instead of the account’s URL; https in production' },
} as const

export const EXECUTE_PAYMENT_BODY = {
  type: 'object',
  required: ['InvoiceValue'],
  description: 'Names bind in any case. Exactly one of PaymentMethodId and SessionId.',
  properties: {
    ...INVOICE_PROPERTIES,
    PaymentMethodId: { type: ['integer', 'string'], minimum: 1, description: 'One of InitiatePayment’s; required unless SessionId is sent. Numeric strings accepted' },
    SessionId: { type: 'string', format: 'uuid', description: 'From InitiateSession after the Card View submit; required unless PaymentMethodId is sent' },
    RecurringModel: {
      type: 'object',
      required: ['RecurringType'],
      description: 'Makes the invoice the first payment of a recurring payment (Draft until paid); card methods only, for accounts approved for recurring',
      properties: {
        RecurringType: { type: 'string', enum: [...RECURRING_TYPES], description: 'Any case' },
        IntervalDays: { type: ['integer', 'null'], minimum: MIN_INTERVAL_DAYS, maximum: MAX_INTERVAL_DAYS, description: 'Required for Custom; ignored otherwise' },
        Iteration: { type: 'integer', minimum: 0, maximum: 10_000, description: 'Automatic charges after the first payment; 0 = until cancelled. Default 0' },
        RetryCount: { type: 'integer', minimum: 0, maximum: MAX_RETRY_COUNT, description: 'Daily retries of a failed automatic charge. Default 0' },
      },
    },
  },
  // Works as sent: a monthly subscription of 10 KWD, paid on the hosted page.
  example: {
    PaymentMethodId: 2,
    InvoiceValue: 10,
    CustomerName: 'Fatima',
    CustomerEmail: 'fatima@example.com',
    MobileCountryCode: '+965',
    CustomerMobile: '55512345',
    CallBackUrl: 'https://example.com/paid',
    ErrorUrl: 'https://example.com/failed',
    Language: 'EN',
    CustomerReference: 'order-1001',
    InvoiceItems: [{ ItemName: 'Monthly plan', Quantity: 1, UnitPrice: 10 }],
    RecurringModel: { RecurringType: 'Monthly', Iteration: 12, RetryCount: 3 },
  },
} as const

export const EXECUTE_PAYMENT_DATA = always({
  InvoiceId: { type: 'integer' },
  IsDirectPayment: { type: 'boolean', description: 'true: POST the card to PaymentURL (DirectPayment)' },
  PaymentURL: { type: 'string', format: 'uri', description: 'Send the customer here (the OTP step for a SessionId payment)' },
  CustomerReference: { type: ['string', 'null'] },
  UserDefinedField: { type: ['string', 'null'] },
  RecurringId: { type: 'string', description: 'RECUR… with a RecurringModel, "" otherwise' },
})

export const GET_PAYMENT_STATUS_BODY = {
  type: 'object',
  required: ['Key', 'KeyType'],
  properties: {
    Key: { type: ['string', 'number'], description: 'The id or reference; numbers beyond 2^53 keep every digit when sent as strings' },
    KeyType: { type: 'string', enum: ['InvoiceId', 'PaymentId', 'CustomerReference'], description: 'Any case' },
  },
  // ExecutePayment's example creates this reference: try that first.
  example: { KeyType: 'CustomerReference', Key: 'order-1001' },
} as const

const CARD = always(
  {
    NameOnCard: { type: 'string' },
    Number: { type: 'string', description: 'Masked, e.g. 512345xxxxxx0008' },
    Token: { type: 'string', description: 'The saved card’s token; "" for cards not saved (recurring tokens are never shown)' },
    PanHash: { type: 'string' },
    ExpiryMonth: { type: 'string' },
    ExpiryYear: { type: 'string' },
    Brand: { type: 'string' },
    Issuer: { type: ['string', 'null'] },
    IssuerCountry: { type: 'string' },
    FundingMethod: { type: 'string' },
  },
  [],
  { type: ['object', 'null'], description: 'null for attempts without a card (KNET)' },
)

const amountText = { type: 'string', description: 'Amount with the currency’s decimals and thousands separators, e.g. 1,250.000' } as const

const INVOICE_TRANSACTION = always({
  TransactionDate: LOCAL_DATE_TIME,
  PaymentGateway: { type: 'string' },
  ReferenceId: { type: 'string' },
  TrackId: { type: 'string' },
  TransactionId: { type: 'string' },
  PaymentId: { type: 'string', pattern: '^\\d+$' },
  AuthorizationId: { type: 'string' },
  TransactionStatus: { type: 'string', enum: [...TRANSACTION_STATUSES], description: 'MyFatoorah’s spellings, Succss included' },
  TransationValue: amountText,
  CustomerServiceCharge: amountText,
  TotalServiceCharge: amountText,
  DueValue: amountText,
  PaidCurrency: { type: 'string', description: 'Currency symbol, e.g. KD' },
  PaidCurrencyValue: amountText,
  VatAmount: amountText,
  IpAddress: { type: 'string' },
  Country: { type: 'string' },
  Currency: { type: 'string' },
  Error: { type: ['string', 'null'] },
  CardNumber: { type: ['string', 'null'] },
  ErrorCode: { type: 'string', description: 'MF001…MF020 for a declined attempt, "" otherwise' },
  ECI: { type: 'string' },
  Card: CARD,
})

export const PAYMENT_STATUS_DATA = always(
  {
    InvoiceId: { type: 'integer' },
    InvoiceStatus: { type: 'string', enum: [...INVOICE_STATUSES] },
    InvoiceReference: { type: 'string' },
    CustomerReference: { type: ['string', 'null'] },
    CreatedDate: LOCAL_DATE_TIME,
    ExpiryDate: { type: 'string', description: 'Date only, e.g. December 31, 2030 (the PHP library joins it with ExpiryTime)' },
    ExpiryTime: { type: 'string', description: 'e.g. 23:59:59.000' },
    InvoiceValue: { type: 'number' },
    Comments: { type: 'null' },
    CustomerName: { type: ['string', 'null'] },
    CustomerMobile: { type: ['string', 'null'], description: 'With its country code, e.g. +96555512345' },
    CustomerEmail: { type: ['string', 'null'] },
    UserDefinedField: { type: ['string', 'null'] },
    InvoiceDisplayValue: { type: 'string', description: 'Amount and ISO code, e.g. 10.000 KWD' },
    DueDeposit: { type: 'number' },
    DepositStatus: { type: 'string' },
    InvoiceItems: {
      type: 'array',
      items: always({
        ItemName: { type: 'string' },
        Quantity: { type: 'integer' },
        UnitPrice: { type: 'number' },
        Weight: { type: ['number', 'null'] },
        Width: { type: ['number', 'null'] },
        Height: { type: ['number', 'null'] },
        Depth: { type: ['number', 'null'] },
      }),
    },
    InvoiceTransactions: { type: 'array', description: 'Every attempt to pay, oldest first', items: INVOICE_TRANSACTION },
    Suppliers: {
      type: 'array',
      items: always({
        SupplierCode: { type: 'integer' },
        SupplierName: { type: 'string' },
        InvoiceShare: { type: 'number' },
        ProposedShare: { type: ['number', 'null'] },
        DepositShare: { type: 'number' },
      }),
    },
    RecurringId: { type: 'string', description: 'Only on invoices of a recurring payment' },
  },
  ['RecurringId'],
)

export const INITIATE_PAYMENT_BODY = {
  type: 'object',
  properties: {
    InvoiceAmount: { ...nonNegativeMoney, description: 'The amount to price the methods for; default 0' },
    CurrencyIso: { type: 'string', enum: [...CURRENCY_CODES], description: 'Default: the account’s currency' },
  },
  example: { InvoiceAmount: 10, CurrencyIso: 'KWD' },
} as const

export const INITIATE_PAYMENT_DATA = always({
  PaymentMethods: {
    type: 'array',
    items: always({
      PaymentMethodId: { type: 'integer' },
      PaymentMethodAr: { type: 'string' },
      PaymentMethodEn: { type: 'string' },
      PaymentMethodCode: { type: 'string' },
      IsDirectPayment: { type: 'boolean' },
      ServiceCharge: { type: 'number' },
      TotalAmount: { type: 'number', description: 'What the customer pays: the amount (charges are the merchant’s)' },
      CurrencyIso: { type: 'string', enum: [...CURRENCY_CODES] },
      ImageUrl: { type: 'string', format: 'uri' },
      IsEmbeddedSupported: { type: 'boolean' },
      PaymentCurrencyIso: { type: 'string', enum: [...CURRENCY_CODES] },
    }),
  },
})

export const INITIATE_SESSION_BODY = {
  type: 'object',
  properties: {
    CustomerIdentifier: text(100, 'Your id of the customer: their saved cards come back in CustomerTokens'),
    SaveToken: { type: 'boolean', description: 'Save the card the Card View takes; needs CustomerIdentifier, not with IsRecurring. Default false' },
    IsRecurring: { type: 'boolean', description: 'The session pays the first invoice of a recurring payment. Default false' },
  },
  example: { CustomerIdentifier: 'customer-42', SaveToken: true },
} as const

export const INITIATE_SESSION_DATA = always({
  SessionId: { type: 'string', format: 'uuid', description: 'Single use, valid for an hour' },
  CountryCode: { type: 'string', example: 'KWT' },
  CustomerTokens: {
    type: 'array',
    description: 'The customer’s saved cards (never recurring ones); empty without CustomerIdentifier',
    items: always({
      Token: { type: 'string' },
      CardNumber: { type: 'string' },
      CardBrand: { type: 'string' },
      Is3DSVerified: { type: 'boolean' },
      TokenType: { type: 'string' },
    }),
  },
})
