import type { CardTokenPurpose } from './cards.js'

/**
 * Rules about a customer's saved card tokens (`TKN-…`) outside a payment: cancelling one
 * (CancelToken) and putting one into an embedded session (UpdateSession). Only tokens of purpose
 * `saved` are the merchant's to use or cancel; one-payment (`session`) and recurrence
 * (`recurring`) tokens stay internal, so they answer exactly like a token that does not exist.
 */

/** The public text of a card token: `TKN-` and a UUID (docs/compatibility.md, Identifiers). */
const TOKEN_TEXT = /^TKN-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i

/**
 * The stored spelling of a token text (`TKN-` and the UUID in lower case, as tokens are
 * written), or undefined when the text cannot be a token, so malformed input is refused
 * without a look-up.
 */
export function canonicalTokenText(text: string): string | undefined {
  const match = TOKEN_TEXT.exec(text.trim())
  return match?.[1] === undefined ? undefined : `TKN-${match[1].toLowerCase()}`
}

/** What the rules need to know of a stored token. */
export interface TokenFacts {
  readonly purpose: CardTokenPurpose
  /** Cancelled by CancelToken. */
  readonly deleted: boolean
  /** The customer the card was saved for (InitiateSession `CustomerIdentifier`); null for DirectPayment's tokens. */
  readonly customerIdentifier: string | null
}

/** Why CancelToken refuses a token. */
export type CancelTokenRefusal = 'unknown' | 'already-canceled'

/** CancelToken's error texts (the field is named `token`, as the query parameter). */
export const CANCEL_TOKEN_ERRORS: Readonly<Record<CancelTokenRefusal | 'missing', string>> = {
  missing: 'token is required, e.g. /v2/CancelToken?token=TKN-…',
  unknown: 'No saved card matches this token',
  'already-canceled': 'This token has already been canceled',
}

/**
 * Whether CancelToken may cancel a token of the merchant (undefined: it may). A token that is
 * not found, that is not a saved card (a recurrence's own copy, a one-payment card) answers
 * `unknown`; the merchant's own cancelled token answers `already-canceled`.
 */
export function cancelTokenRefusal(token: TokenFacts | undefined): CancelTokenRefusal | undefined {
  if (token === undefined || token.purpose !== 'saved') return 'unknown'
  if (token.deleted) return 'already-canceled'
  return undefined
}

/** `TokenType` values of UpdateSession; only `mftoken` (a saved card) is served. */
export const SESSION_TOKEN_TYPES = ['mftoken', 'applepay', 'googlepay', 'samsungpay'] as const

/** One of {@link SESSION_TOKEN_TYPES}. */
export type SessionTokenType = (typeof SESSION_TOKEN_TYPES)[number]

/**
 * Reads UpdateSession's `TokenType` (any case). Wallet types are known but refused: dawri offers
 * no wallets. Returns the canonical `mftoken`, or the error text.
 */
export function readSessionTokenType(text: string): { ok: true; type: 'mftoken' } | { ok: false; error: string } {
  const lower = text.trim().toLowerCase()
  if (lower === 'mftoken') return { ok: true, type: 'mftoken' }
  if ((SESSION_TOKEN_TYPES as readonly string[]).includes(lower)) {
    return { ok: false, error: `TokenType ${lower} is not supported: dawri offers no wallets; use mftoken with a saved card token` }
  }
  return { ok: false, error: 'TokenType must be mftoken (a saved card token, TKN-…)' }
}

/** The session a token is put into. */
export interface SessionFacts {
  readonly isRecurring: boolean
  readonly customerIdentifier: string | null
}

/** Why UpdateSession refuses a token for a session. */
export type SessionTokenRefusal = 'invalid' | 'recurring-session' | 'other-customer'

/** UpdateSession's error texts for the `Token` field. */
export const SESSION_TOKEN_ERRORS: Readonly<Record<SessionTokenRefusal, string>> = {
  // DirectPayment's text for the same case (PaymentType token).
  invalid: 'Token is not valid',
  'recurring-session': 'A recurring session (IsRecurring: true) takes a new card through the Card View, not a saved token',
  'other-customer': "Token is saved for another customer than this session's CustomerIdentifier",
}

/**
 * Whether a token may pay an embedded session (undefined: it may): a live saved card of the
 * merchant; never on a recurring session; and when both the session and the card name a
 * customer, the same one, so a session started for one customer cannot pay with another's card.
 */
export function sessionTokenRefusal(token: TokenFacts | undefined, session: SessionFacts): SessionTokenRefusal | undefined {
  if (token === undefined || token.purpose !== 'saved' || token.deleted) return 'invalid'
  if (session.isRecurring) return 'recurring-session'
  if (session.customerIdentifier !== null && token.customerIdentifier !== null && session.customerIdentifier !== token.customerIdentifier) {
    return 'other-customer'
  }
  return undefined
}

/** Why an embedded session can take no more changes. */
export type SessionStateRefusal = 'used' | 'expired'

/** The texts ExecutePayment answers for the same session states (field `SessionId`). */
export const SESSION_STATE_ERRORS: Readonly<Record<SessionStateRefusal | 'invalid', string>> = {
  invalid: 'SessionId is not valid',
  used: 'SessionId has already been used',
  expired: 'SessionId has expired; call InitiateSession again',
}

/** Whether a session can still take a card at `now` (merchant time): not used, not expired. */
export function sessionStateRefusal(session: { readonly usedAt: number | null; readonly expiresAt: number }, now: number): SessionStateRefusal | undefined {
  if (session.usedAt !== null) return 'used'
  if (session.expiresAt <= now) return 'expired'
  return undefined
}
