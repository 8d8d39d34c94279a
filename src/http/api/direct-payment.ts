import type { FastifyInstance } from 'fastify'

import { directPayment, type DirectPaymentLinks } from '../../services/direct-payment.js'
import type { Deps } from '../../deps.js'
import { requireMerchant } from './auth.js'
import { success } from './envelope.js'
import { BEARER, envelopeSchema, ERROR_RESPONSES, IDEMPOTENCY_HEADER } from './schemas.js'

const DIRECT_PAYMENT_BODY = {
  type: 'object',
  required: ['PaymentType'],
  properties: {
    PaymentType: { type: 'string', enum: ['card', 'token'] },
    Card: {
      type: 'object',
      properties: {
        Number: { type: 'string' },
        ExpiryMonth: { type: 'string', description: 'MM' },
        ExpiryYear: { type: 'string', description: 'YY' },
        SecurityCode: { type: 'string' },
        HolderName: { type: 'string' },
      },
    },
    Token: { type: 'string', description: 'A saved token (TKN-…) when PaymentType is token' },
    SaveToken: { type: 'boolean', description: 'Keep the card as a token returned in Data.Token. Default is false.' },
    Bypass3DS: { type: 'boolean', description: 'Charge at once without the OTP step; the account must have the feature. Default is false.' },
  },
} as const

const DIRECT_PAYMENT_DATA = {
  type: 'object',
  properties: {
    Status: { type: 'string', enum: ['SUCCESS', 'FAILURE'] },
    ErrorMessage: { type: 'string' },
    PaymentId: { type: 'string' },
    Token: { type: 'string' },
    RecurringId: { type: 'string' },
    PaymentURL: { type: 'string', description: 'The OTP step, or the result page with Bypass3DS' },
    CardInfo: {
      type: 'object',
      properties: {
        Number: { type: 'string', description: 'Masked, e.g. 512345xxxxxx0008' },
        ExpiryMonth: { type: 'string' },
        ExpiryYear: { type: 'string' },
        Brand: { type: 'string' },
        Issuer: { type: 'string' },
      },
    },
  },
} as const

/** `POST /v2/DirectPayment/{invoiceKey}/{paymentGatewayId}` (reference §2.5), inside the authenticated scope. */
export function registerDirectPaymentRoute(app: FastifyInstance, deps: Deps, links: DirectPaymentLinks): void {
  app.post<{ Params: { invoiceKey: string; paymentGatewayId: string } }>(
    '/v2/DirectPayment/:invoiceKey/:paymentGatewayId',
    {
      schema: {
        tags: ['Payments'],
        summary: 'Pay an invoice with card data or a saved token (PCI merchants)',
        security: BEARER,
        headers: IDEMPOTENCY_HEADER,
        params: {
          type: 'object',
          properties: { invoiceKey: { type: 'string' }, paymentGatewayId: { type: 'string' } },
        },
        body: DIRECT_PAYMENT_BODY,
        response: { 200: envelopeSchema(DIRECT_PAYMENT_DATA), 404: envelopeSchema({ type: 'null' }, 'Unknown invoiceKey'), ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      success(
        await directPayment(deps, {
          merchant: requireMerchant(request),
          invoiceKey: request.params.invoiceKey,
          paymentGatewayId: request.params.paymentGatewayId,
          body: request.body,
          ipAddress: request.ip,
          links,
        }),
      ),
  )
}
