import type { FastifyInstance } from 'fastify'

import type { Deps } from '../../deps.js'
import { MAX_WEBHOOK_KEYS, WEBHOOK_KEY_TYPES, WEBHOOK_LOG_STATUSES, WEBHOOK_PAGE_SIZE, getWebhooks } from '../../services/get-webhooks.js'
import { resendWebhook } from '../../services/resend-webhook.js'
import { setWebhookChaos } from '../../services/set-webhook-chaos.js'
import { DEFAULT_CHAOS_DELAY_SECONDS, MAX_CHAOS_DELAY_SECONDS } from '../../webhooks/chaos.js'
import { withMerchantAuth } from '../build-app.js'
import { requireMerchant } from './auth.js'
import { success } from './envelope.js'
import { always, BEARER, envelopeSchema, ERROR_RESPONSES, errorResponses, exampleOutcome, IDEMPOTENCY_HEADER, LOCAL_DATE_TIME } from './schemas.js'

const isoInstant = (description: string) =>
  ({
    type: 'string',
    maxLength: 40,
    pattern: '^\\d{4}-\\d{2}-\\d{2}',
    description: `${description}; a date alone is its midnight UTC, a time without Z or offset is UTC`,
  }) as const

const GET_WEBHOOKS_BODY = {
  type: 'object',
  properties: {
    Start: isoInstant('Events created at or after this ISO 8601 time'),
    End: isoInstant('Events created at or before this ISO 8601 time'),
    Page: { type: 'integer', minimum: 1, maximum: 1_000_000, description: '1-based page. Default 1' },
    PageSize: { type: 'integer', minimum: 1, maximum: WEBHOOK_PAGE_SIZE, description: `Beyond MyFatoorah: a smaller page (default ${WEBHOOK_PAGE_SIZE})` },
    EventType: { type: 'string', maxLength: 100, description: 'v1 or v2 event name, any case, e.g. PAYMENT_STATUS_CHANGED, RecurringStatusChanged' },
    Status: { type: 'string', enum: [...WEBHOOK_LOG_STATUSES] },
    Key: {
      type: ['array', 'string', 'number'],
      maxItems: MAX_WEBHOOK_KEYS,
      items: { type: ['string', 'number'] },
      description: 'Values of KeyType (a single value is a list of one); KeyType is then required',
    },
    KeyType: { type: 'string', enum: [...WEBHOOK_KEY_TYPES] },
  },
  example: { Page: 1, PageSize: 50, Status: 'Failed' },
} as const

const WEBHOOK_ITEM = always({
  WebhookReference: { type: 'string', pattern: '^WH-\\d+$', description: "WH-<n>, the v2 Event.Reference; n counts this account's own events (1, 2, 3…)" },
  EventCode: { type: 'integer', enum: [1, 2, 5] },
  EventName: { type: 'string' },
  EventEntityId: { type: 'string', description: 'InvoiceId or RecurringId' },
  EndPoint: { type: ['string', 'null'] },
  Signature: { type: 'string', description: 'MyFatoorah-Signature of Data under the current secret' },
  Data: { type: 'object', description: 'The body exactly as sent (v1 or v2 envelope, docs/webhooks.md)' },
  Status: { type: 'string', enum: [...WEBHOOK_LOG_STATUSES] },
  CreationDate: LOCAL_DATE_TIME,
  Attempts: {
    type: 'array',
    items: always({
      Date: LOCAL_DATE_TIME,
      Status: { type: ['integer', 'null'], description: 'HTTP status, null when no response arrived' },
      ResponseMessage: { type: ['string', 'null'] },
      Duration: { type: 'integer', minimum: 0, description: 'Milliseconds' },
    }),
  },
})

const GET_WEBHOOKS_DATA = always({
  Items: { type: 'array', items: WEBHOOK_ITEM },
  Pagination: always({
    PageSize: { type: 'integer' },
    PageNumber: { type: 'integer' },
    PagesCount: { type: 'integer' },
    ItemsCount: { type: 'integer' },
  }),
})

const probability = { type: ['number', 'string'], minimum: 0, maximum: 1 } as const

const CHAOS_PROPERTIES = {
  DropProbability: { ...probability, description: 'An attempt is not sent; it is logged as failed and retried' },
  DuplicateProbability: { ...probability, description: 'An attempt is sent twice' },
  DelayProbability: { ...probability, description: 'An event is held back by up to MaxDelaySeconds' },
  MaxDelaySeconds: { type: 'integer', minimum: 0, maximum: MAX_CHAOS_DELAY_SECONDS, description: `Default ${DEFAULT_CHAOS_DELAY_SECONDS}` },
  ReorderProbability: { ...probability, description: 'An event is held back and later events of its object may overtake it' },
} as const

const CHAOS_BODY = {
  type: 'object',
  description: 'Probabilities from 0 to 1; absent ones are 0. All 0 turns chaos off.',
  properties: CHAOS_PROPERTIES,
  // Harmless as sent: it turns chaos off.
  example: { DropProbability: 0, DuplicateProbability: 0, DelayProbability: 0, ReorderProbability: 0 },
} as const

const CHAOS_DATA = always({
  DropProbability: { type: 'number', minimum: 0, maximum: 1 },
  DuplicateProbability: { type: 'number', minimum: 0, maximum: 1 },
  DelayProbability: { type: 'number', minimum: 0, maximum: 1 },
  MaxDelaySeconds: { type: 'integer', minimum: 0 },
  ReorderProbability: { type: 'number', minimum: 0, maximum: 1 },
  Enabled: { type: 'boolean', description: 'false when every probability is 0' },
})

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
          response: { 200: envelopeSchema(GET_WEBHOOKS_DATA), ...errorResponses({ body: true }) },
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
          description: 'The example names an event this account does not have: use a WebhookReference from GetWebhooks. Needs a webhook URL (400 otherwise).',
          body: {
            type: 'object',
            required: ['Reference'],
            properties: { Reference: { type: 'string', maxLength: 40, description: "WebhookReference from GetWebhooks: this account's own event of that number" } },
            example: { Reference: 'WH-42' },
          },
          response: { 200: envelopeSchema(WEBHOOK_ITEM), ...errorResponses({ body: true, idempotent: true, notFound: 'No webhook event of this account has this Reference' }) },
          ...exampleOutcome(404, 'No webhook event matches this Reference'),
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
          response: { 200: envelopeSchema(CHAOS_DATA), ...ERROR_RESPONSES },
        },
      },
      async (request) => success(await setWebhookChaos(deps, requireMerchant(request), request.body), 'Webhook chaos updated'),
    )
  })
}
