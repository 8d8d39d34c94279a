import { isCardBrand, isValidSecurityCode } from '../domain/cards.js'
import { validationError, type FieldError } from '../domain/errors.js'
import { FieldReader } from '../domain/field-reader.js'
import { merchantNow, type Merchant } from '../domain/merchant.js'
import {
  canonicalTokenText,
  readSessionTokenType,
  SESSION_STATE_ERRORS,
  SESSION_TOKEN_ERRORS,
  sessionStateRefusal,
  sessionTokenRefusal,
} from '../domain/saved-tokens.js'
import { deleteOrphanSessionTokens, findCardTokenByToken } from '../store/card-token.repository.js'
import { bindSessionCard, findMerchantSession } from '../store/session.repository.js'
import type { Deps } from '../deps.js'

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** `Data` of UpdateSession. */
export interface UpdateSessionData {
  SessionId: string
  CountryCode: string
}

/**
 * UpdateSession: puts one of the merchant's saved cards (`TokenType: mftoken`) into an embedded
 * session, so ExecutePayment with that SessionId pays with it, through the OTP step, without the
 * Card View. The session must be the merchant's, unused and unexpired (ExecutePayment's texts);
 * the token a live saved card of the merchant, for the session's customer when both name one,
 * and never for a recurring session. A card the Card View submitted before is replaced. Every
 * bad field is reported at once. `SecurityCode` is checked for shape and dropped: dawri stores
 * no security code, and charges of stored cards go without it.
 */
export async function updateSession(deps: Deps, merchant: Merchant, body: unknown): Promise<UpdateSessionData> {
  const errors: FieldError[] = []
  const reader = new FieldReader(body ?? {}, errors)
  const sessionId = reader.string('SessionId', { required: true, max: 64, pattern: UUID_PATTERN, patternMessage: SESSION_STATE_ERRORS.invalid })
  const tokenText = reader.string('Token', { required: true })
  const typeText = reader.string('TokenType', { required: true, max: 40 })
  const type = typeText === undefined ? undefined : readSessionTokenType(typeText)
  if (type && !type.ok) reader.fail('TokenType', type.error)
  const securityCode = reader.string('SecurityCode', { max: 4, pattern: /^\d{3,4}$/, patternMessage: 'SecurityCode must be 3 digits (4 for Amex)' })
  // Only mftoken tokens are looked up; a wallet type is refused above whatever its token says.
  const canonical = tokenText !== undefined && type?.ok ? canonicalTokenText(tokenText) : undefined
  if (tokenText !== undefined && type?.ok && canonical === undefined) reader.fail('Token', SESSION_TOKEN_ERRORS.invalid)
  if (sessionId === undefined || canonical === undefined) throw validationError(errors)

  const now = merchantNow(deps.clock.now(), merchant)
  return deps.store.db.transaction().execute(async (trx) => {
    const session = await findMerchantSession(trx, merchant.id, sessionId.toLowerCase())
    const state = session ? sessionStateRefusal({ usedAt: session.used_at, expiresAt: session.expires_at }, now) : 'invalid'
    if (state) reader.fail('SessionId', SESSION_STATE_ERRORS[state])
    const token = await findCardTokenByToken(trx, merchant.id, canonical)
    const refusal = sessionTokenRefusal(
      token && { purpose: token.purpose, deleted: token.deleted_at !== null, customerIdentifier: token.customer_identifier },
      { isRecurring: session?.is_recurring === 1, customerIdentifier: session?.customer_identifier ?? null },
    )
    if (refusal) reader.fail('Token', SESSION_TOKEN_ERRORS[refusal])
    if (token && securityCode !== undefined && !isValidSecurityCode(securityCode, isCardBrand(token.brand) ? token.brand : undefined)) {
      reader.fail('SecurityCode', 'SecurityCode must be 3 digits (4 for Amex)')
    }
    if (errors.length > 0 || !session || !token) throw validationError(errors)

    // ExecutePayment consumed the session between our read and this write.
    if (!(await bindSessionCard(trx, session.id, token.id))) throw validationError([{ Name: reader.nameOf('SessionId'), Error: SESSION_STATE_ERRORS.used }])
    // A card the Card View submitted earlier served nothing but this session.
    if (session.card_token_id !== null && session.card_token_id !== token.id) await deleteOrphanSessionTokens(trx, [session.card_token_id])
    return { SessionId: session.id, CountryCode: merchant.country }
  })
}
