import type { FastifyInstance } from 'fastify'

import { directPayment, type DirectPaymentLinks } from '../../services/direct-payment.js'
import type { Deps } from '../../deps.js'
import { requireMerchant } from './auth.js'
import { success } from './envelope.js'
import { always, BEARER, envelopeSchema, errorResponses, exampleOutcome, IDEMPOTENCY_HEADER } from './schemas.js'

const DIRECT_PAYMENT_BODY = {
  type: 'object',
  required: ['PaymentType'],
  description: 'Names bind in any case. PaymentType card needs Card; token needs Token.',
  properties: {
    PaymentType: { type: 'string', enum: ['card', 'token'], description: 'Any case' },
    Card: {
      type: 'object',
      required: ['Number', 'ExpiryMonth', 'ExpiryYear', 'SecurityCode'],
      properties: {
        Number: { type: 'string', pattern: '^\\d{12,19}$', description: 'Visa, Mastercard, Amex or Mada; never stored in clear, never logged' },
        ExpiryMonth: { type: 'string', pattern: '^\\d{1,2}$', description: 'MM, 01 to 12' },
        ExpiryYear: { type: 'string', pattern: '^\\d{2}$', description: 'YY' },
        SecurityCode: { type: 'string', pattern: '^\\d{3,4}$', description: '3 digits, 4 for Amex; never stored' },
        HolderName: { type: 'string', maxLength: 100 },
      },
    },
    Token: { type: 'string', maxLength: 100, description: 'A saved token (TKN-…) when PaymentType is token' },
    SaveToken: { type: 'boolean', description: 'Keep the card as a token returned in Data.Token. Default is false.' },
    Bypass3DS: { type: 'boolean', description: 'Charge at once without the OTP step; the account must have the feature. Default is false.' },
  },
  examples: [{ PaymentType: 'card', Card: { Number: '5123450000000008', ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100', HolderName: 'Fatima' }, Bypass3DS: true }],
} as const

const DIRECT_PAYMENT_DATA = always({
  Status: { type: 'string', enum: ['SUCCESS', 'FAILURE'], description: 'SUCCESS: the OTP step is next, or the charge was approved; FAILURE: declined' },
  ErrorMessage: { type: 'string', description: '"" unless FAILURE' },
  PaymentId: { type: 'string', pattern: '^\\d+$' },
  Token: { type: 'string', description: 'The saved token (SaveToken, or the token paid with); "" otherwise' },
  RecurringId: { type: 'string', description: 'RECUR… for the first invoice of a recurring payment, "" otherwise' },
  PaymentURL: { type: 'string', format: 'uri', description: 'The OTP step, or the result page with Bypass3DS' },
  CardInfo: always({
    Number: { type: 'string', description: 'Masked, e.g. 512345xxxxxx0008' },
    ExpiryMonth: { type: 'string' },
    ExpiryYear: { type: 'string' },
    Brand: { type: 'string' },
    Issuer: { type: ['string', 'null'] },
  }),
})

/** `POST /v2/DirectPayment/{invoiceKey}/{paymentGatewayId}` (reference §2.5), inside the authenticated scope. */
export function registerDirectPaymentRoute(app: FastifyInstance, deps: Deps, links: DirectPaymentLinks): void {
  app.post<{ Params: { invoiceKey: string; paymentGatewayId: string } }>(
    '/v2/DirectPayment/:invoiceKey/:paymentGatewayId',
    {
      schema: {
        tags: ['Payments'],
        summary: 'Pay an invoice with card data or a saved token (PCI merchants)',
        description:
          'The path is ExecutePayment’s PaymentURL for PaymentMethodId 9 (IsDirectPayment). The example invoiceKey is no invoice of yours: ' +
          'create one with ExecutePayment {"PaymentMethodId": 9, "InvoiceValue": 10} and use its PaymentURL.',
        security: BEARER,
        headers: IDEMPOTENCY_HEADER,
        params: {
          type: 'object',
          required: ['invoiceKey', 'paymentGatewayId'],
          properties: {
            invoiceKey: { type: 'string', description: 'From ExecutePayment’s PaymentURL', examples: ['01072612345678901234'] },
            paymentGatewayId: { type: 'string', pattern: '^\\d{1,6}$', description: 'A method with IsDirectPayment: true (9)', examples: ['9'] },
          },
        },
        body: DIRECT_PAYMENT_BODY,
        response: { 200: envelopeSchema(DIRECT_PAYMENT_DATA), ...errorResponses({ body: true, idempotent: true, notFound: 'No invoice of this account has this invoiceKey' }) },
        ...exampleOutcome(404, 'No invoice matches this invoiceKey'),
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
