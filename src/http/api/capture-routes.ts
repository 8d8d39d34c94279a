import type { FastifyInstance } from 'fastify'

import { AUTHORIZATION_OPERATIONS } from '../../domain/authorization.js'
import type { Deps } from '../../deps.js'
import { UPDATE_PAYMENT_STATUS_ERRORS, UPDATE_PAYMENT_STATUS_KEY_TYPES, updatePaymentStatus } from '../../services/update-payment-status.js'
import { withMerchantAuth } from '../build-app.js'
import { requireMerchant } from './auth.js'
import { success } from './envelope.js'
import { always, BEARER, envelopeSchema, ERROR_RESPONSES, exampleOutcome, IDEMPOTENCY_HEADER } from './schemas.js'

const UPDATE_PAYMENT_STATUS_BODY = {
  type: 'object',
  required: ['Operation', 'KeyType', 'Key'],
  properties: {
    Operation: { type: 'string', enum: [...AUTHORIZATION_OPERATIONS], description: 'Case-insensitive. Capture takes all or part of the authorised amount; Release lets all of it go. Once per payment' },
    Amount: { type: ['number', 'string'], minimum: 0, description: 'Capture: required, > 0, at most the authorised amount. Release: optional; when sent, the authorised amount' },
    KeyType: { type: 'string', enum: [...UPDATE_PAYMENT_STATUS_KEY_TYPES], description: 'Case-insensitive' },
    Key: { type: ['string', 'number'], description: 'The id or reference; numbers beyond 2^53 keep every digit' },
  },
  example: { Operation: 'Capture', Amount: 8, KeyType: 'InvoiceId', Key: '342360213' },
} as const

const UPDATE_PAYMENT_STATUS_DATA = always({
  InvoiceId: { type: 'integer' },
  PaymentId: { type: 'string', description: 'The authorised payment captured or released' },
  Operation: { type: 'string', enum: [...AUTHORIZATION_OPERATIONS] },
  Amount: { type: 'number', description: 'Captured, or released, in the account base currency' },
})

/** UpdatePaymentStatus: capture or release a payment made with ProcessingDetails.AutoCapture false. */
export async function registerCaptureRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  await withMerchantAuth(app, deps, (v2) => {
    v2.post(
      '/v2/UpdatePaymentStatus',
      {
        schema: {
          tags: ['Payments'],
          summary: 'Capture (all or part) or release an authorised payment (AutoCapture false), once',
          security: BEARER,
          headers: IDEMPOTENCY_HEADER,
          description: 'The example names an invoice this account does not have: use the InvoiceId of a payment made with ProcessingDetails.AutoCapture false.',
          body: UPDATE_PAYMENT_STATUS_BODY,
          response: { 200: envelopeSchema(UPDATE_PAYMENT_STATUS_DATA), ...ERROR_RESPONSES },
          ...exampleOutcome(400, UPDATE_PAYMENT_STATUS_ERRORS.unknown),
        },
      },
      async (request) => {
        const { data, message } = await updatePaymentStatus(deps, requireMerchant(request), request.body, request.rawBody)
        return success(data, message)
      },
    )
  })
}
