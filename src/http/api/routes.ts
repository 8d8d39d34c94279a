import type { FastifyInstance } from 'fastify'

import { executePayment } from '../../services/execute-payment.js'
import { getPaymentStatus } from '../../services/get-payment-status.js'
import { initiatePayment } from '../../services/initiate-payment.js'
import { initiateSession } from '../../services/initiate-session.js'
import type { Deps } from '../../deps.js'
import { requireMerchant } from './auth.js'
import { success } from './envelope.js'
import {
  EXECUTE_PAYMENT_BODY,
  EXECUTE_PAYMENT_DATA,
  GET_PAYMENT_STATUS_BODY,
  INITIATE_PAYMENT_BODY,
  INITIATE_PAYMENT_DATA,
  INITIATE_SESSION_BODY,
  INITIATE_SESSION_DATA,
  PAYMENT_STATUS_DATA,
} from './payment-schemas.js'
import { BEARER, envelopeSchema, ERROR_RESPONSES, errorResponses, IDEMPOTENCY_HEADER } from './schemas.js'

/** The payment routes of /v2 (reference §2–§4). Registered inside the authenticated scope. */
export function registerPaymentRoutes(app: FastifyInstance, deps: Deps): void {
  app.post(
    '/v2/InitiatePayment',
    {
      schema: {
        tags: ['Payments'],
        summary: 'List payment methods with charges for an amount',
        security: BEARER,
        headers: IDEMPOTENCY_HEADER,
        body: INITIATE_PAYMENT_BODY,
        response: { 200: envelopeSchema(INITIATE_PAYMENT_DATA), ...ERROR_RESPONSES },
      },
    },
    async (request) => success(initiatePayment(deps, requireMerchant(request), request.body), 'Initiated Successfully!'),
  )

  app.post(
    '/v2/ExecutePayment',
    {
      schema: {
        tags: ['Payments'],
        summary: 'Create an invoice (optionally recurring) and get the PaymentURL',
        security: BEARER,
        headers: IDEMPOTENCY_HEADER,
        body: EXECUTE_PAYMENT_BODY,
        response: { 200: envelopeSchema(EXECUTE_PAYMENT_DATA), ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      success(await executePayment(deps, requireMerchant(request), request.body), 'Invoice Created Successfully!'),
  )

  app.post(
    '/v2/GetPaymentStatus',
    {
      schema: {
        tags: ['Payments'],
        summary: 'The invoice and all its transactions, by InvoiceId, PaymentId or CustomerReference',
        security: BEARER,
        description: 'The example looks up the invoice that ExecutePayment’s example creates: try that one first.',
        body: GET_PAYMENT_STATUS_BODY,
        response: {
          200: envelopeSchema(PAYMENT_STATUS_DATA),
          ...errorResponses({ body: true, notFound: 'No invoice of this account matches the key (Message: No data match the provided values)' }),
        },
      },
    },
    async (request) => success(await getPaymentStatus(deps, requireMerchant(request), request.body), ''),
  )

  app.post(
    '/v2/InitiateSession',
    {
      schema: {
        tags: ['Embedded payment'],
        summary: 'Start a single-use session for the Card View',
        security: BEARER,
        headers: IDEMPOTENCY_HEADER,
        body: INITIATE_SESSION_BODY,
        response: { 200: envelopeSchema(INITIATE_SESSION_DATA), ...ERROR_RESPONSES },
      },
    },
    async (request) => success(await initiateSession(deps, requireMerchant(request), request.body), 'Initiated Successfully!'),
  )
}
