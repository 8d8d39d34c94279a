import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

import { AppError } from '../../domain/errors.js'
import type { Deps } from '../../deps.js'
import {
  deleteExpiredIdempotencyKey,
  findIdempotencyKey,
  releaseIdempotencyKey,
  reserveIdempotencyKey,
  storeIdempotentResponse,
} from '../../store/idempotency.repository.js'

/** How long a stored response answers repeats of its key (24 h, as the README promises). */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000
const MAX_KEY_LENGTH = 255

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when this request reserved an Idempotency-Key and must store its response. */
    idempotency: { merchantId: number; key: string } | null
    /** The body text as received, for hashing. */
    rawBody: string | undefined
  }
}

// Keyed with the vault's secret (HMAC), because DirectPayment bodies carry card data and a plain
// hash of them could be brute-forced offline.
function requestHash(request: FastifyRequest, deps: Deps): string {
  return deps.vault.hashPan(`${request.method} ${request.routeOptions.url ?? request.url}\n${request.url.split('?')[1] ?? ''}\n${request.rawBody ?? ''}`)
}

/**
 * `Idempotency-Key` on POST (beyond MyFatoorah): the first response of a key is stored; a repeat
 * with the same request gets it back, a repeat with another body gets 409. A key is reserved
 * before the handler runs, so two concurrent requests with one key cannot both run.
 */
export function makeIdempotencyHook(deps: Deps) {
  return async function idempotency(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const header = request.headers['idempotency-key']
    if (request.method !== 'POST' || typeof header !== 'string' || header === '' || !request.merchant) return
    if (header.length > MAX_KEY_LENGTH) {
      throw new AppError('VALIDATION_FAILED', 'Invalid data', {
        fieldErrors: [{ Name: 'Idempotency-Key', Error: `Idempotency-Key must not be longer than ${MAX_KEY_LENGTH} characters` }],
      })
    }
    const db = deps.store.db
    const merchantId = request.merchant.id
    const hash = requestHash(request, deps)
    const now = Date.now()
    await deleteExpiredIdempotencyKey(db, merchantId, header, now - IDEMPOTENCY_WINDOW_MS)
    if (await reserveIdempotencyKey(db, { merchantId, key: header, requestHash: hash, now })) {
      request.idempotency = { merchantId, key: header }
      return
    }
    const existing = await findIdempotencyKey(db, merchantId, header)
    if (!existing || existing.request_hash !== hash) {
      throw new AppError('IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was already used with a different request')
    }
    if (existing.response_status === 0) {
      throw new AppError('IDEMPOTENCY_CONFLICT', 'A request with this Idempotency-Key is still being processed; retry later')
    }
    return reply
      .status(existing.response_status)
      .header('content-type', 'application/json; charset=utf-8')
      .header('idempotent-replayed', 'true')
      .send(existing.response_body)
  }
}

/** Stores the response of a request that reserved a key (server errors release the key). */
export function installIdempotencyRecorder(app: FastifyInstance, deps: Deps): void {
  app.decorateRequest('idempotency', null)
  app.decorateRequest('rawBody', undefined)
  app.addHook('onSend', async (request, reply, payload) => {
    const reservation = request.idempotency
    if (!reservation) return payload
    request.idempotency = null
    const db = deps.store.db
    if (reply.statusCode >= 500 || typeof payload !== 'string') {
      await releaseIdempotencyKey(db, reservation.merchantId, reservation.key)
    } else {
      await storeIdempotentResponse(db, reservation.merchantId, reservation.key, { status: reply.statusCode, body: payload })
    }
    return payload
  })
}
