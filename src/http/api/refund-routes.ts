import type { FastifyInstance } from 'fastify'

import { CURRENCY_CODES } from '../../domain/currencies.js'
import type { Deps } from '../../deps.js'
import { getRefundStatus, REFUND_STATUS_KEY_TYPES } from '../../services/get-refund-status.js'
import { MAKE_REFUND_SUCCESS_MESSAGE, makeRefund, REFUND_ERRORS, REFUND_KEY_TYPES } from '../../services/make-refund.js'
import { withMerchantAuth } from '../build-app.js'
import { requireMerchant } from './auth.js'
import { success } from './envelope.js'
import { always, BEARER, envelopeSchema, ERROR_RESPONSES, errorResponses, exampleOutcome, IDEMPOTENCY_HEADER } from './schemas.js'

const key = { type: ['string', 'number'], description: 'The id; numbers beyond 2^53 keep every digit' } as const

const MAKE_REFUND_BODY = {
  type: 'object',
  required: ['KeyType', 'Key', 'Amount'],
  properties: {
    KeyType: { type: 'string', enum: [...REFUND_KEY_TYPES], description: 'Case-insensitive' },
    Key: key,
    Amount: { type: ['number', 'string'], exclusiveMinimum: 0, description: 'In the account base currency; more than 0, at most what is left to refund of the payment' },
    Comment: { type: 'string', maxLength: 1000 },
    ExternalIdentifier: { type: 'string', maxLength: 100, description: 'Your reference, returned by GetRefundStatus and the refund webhook' },
    ServiceChargeOnCustomer: { type: 'boolean', description: 'The customer bears the service charge: RefundAmount is lowered by its refunded share' },
    RefundChargeOnCustomer: { type: 'boolean', description: 'Accepted; the sandbox charges no refund fee' },
    AmountDeductedFromSupplier: { type: ['number', 'string'], description: 'Accepted; dawri has no supplier deposits' },
    CurrencyIso: { type: 'string', enum: [...CURRENCY_CODES], description: 'When sent, the account base currency' },
  },
  example: { KeyType: 'InvoiceId', Key: '342360213', Amount: 2.5, Comment: 'partial refund', ExternalIdentifier: 'order-1001-r1' },
} as const

const REFUND_STATUS = { type: 'string', enum: ['Pending', 'Refunded', 'Canceled'], description: 'Beyond MyFatoorah: the sandbox executes refunds at once' } as const

const MAKE_REFUND_DATA = always({
  Key: { type: 'string' },
  RefundId: { type: 'integer' },
  RefundReference: { type: 'string' },
  RefundInvoiceId: { type: 'integer', description: 'The refunded invoice (dawri makes no invoice of its own for a refund)' },
  Amount: { type: 'number' },
  Comment: { type: ['string', 'null'] },
  RefundStatus: REFUND_STATUS,
})

const GET_REFUND_STATUS_BODY = {
  type: 'object',
  required: ['KeyType', 'Key'],
  properties: {
    KeyType: { type: 'string', enum: [...REFUND_STATUS_KEY_TYPES], description: 'Case-insensitive' },
    Key: key,
  },
  example: { KeyType: 'InvoiceId', Key: '342360213' },
} as const

const REFUND_STATUS_DATA = always({
  RefundStatusResult: {
    type: 'array',
    description: 'Oldest first; every refund of the invoice for KeyType InvoiceId',
    items: always({
      RefundId: { type: 'integer' },
      RefundStatus: REFUND_STATUS,
      InvoiceId: { type: 'integer' },
      Amount: { type: 'number' },
      RefundReference: { type: 'string' },
      RefundAmount: { type: 'number', description: 'What reaches the customer' },
      ExternalIdentifier: { type: 'string' },
      RRN: { type: 'string' },
      BaseCurrency: { type: 'string', enum: [...CURRENCY_CODES] },
    }),
  },
})

/** MakeRefund and GetRefundStatus (refunds go through the charging engine). */
export async function registerRefundRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  await withMerchantAuth(app, deps, (v2) => {
    v2.post(
      '/v2/MakeRefund',
      {
        schema: {
          tags: ['Refunds'],
          summary: 'Refund all or part of a captured payment, by InvoiceId or PaymentId',
          security: BEARER,
          headers: IDEMPOTENCY_HEADER,
          description: 'The example names an invoice this account does not have: use the InvoiceId of a paid invoice.',
          body: MAKE_REFUND_BODY,
          response: { 200: envelopeSchema(MAKE_REFUND_DATA), ...ERROR_RESPONSES },
          ...exampleOutcome(400, REFUND_ERRORS.unknown),
        },
      },
      async (request) => success(await makeRefund(deps, requireMerchant(request), request.body, request.rawBody), MAKE_REFUND_SUCCESS_MESSAGE),
    )

    v2.post(
      '/v2/GetRefundStatus',
      {
        schema: {
          tags: ['Refunds'],
          summary: 'Refunds by InvoiceId, RefundReference or RefundId',
          security: BEARER,
          description: 'The example names an invoice this account does not have: use the InvoiceId of a refunded invoice, or a RefundId or RefundReference from MakeRefund.',
          body: GET_REFUND_STATUS_BODY,
          response: { 200: envelopeSchema(REFUND_STATUS_DATA), ...errorResponses({ body: true }) },
          ...exampleOutcome(400, 'No data match the provided values'),
        },
      },
      async (request) => success(await getRefundStatus(deps, requireMerchant(request), request.body, request.rawBody), ''),
    )
  })
}
