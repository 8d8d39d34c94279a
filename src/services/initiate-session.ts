import { randomUUID } from 'node:crypto'

import { validationError, type FieldError } from '../domain/errors.js'
import { FieldReader } from '../domain/field-reader.js'
import { merchantNow, type Merchant } from '../domain/merchant.js'
import { insertSession } from '../store/session.repository.js'
import type { Deps } from '../deps.js'
import { listCustomerTokens } from './customer-tokens.js'

/** How long a SessionId can wait for its card and its ExecutePayment. */
export const SESSION_LIFETIME_MS = 60 * 60_000

/** InitiateSession (reference §3.1): a single-use session for the embedded Card View. */
export async function initiateSession(deps: Deps, merchant: Merchant, body: unknown) {
  const errors: FieldError[] = []
  const reader = new FieldReader(body ?? {}, errors)
  const customerIdentifier = reader.string('CustomerIdentifier', { max: 100 })
  const saveToken = reader.boolean('SaveToken') ?? false
  const isRecurring = reader.boolean('IsRecurring') ?? false
  if (saveToken && isRecurring) {
    reader.fail('SaveToken', 'SaveToken cannot be true for a recurring session (IsRecurring: true)')
  }
  if (saveToken && customerIdentifier === undefined) {
    reader.fail('CustomerIdentifier', 'CustomerIdentifier is required when SaveToken is true')
  }
  if (errors.length > 0) throw validationError(errors)
  const now = merchantNow(deps.clock.now(), merchant)
  const sessionId = randomUUID()
  await insertSession(deps.store.db, {
    id: sessionId,
    merchant_id: merchant.id,
    customer_identifier: customerIdentifier ?? null,
    save_token: saveToken ? 1 : 0,
    is_recurring: isRecurring ? 1 : 0,
    card_token_id: null,
    used_at: null,
    expires_at: now + SESSION_LIFETIME_MS,
    created_at: now,
  })
  return {
    SessionId: sessionId,
    CountryCode: merchant.country,
    CustomerTokens: customerIdentifier === undefined ? [] : await listCustomerTokens(deps, merchant, customerIdentifier),
  }
}
