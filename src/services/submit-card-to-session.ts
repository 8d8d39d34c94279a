import { CARD_VIEW_BRAND_NAMES, type CardBrand } from '../domain/cards.js'
import { validationError, type FieldError } from '../domain/errors.js'
import { FieldReader } from '../domain/field-reader.js'
import { merchantNow } from '../domain/merchant.js'
import { findSavedTokenByPanHash, insertCardToken } from '../store/card-token.repository.js'
import { findMerchantById } from '../store/merchant.repository.js'
import { bindSessionCard, findSession } from '../store/session.repository.js'
import { readApiCard } from './card-input.js'
import type { Deps } from '../deps.js'

/** Card View network codes of `supportedNetworks` (reference §3.3: `v,m,ae,md`). */
const NETWORK_BRANDS: Readonly<Record<string, CardBrand>> = { v: 'visa', m: 'mastercard', ae: 'amex', md: 'mada' }

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** What the Card View's `submit()` resolves with: both casings (reference §3.3). */
export interface CardViewSubmitData {
  SessionId: string
  sessionId: string
  CardBrand: string
  cardBrand: string
  /** A stable identifier of the card (keyed hash of the number), never the number. */
  cardIdentifier: string
}

/**
 * The Card View frame hands the customer's card to a session (`POST /cardview/submit`). The
 * SessionId is the credential: unknown, used or expired sessions are refused. The card is
 * tokenised at once and bound to the session for ExecutePayment; the CVV is dropped. A session
 * with SaveToken (never a recurring one, InitiateSession refuses both) keeps the card as the
 * customer's saved token, listed by CustomerTokens next time, once its payment is approved;
 * otherwise the token serves this payment only. Submitting again before ExecutePayment replaces
 * the card.
 */
export async function submitCardToSession(deps: Deps, body: unknown): Promise<CardViewSubmitData> {
  const errors: FieldError[] = []
  const reader = new FieldReader(body ?? {}, errors)
  const sessionId = reader.string('SessionId', { required: true, max: 64, pattern: UUID_PATTERN, patternMessage: 'SessionId is not valid' })
  const networks = reader.string('SupportedNetworks', { max: 40 })
  const cardReader = reader.object('Card', { required: true })
  const card = cardReader ? readApiCard(cardReader) : undefined
  if (card && networks !== undefined) {
    const allowed = networks
      .split(',')
      .map((code) => NETWORK_BRANDS[code.trim().toLowerCase()])
      .filter((brand) => brand !== undefined)
    if (allowed.length > 0 && !allowed.includes(card.brand)) {
      cardReader?.fail('Number', 'This card brand is not accepted by the merchant')
    }
  }
  if (errors.length > 0 || sessionId === undefined || card === undefined) throw validationError(errors)

  const db = deps.store.db
  const session = await findSession(db, sessionId.toLowerCase())
  const merchant = session ? await findMerchantById(db, session.merchant_id) : undefined
  if (!session || !merchant) throw validationError([{ Name: reader.nameOf('SessionId'), Error: 'SessionId is not valid' }])
  const now = merchantNow(deps.clock.now(), merchant)
  if (session.used_at !== null) throw validationError([{ Name: reader.nameOf('SessionId'), Error: 'SessionId has already been used' }])
  if (session.expires_at <= now) {
    throw validationError([{ Name: reader.nameOf('SessionId'), Error: 'SessionId has expired; call InitiateSession again' }])
  }

  const save = session.save_token === 1 && session.is_recurring === 0 && session.customer_identifier !== null
  const token = await db.transaction().execute(async (trx) => {
    const existing =
      save && session.customer_identifier !== null
        ? await findSavedTokenByPanHash(trx, merchant.id, session.customer_identifier, deps.vault.hashPan(card.number))
        : undefined
    const row =
      existing && existing.expiry_month === card.expiryMonth && existing.expiry_year === card.expiryYear
        ? existing
        : await insertCardToken(trx, deps.vault, {
            merchantId: merchant.id,
            purpose: 'session',
            customerIdentifier: save ? session.customer_identifier : null,
            number: card.number,
            expiryMonth: card.expiryMonth,
            expiryYear: card.expiryYear,
            holderName: card.holderName,
            now,
          })
    // ExecutePayment consumed the session between our read and this write.
    if (!(await bindSessionCard(trx, session.id, row.id))) throw validationError([{ Name: 'SessionId', Error: 'SessionId has already been used' }])
    return row
  })
  const brand = CARD_VIEW_BRAND_NAMES[card.brand]
  return { SessionId: session.id, sessionId: session.id, CardBrand: brand, cardBrand: brand, cardIdentifier: token.pan_hash }
}
