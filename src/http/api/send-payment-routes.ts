import type { FastifyInstance } from 'fastify'

import { NOTIFICATION_OPTIONS } from '../../domain/send-payment-request.js'
import { listSandboxNotifications, MAX_NOTIFICATION_PAGE_SIZE, NOTIFICATION_PAGE_SIZE } from '../../services/list-notifications.js'
import { sendPayment } from '../../services/send-payment.js'
import type { Deps } from '../../deps.js'
import { withMerchantAuth } from '../build-app.js'
import { requireMerchant } from './auth.js'
import { success } from './envelope.js'
import { INVOICE_PROPERTIES } from './payment-schemas.js'
import { always, BEARER, envelopeSchema, ERROR_RESPONSES, errorResponses, IDEMPOTENCY_HEADER, LOCAL_DATE_TIME } from './schemas.js'

const SEND_PAYMENT_BODY = {
  type: 'object',
  required: ['InvoiceValue', 'CustomerName', 'NotificationOption'],
  properties: {
    ...INVOICE_PROPERTIES,
    CustomerName: { type: 'string', maxLength: 100, description: 'Required; shown on the invoice page' },
    NotificationOption: {
      type: 'string',
      enum: [...NOTIFICATION_OPTIONS],
      description:
        'LNK: the link in the answer only; EML: e-mail (CustomerEmail required); SMS (CustomerMobile required); ALL: e-mail and SMS. Any case. ' +
        'Nothing is ever sent: the sandbox writes them to GET /v2/sandbox/Notifications; production stores nothing',
    },
    InvoicePaymentMethods: {
      type: 'array',
      items: { type: ['integer', 'string'], minimum: 1 },
      description: 'PaymentMethodIds the invoice page offers, in this order; absent or empty: KNET and VISA/MASTER',
    },
  },
  example: {
    InvoiceValue: 10,
    CustomerName: 'Fatima',
    NotificationOption: 'ALL',
    CustomerEmail: 'fatima@example.com',
    MobileCountryCode: '+965',
    CustomerMobile: '55512345',
    InvoicePaymentMethods: [2, 1],
    CallBackUrl: 'https://example.com/paid',
    ErrorUrl: 'https://example.com/failed',
    Language: 'EN',
    CustomerReference: 'order-1001',
    InvoiceItems: [{ ItemName: 'Membership', Quantity: 1, UnitPrice: 10 }],
  },
} as const

const SEND_PAYMENT_DATA = always({
  InvoiceId: { type: 'integer' },
  InvoiceURL: { type: 'string', format: 'uri', description: 'The hosted invoice page, {public URL}/{country}/ie/{invoiceKey}' },
  CustomerReference: { type: ['string', 'null'] },
  UserDefinedField: { type: ['string', 'null'] },
})

const NOTIFICATIONS_QUERY = {
  type: 'object',
  properties: {
    PageSize: { type: 'integer', minimum: 1, maximum: MAX_NOTIFICATION_PAGE_SIZE, default: NOTIFICATION_PAGE_SIZE },
    Before: { type: 'integer', minimum: 1, description: 'NextBefore of the previous page: older notifications' },
    InvoiceId: { type: 'integer', description: 'Only this invoice’s notifications' },
  },
} as const

const NOTIFICATIONS_DATA = always({
  Notifications: {
    type: 'array',
    description: 'Newest first',
    items: always({
      NotificationId: { type: 'integer' },
      InvoiceId: { type: 'integer' },
      Channel: { type: 'string', enum: ['EML', 'SMS'] },
      Recipient: { type: 'string', description: 'E-mail address, or mobile number with its country code' },
      Language: { type: 'string', enum: ['EN', 'AR'] },
      Subject: { type: ['string', 'null'], description: 'E-mail only' },
      Body: { type: 'string' },
      InvoiceURL: { type: 'string', format: 'uri' },
      CreatedDate: LOCAL_DATE_TIME,
    }),
  },
  NextBefore: { type: ['integer', 'null'], description: 'Pass as Before for the next (older) page; null on the last page' },
})

/**
 * SendPayment (invoice links, reference §12.1) and, in sandbox mode only, the notification
 * outbox it writes instead of sending e-mail and SMS. In production the outbox route does not
 * exist (the ordinary 404 of an unknown route).
 */
export async function registerSendPaymentRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  await withMerchantAuth(app, deps, (v2) => {
    v2.post(
      '/v2/SendPayment',
      {
        schema: {
          tags: ['Payments'],
          summary: 'Create an invoice the customer pays from a link, choosing the payment method there',
          security: BEARER,
          headers: IDEMPOTENCY_HEADER,
          body: SEND_PAYMENT_BODY,
          response: { 200: envelopeSchema(SEND_PAYMENT_DATA), ...ERROR_RESPONSES },
        },
      },
      async (request) => success(await sendPayment(deps, requireMerchant(request), request.body), 'Invoice Created Successfully!'),
    )
    if (deps.config.mode !== 'sandbox') return
    v2.get(
      '/v2/sandbox/Notifications',
      {
        schema: {
          tags: ['Sandbox'],
          summary: 'The e-mails and SMS SendPayment would have sent (never sent), newest first',
          security: BEARER,
          querystring: NOTIFICATIONS_QUERY,
          response: { 200: envelopeSchema(NOTIFICATIONS_DATA), ...errorResponses() },
        },
      },
      async (request) => success(await listSandboxNotifications(deps, requireMerchant(request), request.query), ''),
    )
  })
}
