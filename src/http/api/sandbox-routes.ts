import type { FastifyInstance } from 'fastify'

import { advanceSandboxClock } from '../../services/advance-sandbox-clock.js'
import type { Deps } from '../../deps.js'
import { withMerchantAuth } from '../build-app.js'
import { requireMerchant } from './auth.js'
import { success } from './envelope.js'
import { BEARER, envelopeSchema, ERROR_RESPONSES, IDEMPOTENCY_HEADER } from './schemas.js'

const ADVANCE_CLOCK_BODY = {
  type: 'object',
  properties: {
    Days: { type: 'integer', minimum: 1, description: 'Move the clock this many days forward' },
    Until: {
      type: 'string',
      description: 'Move the clock to this ISO time (later than now); without Z or an offset it is the merchant’s local time',
    },
  },
} as const

const ADVANCE_CLOCK_DATA = {
  type: 'object',
  properties: {
    Now: { type: 'string', description: 'The merchant’s new local time, e.g. 2026-01-13T09:30:00.000' },
    Charges: { type: 'integer' },
    Approved: { type: 'integer' },
    Declined: { type: 'integer' },
    Retries: { type: 'integer' },
    StatusChanges: { type: 'integer' },
    WebhookAttempts: { type: 'integer' },
    WebhooksDelivered: { type: 'integer' },
    WebhooksFailed: { type: 'integer' },
  },
} as const

/**
 * The sandbox clock (README, "the sandbox clock"). Registered only in sandbox mode, so production
 * answers this path with the ordinary 404 of an unknown route.
 */
export async function registerSandboxRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  if (deps.config.mode !== 'sandbox') return
  await withMerchantAuth(app, deps, (v2) => {
    v2.post(
      '/v2/sandbox/AdvanceClock',
      {
        schema: {
          tags: ['Sandbox'],
          summary: 'Move this merchant’s clock forward; returns once everything due has run',
          security: BEARER,
          headers: IDEMPOTENCY_HEADER,
          body: ADVANCE_CLOCK_BODY,
          response: { 200: envelopeSchema(ADVANCE_CLOCK_DATA), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        // Stop walking time when the client goes away before the answer is sent.
        const gone = new AbortController()
        reply.raw.on('close', () => {
          if (!reply.raw.writableFinished) gone.abort()
        })
        return success(await advanceSandboxClock(deps, requireMerchant(request), request.body, { signal: gone.signal }), 'Clock advanced')
      },
    )
  })
}
