import { CARD_VIEW_BRAND_NAMES, isCardBrand } from '../domain/cards.js'
import type { Merchant } from '../domain/merchant.js'
import { listSavedTokens } from '../store/card-token.repository.js'
import type { Deps } from '../deps.js'

/** `CustomerTokens` of InitiateSession: the customer's saved cards (never recurring tokens). */
export async function listCustomerTokens(deps: Deps, merchant: Merchant, customerIdentifier: string) {
  const tokens = await listSavedTokens(deps.store.db, merchant.id, customerIdentifier)
  return tokens.map((token) => ({
    Token: token.token,
    CardNumber: token.masked_number,
    CardBrand: isCardBrand(token.brand) ? CARD_VIEW_BRAND_NAMES[token.brand] : token.brand,
    Is3DSVerified: true,
    TokenType: 'CARD',
  }))
}
