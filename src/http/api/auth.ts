import type { FastifyReply, FastifyRequest } from 'fastify'

import { AppError } from '../../domain/errors.js'
import type { Merchant } from '../../domain/merchant.js'
import type { Deps } from '../../deps.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated merchant of a /v2 request. */
    merchant: Merchant | null
  }
}

/** Texts MyFatoorah answers with (reference §1.4). */
export const AUTH_MESSAGES = {
  missing: 'Authorization has been denied for this request.',
  invalid: 'The token is not valid or it is expired!',
} as const

/** The merchant of an authenticated request; routes behind {@link makeAuthHook} always have one. */
export function requireMerchant(request: FastifyRequest): Merchant {
  if (!request.merchant) throw new AppError('UNAUTHORIZED', AUTH_MESSAGES.missing)
  return request.merchant
}

/** A preHandler that resolves `Authorization: Bearer <key>` to its merchant or answers 401. */
export function makeAuthHook(deps: Deps) {
  return async function authenticate(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const header = request.headers.authorization
    if (typeof header !== 'string' || header.trim() === '') throw new AppError('UNAUTHORIZED', AUTH_MESSAGES.missing)
    const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header)
    if (!match?.[1]) throw new AppError('UNAUTHORIZED', AUTH_MESSAGES.invalid)
    const merchant = await deps.store.merchants.findByApiKey(match[1])
    if (!merchant) throw new AppError('UNAUTHORIZED', AUTH_MESSAGES.invalid)
    request.merchant = merchant
  }
}
