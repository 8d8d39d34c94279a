import type { FastifyInstance, FastifyRequest } from 'fastify'

import { AppError } from '../../domain/errors.js'
import { merchantNow } from '../../domain/merchant.js'
import { submitCardToSession } from '../../services/submit-card-to-session.js'
import type { Deps } from '../../deps.js'
import { findMerchantById } from '../../store/merchant.repository.js'
import { findSession, type SessionRow } from '../../store/session.repository.js'
import { success } from '../api/envelope.js'
import { CARD_VIEW_FRAME_SCRIPT } from './assets/card-view-frame-script.js'
import { CARD_VIEW_SESSION_SCRIPT } from './assets/card-view-session-script.js'
import { CARD_FRAME_CSS } from './assets/styles.js'
import type { MessageKey } from './i18n.js'
import { isSameOriginPost } from './page-context.js'
import { sendFrame } from './respond.js'
import { renderCardFrame } from './views/card-frame-view.js'

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Script versions merchants load (reference §3.3); all three are the same library. */
const CARD_VIEW_VERSIONS = ['v1', 'v2', 'v3']

/**
 * The embedded Card View: the library (`/cardview/v{1,2,3}/session.js`), the frame document and
 * its assets, all without authentication: the SessionId is the credential.
 */
export function registerCardViewPageRoutes(app: FastifyInstance, deps: Deps): void {
  app.get<{ Params: { version: string } }>('/cardview/:version/session.js', { schema: { hide: true } }, async (request, reply) => {
    if (!CARD_VIEW_VERSIONS.includes(request.params.version.toLowerCase())) {
      return reply.status(404).header('content-type', 'text/javascript; charset=utf-8').send('/* No such Card View version: use v1, v2 or v3 */\n')
    }
    return reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .header('x-content-type-options', 'nosniff')
      .header('cross-origin-resource-policy', 'cross-origin')
      .send(CARD_VIEW_SESSION_SCRIPT)
  })

  app.get('/cardview/frame.js', { schema: { hide: true } }, async (_request, reply) =>
    reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').header('x-content-type-options', 'nosniff').send(CARD_VIEW_FRAME_SCRIPT),
  )
  app.get('/cardview/frame.css', { schema: { hide: true } }, async (_request, reply) =>
    reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=300').header('x-content-type-options', 'nosniff').send(CARD_FRAME_CSS),
  )

  app.get('/cardview/frame', { schema: { hide: true } }, async (request: FastifyRequest<{ Querystring: { sessionId?: string; language?: string } }>, reply) => {
    const language = request.query.language?.toLowerCase() === 'ar' ? 'AR' : 'EN'
    const sessionId = request.query.sessionId ?? ''
    const checked = await checkSession(deps, sessionId)
    if ('problem' in checked) return sendFrame(reply, renderCardFrame({ language, sessionId, problem: checked.problem }), 404)
    // A recurring session learns its terms only from the ExecutePayment that consumes it, after
    // the card is typed here: the frame says the card is kept for recurring charges, and the
    // OTP step that follows states the terms (views/recurring-view.ts).
    const recurring = checked.session.is_recurring === 1 ? 'card-saved' : undefined
    return sendFrame(reply, renderCardFrame({ language, sessionId, recurring }), 200)
  })
}

/** `POST /cardview/submit`: the frame's JSON endpoint; errors use the API envelope. */
export function registerCardViewSubmitRoute(app: FastifyInstance, deps: Deps): void {
  app.post('/cardview/submit', { schema: { hide: true } }, async (request, reply) => {
    // Only our frame posts here; a page of another origin has no business with a session.
    if (!isSameOriginPost(deps, request)) throw new AppError('FORBIDDEN', 'Card data is accepted only from the Card View frame')
    reply.header('cache-control', 'no-store')
    return success(await submitCardToSession(deps, request.body), '')
  })
}

/** A session the frame can take a card for, or why it cannot. */
async function checkSession(deps: Deps, sessionId: string): Promise<{ session: SessionRow } | { problem: MessageKey }> {
  if (!UUID_PATTERN.test(sessionId)) return { problem: 'sessionInvalid' }
  const session = await findSession(deps.store.db, sessionId.toLowerCase())
  const merchant = session ? await findMerchantById(deps.store.db, session.merchant_id) : undefined
  if (!session || !merchant || session.used_at !== null) return { problem: 'sessionInvalid' }
  return session.expires_at <= merchantNow(deps.clock.now(), merchant) ? { problem: 'sessionInvalid' } : { session }
}
