import type { FastifyInstance } from 'fastify'

import type { Deps } from '../../deps.js'
import { WEBHOOK_KEY_TYPES, WEBHOOK_LOG_STATUSES, getWebhooks } from '../../services/get-webhooks.js'
import { resendWebhook } from '../../services/resend-webhook.js'
import { setWebhookChaos } from '../../services/set-webhook-chaos.js'
import { withMerchantAuth } from '../build-app.js'
import { requireMerchant } from './auth.js'
import { success } from './envelope.js'
import { BEARER, envelopeSchema, ERROR_RESPONSES, IDEMPOTENCY_HEADER } from './schemas.js'

const GET_WEBHOOKS_BODY = {
  type: 'object',
  properties: {
    Start: { type: 'string', format: 'date-time', description: 'Events created at or after this ISO 8601 time (UTC)' },
    End: { type: 'string', format: 'date-time', description: 'Events created at or before this ISO 8601 time (UTC)' },
    Page: { type: 'integer', minimum: 1, description: '1-based page of 500 events' },
    PageSize: { type: 'integer', minimum: 1, maximum: 500, description: 'Beyond MyFatoorah: a smaller page (default 500)' },
    EventType: { type: 'string', description: 'v1 or v2 event name, e.g. PAYMENT_STATUS_CHANGED, RecurringStatusChanged' },
    Status: { type: 'string', enum: [...WEBHOOK_LOG_STATUSES] },
    Key: { type: 'array', items: { type: ['string', 'integer'] } },
    KeyType: { type: 'string', enum: [...WEBHOOK_KEY_TYPES] },
  },
} as const

const WEBHOOK_ITEM = {
  type: 'object',
  properties: {
    WebhookReference: { type: 'string', description: 'WH-<n>, the v2 Event.Reference' },
    EventCode: { type: 'integer' },
    EventName: { type: 'string' },
    EventEntityId: { type: 'string', description: 'InvoiceId or RecurringId' },
    EndPoint: { type: ['string', 'null'] },
    Signature: { type: 'string', description: 'MyFatoorah-Signature of Data under the current secret' },
    Data: { type: 'object', description: 'The body exactly as sent' },
    Status: { type: 'string', enum: [...WEBHOOK_LOG_STATUSES] },
    CreationDate: { type: 'string' },
    Attempts: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          Date: { type: 'string' },
          Status: { type: ['integer', 'null'], description: 'HTTP status, null when no response arrived' },
          ResponseMessage: { type: ['string', 'null'] },
          Duration: { type: 'integer', description: 'Milliseconds' },
        },
      },
    },
  },
} as const

const GET_WEBHOOKS_DATA = {
  type: 'object',
  properties: {
    Items: { type: 'array', items: WEBHOOK_ITEM },
    Pagination: {
      type: 'object',
      properties: {
        PageSize: { type: 'integer' },
        PageNumber: { type: 'integer' },
        PagesCount: { type: 'integer' },
        ItemsCount: { type: 'integer' },
      },
    },
  },
} as const

const probability = { type: 'number', minimum: 0, maximum: 1 } as const

const CHAOS_BODY = {
  type: 'object',
  properties: {
    DropProbability: { ...probability, description: 'An attempt is not sent; it is logged as failed and retried' },
    DuplicateProbability: { ...probability, description: 'An attempt is sent twice' },
    DelayProbability: { ...probability, description: 'An event is held back by up to MaxDelaySeconds' },
    MaxDelaySeconds: { type: 'integer', minimum: 0, maximum: 86_400, description: 'Default 30' },
    ReorderProbability: { ...probability, description: 'An event is held back and later events of its object may overtake it' },
  },
} as const

/** GetWebhooks and ResendWebhook (reference §7.1), and the sandbox's WebhookChaos. */
export async function registerWebhookRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  await withMerchantAuth(app, deps, (v2) => {
    v2.post(
      '/v2/GetWebhooks',
      {
        schema: {
          tags: ['Webhooks'],
          summary: 'Webhook events with their delivery attempts',
          security: BEARER,
          body: GET_WEBHOOKS_BODY,
          response: { 200: envelopeSchema(GET_WEBHOOKS_DATA), ...ERROR_RESPONSES },
        },
      },
      async (request) => success(await getWebhooks(deps, requireMerchant(request), request.body), ''),
    )

    v2.post(
      '/v2/ResendWebhook',
      {
        schema: {
          tags: ['Webhooks'],
          summary: 'Deliver one webhook event again now (beyond MyFatoorah)',
          security: BEARER,
          headers: IDEMPOTENCY_HEADER,
          body: { type: 'object', required: ['Reference'], properties: { Reference: { type: 'string', example: 'WH-42' } } },
          response: { 200: envelopeSchema(WEBHOOK_ITEM), ...ERROR_RESPONSES },
        },
      },
      async (request) => success(await resendWebhook(deps, requireMerchant(request), request.body), 'Webhook resent'),
    )

    // Sandbox only: production answers the ordinary 404 of an unknown route.
    if (deps.config.mode !== 'sandbox') return
    v2.post(
      '/v2/sandbox/WebhookChaos',
      {
        schema: {
          tags: ['Sandbox'],
          summary: 'Make this merchant’s webhook deliveries drop, duplicate, delay or reorder',
          security: BEARER,
          headers: IDEMPOTENCY_HEADER,
          body: CHAOS_BODY,
          response: { 200: envelopeSchema(CHAOS_BODY), ...ERROR_RESPONSES },
        },
      },
      async (request) => success(await setWebhookChaos(deps, requireMerchant(request), request.body), 'Webhook chaos updated'),
    )
  })
}
