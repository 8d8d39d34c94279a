/**
 * JSON schemas of the /v2 routes, used for the OpenAPI document only. Requests are bound and
 * validated by domain code, because MyFatoorah binds names case-insensitively and accepts
 * numeric strings, which JSON Schema cannot express (reference §2.2 note).
 */

import { CUSTOMER_MOBILE_RULE, MAX_MOBILE_LENGTH } from '../../domain/execute-payment-request.js'

const fieldError = {
  type: 'object',
  properties: { Name: { type: 'string' }, Error: { type: 'string' } },
} as const

/** The envelope around `data`. */
export function envelopeSchema(data: object, description = 'Success') {
  return {
    description,
    type: 'object',
    properties: {
      IsSuccess: { type: 'boolean' },
      Message: { type: ['string', 'null'] },
      ValidationErrors: { type: ['array', 'null'], items: fieldError },
      Data: data,
    },
  }
}

/** Error responses every authenticated route can give. */
export const ERROR_RESPONSES = {
  400: envelopeSchema({ type: ['null', 'boolean'] }, 'Invalid data: every bad field is listed in ValidationErrors'),
  401: envelopeSchema({ type: 'null' }, 'Missing or invalid API key'),
  409: envelopeSchema({ type: 'null' }, 'Idempotency-Key reused with another request'),
} as const

/** The bearer security requirement. */
export const BEARER = [{ bearerAuth: [] }]

/** The optional Idempotency-Key header (beyond MyFatoorah). */
export const IDEMPOTENCY_HEADER = {
  type: 'object',
  properties: {
    'Idempotency-Key': { type: 'string', description: 'Repeat a POST safely: same key and body within 24 h return the first response.' },
  },
} as const

const money = { type: ['number', 'string'], description: 'Decimal amount; numeric strings accepted' }

export const EXECUTE_PAYMENT_BODY = {
  type: 'object',
  required: ['InvoiceValue'],
  properties: {
    InvoiceValue: money,
    PaymentMethodId: { type: ['integer', 'string'], description: 'Required unless SessionId is sent' },
    SessionId: { type: 'string', description: 'From InitiateSession after the Card View submit' },
    CustomerName: { type: 'string', maxLength: 100 },
    DisplayCurrencyIso: { type: 'string', enum: ['KWD', 'SAR', 'BHD', 'AED', 'QAR', 'OMR', 'JOD', 'EGP'] },
    MobileCountryCode: { type: 'string' },
    CustomerMobile: {
      type: 'string',
      maxLength: MAX_MOBILE_LENGTH,
      pattern: '^(?:\\+|00|\\*)?[0-9]{3,14}#?$',
      description: `${CUSTOMER_MOBILE_RULE}. ASCII; a leading +, 00 or * and a trailing # are allowed within the ${MAX_MOBILE_LENGTH} characters`,
      example: '55512345',
    },
    CustomerEmail: { type: 'string' },
    CallBackUrl: { type: 'string', maxLength: 254 },
    ErrorUrl: { type: 'string', maxLength: 254 },
    Language: { type: 'string', enum: ['EN', 'AR', 'en', 'ar'] },
    CustomerReference: { type: 'string' },
    CustomerCivilId: { type: 'string' },
    UserDefinedField: { type: 'string', maxLength: 500 },
    ExpiryDate: { type: 'string', format: 'date-time' },
    CustomerAddress: { type: 'object' },
    InvoiceItems: {
      type: 'array',
      items: {
        type: 'object',
        required: ['ItemName', 'Quantity', 'UnitPrice'],
        properties: {
          ItemName: { type: 'string' },
          Quantity: { type: 'integer' },
          UnitPrice: money,
          Weight: { type: 'number' },
          Width: { type: 'number' },
          Height: { type: 'number' },
          Depth: { type: 'number' },
        },
      },
    },
    ShippingMethod: { type: 'integer', enum: [1, 2] },
    ShippingConsignee: { type: 'object' },
    Suppliers: { type: 'array', items: { type: 'object' } },
    RecurringModel: {
      type: 'object',
      properties: {
        RecurringType: { type: 'string', enum: ['Custom', 'Daily', 'Weekly', 'Monthly'] },
        IntervalDays: { type: ['integer', 'null'], minimum: 1, maximum: 180 },
        Iteration: { type: 'integer', minimum: 0, description: 'Automatic charges after the first payment; 0 = until cancelled' },
        RetryCount: { type: 'integer', minimum: 0, maximum: 5 },
      },
    },
    ProcessingDetails: { type: 'object', properties: { AutoCapture: { type: 'boolean' }, Bypass3DS: { type: 'boolean' } } },
    WebhookUrl: { type: 'string' },
  },
  // Works as sent: a monthly subscription of 10 KWD, paid on the hosted page.
  example: {
    PaymentMethodId: 2,
    InvoiceValue: 10,
    CustomerName: 'Fatima',
    CustomerEmail: 'fatima@example.com',
    CallBackUrl: 'https://example.com/paid',
    ErrorUrl: 'https://example.com/failed',
    Language: 'EN',
    CustomerReference: 'order-1001',
    InvoiceItems: [{ ItemName: 'Monthly plan', Quantity: 1, UnitPrice: 10 }],
    RecurringModel: { RecurringType: 'Monthly', Iteration: 12, RetryCount: 3 },
  },
} as const

export const EXECUTE_PAYMENT_DATA = {
  type: 'object',
  properties: {
    InvoiceId: { type: 'integer' },
    IsDirectPayment: { type: 'boolean' },
    PaymentURL: { type: 'string' },
    CustomerReference: { type: ['string', 'null'] },
    UserDefinedField: { type: ['string', 'null'] },
    RecurringId: { type: 'string' },
  },
} as const

export const GET_PAYMENT_STATUS_BODY = {
  type: 'object',
  required: ['Key', 'KeyType'],
  properties: {
    Key: { type: ['string', 'number'] },
    KeyType: { type: 'string', enum: ['InvoiceId', 'PaymentId', 'CustomerReference'] },
  },
  example: { KeyType: 'CustomerReference', Key: 'order-1001' },
} as const

export const INITIATE_PAYMENT_BODY = {
  type: 'object',
  properties: { InvoiceAmount: money, CurrencyIso: { type: 'string' } },
  example: { InvoiceAmount: 10, CurrencyIso: 'KWD' },
} as const

export const INITIATE_SESSION_BODY = {
  type: 'object',
  properties: {
    CustomerIdentifier: { type: 'string' },
    SaveToken: { type: 'boolean' },
    IsRecurring: { type: 'boolean' },
  },
  example: { CustomerIdentifier: 'customer-42', SaveToken: true },
} as const
