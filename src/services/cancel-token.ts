import { validationError } from '../domain/errors.js'
import { merchantNow, type Merchant } from '../domain/merchant.js'
import { CANCEL_TOKEN_ERRORS, cancelTokenRefusal, canonicalTokenText } from '../domain/saved-tokens.js'
import { findCardTokenByToken, markCardTokenDeleted } from '../store/card-token.repository.js'
import type { Deps } from '../deps.js'

/** MyFatoorah's success text for CancelToken (the same as CancelRecurringPayment's). */
export const CANCEL_TOKEN_SUCCESS_MESSAGE = 'Canceled successfully'

/**
 * CancelToken: the merchant's saved card is cancelled for good. It is no longer listed in
 * InitiateSession's CustomerTokens, and DirectPayment (`PaymentType: token`), UpdateSession and a
 * payment still waiting at its OTP step refuse it. A recurrence's card is a copy of its own
 * (purpose `recurring`), so cancelling the saved card it came from never stops the recurrence.
 * Errors answer 400 with `Data: false`, the field named `token`: unknown tokens, another
 * merchant's tokens and tokens that are not saved cards all read the same.
 */
export async function cancelToken(deps: Deps, merchant: Merchant, tokenText: string | undefined): Promise<void> {
  if (tokenText === undefined || tokenText.trim() === '') throw refused(CANCEL_TOKEN_ERRORS.missing)
  const canonical = canonicalTokenText(tokenText)
  const token = canonical === undefined ? undefined : await findCardTokenByToken(deps.store.db, merchant.id, canonical, { includeDeleted: true })
  const refusal = cancelTokenRefusal(
    token && { purpose: token.purpose, deleted: token.deleted_at !== null, customerIdentifier: token.customer_identifier },
  )
  if (refusal) throw refused(CANCEL_TOKEN_ERRORS[refusal])
  // Two cancels at once: the second finds the token already cancelled.
  const now = merchantNow(deps.clock.now(), merchant)
  if (!token || !(await markCardTokenDeleted(deps.store.db, merchant.id, token.id, now))) {
    throw refused(CANCEL_TOKEN_ERRORS['already-canceled'])
  }
}

function refused(message: string) {
  return validationError([{ Name: 'token', Error: message }], false)
}
