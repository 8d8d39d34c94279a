import type { FastifyInstance } from 'fastify'

import { advanceSandboxClock, MAX_ADVANCE_DAYS } from '../../services/advance-sandbox-clock.js'
import type { Deps } from '../../deps.js'
import { withMerchantAuth } from '../build-app.js'
import { requireMerchant } from './auth.js'
import { success } from './envelope.js'
import { always, BEARER, envelopeSchema, ERROR_RESPONSES, IDEMPOTENCY_HEADER, LOCAL_DATE_TIME } from './schemas.js'

const ADVANCE_CLOCK_BODY = {
  type: 'object',
  description: 'Exactly one of Days and Until.',
  properties: {
    Days: { type: 'integer', minimum: 1, maximum: MAX_ADVANCE_DAYS, description: 'Move the clock this many days forward' },
    Until: {
      type: 'string',
      maxLength: 40,
      description: `Move the clock to this ISO time, later than now and at most ${MAX_ADVANCE_DAYS} days ahead; without Z or an offset it is the merchant’s local time`,
    },
  },
  example: { Days: 1 },
} as const

const count = { type: 'integer', minimum: 0 } as const

const ADVANCE_CLOCK_DATA = always({
  Now: { ...LOCAL_DATE_TIME, description: 'The merchant’s new local time, e.g. 2026-01-13T09:30:00.000' },
  Charges: { ...count, description: 'Automatic charge attempts recorded (first attempts, retries, recovered attempts)' },
  Approved: count,
  Declined: count,
  Retries: { ...count, description: 'Of Charges, the retries of a failed cycle' },
  StatusChanges: { ...count, description: 'Recurring payments whose status changed' },
  WebhookAttempts: count,
  WebhooksDelivered: count,
  WebhooksFailed: count,
})

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
        // Billing work: on the background pool where there is one (Deps.background).
        return success(await advanceSandboxClock(deps.background ?? deps, requireMerchant(request), request.body, { signal: gone.signal }), 'Clock advanced')
      },
    )
  })
}
