import type { FastifyInstance, FastifyRequest } from 'fastify'

import type { Deps } from '../../deps.js'
import { CANCEL_TOKEN_SUCCESS_MESSAGE, cancelToken } from '../../services/cancel-token.js'
import { getCurrenciesExchangeList } from '../../services/get-currencies-exchange-list.js'
import { REGISTER_APPLE_PAY_DOMAIN_MESSAGE, registerApplePayDomain } from '../../services/register-apple-pay-domain.js'
import { updateSession } from '../../services/update-session.js'
import { withMerchantAuth } from '../build-app.js'
import { requireMerchant } from './auth.js'
import { success, type Envelope } from './envelope.js'
import { always, BEARER, envelopeSchema, ERROR_RESPONSES, errorResponses, exampleOutcome, IDEMPOTENCY_HEADER } from './schemas.js'

const EXAMPLE_TOKEN = 'TKN-0b6a4c1e-6f0e-4f4e-9d3a-2f1c5b7e8a90'
const EXAMPLE_SESSION = '36201229-25ce-4360-9afc-5d901715b3a3'

const CANCEL_TOKEN_QUERY = {
  type: 'object',
  required: ['token'],
  properties: {
    token: { type: 'string', maxLength: 100, description: 'A saved card token (TKN-…); the name is matched in any case (Token=…)', examples: [EXAMPLE_TOKEN] },
  },
} as const

const UPDATE_SESSION_BODY = {
  type: 'object',
  required: ['SessionId', 'Token', 'TokenType'],
  properties: {
    SessionId: { type: 'string', description: 'From InitiateSession; unused and unexpired' },
    Token: { type: 'string', description: 'A saved card token of this account (TKN-…), e.g. from CustomerTokens or DirectPayment SaveToken' },
    TokenType: { type: 'string', enum: ['mftoken'], description: 'Only mftoken: applepay, googlepay and samsungpay are refused (no wallets)' },
    SecurityCode: { type: 'string', description: 'Optional CVV: checked for shape (3 digits, 4 for Amex), never stored' },
  },
  examples: [{ SessionId: EXAMPLE_SESSION, Token: EXAMPLE_TOKEN, TokenType: 'mftoken' }],
} as const

const UPDATE_SESSION_DATA = always({ SessionId: { type: 'string', format: 'uuid' }, CountryCode: { type: 'string', examples: ['KWT'] } })

const EXCHANGE_LIST = {
  description: 'A bare JSON array, not the envelope (as MyFatoorah answers): the base currency first, every rate "1.00000000" because dawri never converts',
  type: 'array',
  items: always({
    Text: { type: 'string', description: 'ISO 4217 code' },
    Value: { type: 'string', pattern: '^\\d+\\.\\d{8}$', description: 'Units of this currency per unit of the base currency, 8 decimals' },
  }),
  examples: [[{ Text: 'KWD', Value: '1.00000000' }, { Text: 'SAR', Value: '1.00000000' }]],
} as const

const REGISTER_APPLE_PAY_DOMAIN_BODY = {
  type: 'object',
  required: ['DomainName'],
  properties: { DomainName: { type: 'string', maxLength: 253, description: 'A bare host name: no scheme, port or path; at most 100 per account' } },
  examples: [{ DomainName: 'shop.example.com' }],
} as const

/**
 * Saved cards, embedded sessions and account settings beyond payments: CancelToken,
 * UpdateSession, GetCurrenciesExchangeList and RegisterApplePayDomain (docs/checkout.md,
 * docs/compatibility.md).
 */
export async function registerAccountRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  await withMerchantAuth(app, deps, (v2) => {
    v2.post(
      '/v2/CancelToken',
      {
        schema: {
          tags: ['Embedded payment'],
          summary: 'Cancel a saved card token for good',
          description:
            'The token leaves InitiateSession CustomerTokens and is refused by DirectPayment, UpdateSession and any payment still waiting at its OTP step. Recurring payments keep their own copy of the card. No body. Errors: 400 with Data false.',
          security: BEARER,
          querystring: CANCEL_TOKEN_QUERY,
          response: { 200: envelopeSchema({ type: 'boolean', enum: [true] }), ...errorResponses({ data: 'boolean', body: true }) },
          ...exampleOutcome(400, 'No saved card matches this token'),
        },
      },
      async (request) => {
        await cancelToken(deps, requireMerchant(request), readToken(request))
        return success(true, CANCEL_TOKEN_SUCCESS_MESSAGE)
      },
    )

    v2.post(
      '/v2/UpdateSession',
      {
        schema: {
          tags: ['Embedded payment'],
          summary: 'Put a saved card token into an embedded session; ExecutePayment with the SessionId then pays with it',
          security: BEARER,
          headers: IDEMPOTENCY_HEADER,
          description: 'The example names a session and a card this account does not have: use a SessionId from InitiateSession and a Token from its CustomerTokens.',
          body: UPDATE_SESSION_BODY,
          response: { 200: envelopeSchema(UPDATE_SESSION_DATA), ...ERROR_RESPONSES },
          ...exampleOutcome(400, 'SessionId is not valid'),
        },
      },
      async (request): Promise<Envelope<unknown>> => {
        const data = await updateSession(deps, requireMerchant(request), request.body)
        // MyFatoorah's sample answers this one with Message null.
        return { IsSuccess: true, Message: null, ValidationErrors: null, Data: data }
      },
    )

    v2.route({
      // GET as documented; POST too, for clients that post every call.
      method: ['GET', 'POST'],
      url: '/v2/GetCurrenciesExchangeList',
      schema: {
        tags: ['Payments'],
        summary: 'Currencies of the account with their rate against the base currency',
        security: BEARER,
        response: { 200: EXCHANGE_LIST, ...errorResponses({ body: true }) },
      },
      handler: async (request) => getCurrenciesExchangeList(requireMerchant(request)),
    })

    v2.post(
      '/v2/RegisterApplePayDomain',
      {
        schema: {
          tags: ['Account'],
          summary: 'Record a web domain for the Apple Pay button (recorded only: dawri offers no Apple Pay)',
          security: BEARER,
          headers: IDEMPOTENCY_HEADER,
          body: REGISTER_APPLE_PAY_DOMAIN_BODY,
          response: { 200: { ...envelopeSchema({ type: 'null' }), description: 'Recorded (Message: OK)' }, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        await registerApplePayDomain(deps, requireMerchant(request), request.body)
        return success(null, REGISTER_APPLE_PAY_DOMAIN_MESSAGE)
      },
    )
  })
}

/** `token` from the query, its name in any case (`Token=` too), else from a body if one was sent. */
function readToken(request: FastifyRequest): string | undefined {
  for (const source of [request.query, request.body]) {
    if (typeof source !== 'object' || source === null || Array.isArray(source)) continue
    for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
      if (key.toLowerCase() !== 'token') continue
      if (typeof value === 'string' && value.trim() !== '') return value
    }
  }
  return undefined
}
