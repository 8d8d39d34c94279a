import type { CurrencyCode } from '../domain/currencies.js'
import type { ChargeResult } from '../domain/charge.js'

/**
 * The seam between dawri and whoever moves the money. The sandbox fills it with TestProcessor;
 * a real acquirer integration implements the same methods.
 */

/** Why a charge is made: a payment the customer is present for, or an automatic renewal. */
export const CHARGE_PURPOSES = ['customer', 'renewal'] as const

/** One of {@link CHARGE_PURPOSES}. */
export type ChargePurpose = (typeof CHARGE_PURPOSES)[number]

/** One charge as the processor receives it. */
export interface ChargeRequest {
  /**
   * Unique per intended charge: the recurrence attempt's or transaction's id. The processor
   * charges at most once per key, which is what makes retrying after a crash safe.
   */
  idempotencyKey: string
  merchantId: number
  /** Integer minor units of `currency`. */
  amountMinor: number
  currency: CurrencyCode
  card: {
    /** The full, normalised card number (decrypted from the vault just for this call). */
    number: string
    /** `MM`. */
    expiryMonth: string
    /** `YY`. */
    expiryYear: string
    /** `null` for stored tokens: the security code is never kept. */
    securityCode: string | null
    holderName: string | null
  }
  /** The vault token the number came from, when it came from one. */
  cardTokenId: number | null
  purpose: ChargePurpose
  /** For renewals: which cycle, and the attempt within it (0 = first, then retries). */
  renewal?: { cycle: number; attemptNumber: number }
  /**
   * Authorise only (ExecutePayment with AutoCapture false): the amount is held on the card, not
   * taken, until {@link CardProcessor.capture} or {@link CardProcessor.release} under another key.
   */
  authorizeOnly?: boolean
}

/** The capture of (part of) an authorisation, or its release, as the processor receives it. */
export interface AuthorizationUpdateRequest {
  /** Unique per intended capture or release (its attempt's key); the processor acts at most once per key. */
  idempotencyKey: string
  merchantId: number
  /** The idempotency key of the authorisation ({@link ChargeRequest.authorizeOnly}). */
  authorizationKey: string
  /** Capture: minor units taken, at most the authorised amount. Release: the whole authorised amount. */
  amountMinor: number
  currency: CurrencyCode
  /** The vault token of the card authorised, when there is one. */
  cardTokenId: number | null
}


/** A card processor (acquirer). */
export interface CardProcessor {
  /**
   * Charges a card. MUST be idempotent by `req.idempotencyKey`: a second call with the same key
   * returns the first outcome and never charges twice, also when both calls run concurrently.
   * `now` is the caller's clock (the merchant's sandbox clock), used for expiry and records.
   * Call it outside any database transaction: it may take as long as the network does.
   */
  charge(req: ChargeRequest, now: number): Promise<ChargeResult>
  /**
   * Returns (part of) a captured charge to the card that paid it. MUST be idempotent by
   * `req.idempotencyKey` like {@link CardProcessor.charge}: a second call with the same key
   * returns the first outcome and never refunds twice. `approved` means the money went back;
   * `declined` that the processor refused the refund (nothing moved).
   */
  refund(req: RefundRequest, now: number): Promise<ChargeResult>
  /**
   * Takes all or part of an authorised amount (the rest is let go). MUST be idempotent by
   * `req.idempotencyKey`; an authorisation is captured or released once: any later capture or
   * release of it under another key is declined, as is a capture beyond the authorised amount.
   */
  capture(req: AuthorizationUpdateRequest, now: number): Promise<ChargeResult>
  /** Lets an authorisation go whole (nothing is taken); idempotent and once, like {@link CardProcessor.capture}. */
  release(req: AuthorizationUpdateRequest, now: number): Promise<ChargeResult>
  /**
   * What happened to the charge, refund, capture or release with this key: its outcome, or `undefined` when the
   * processor never received it (so sending it again with the same key is safe and needed).
   */
  lookup(idempotencyKey: string): Promise<ChargeResult | undefined>
}

/** One refund as the processor receives it. */
export interface RefundRequest {
  /** Unique per intended refund (its attempt's key); the processor refunds at most once per key. */
  idempotencyKey: string
  merchantId: number
  /** Integer minor units of `currency`; never more than what is left of the charge. */
  amountMinor: number
  currency: CurrencyCode
  /** The idempotency key of the charge returned, or null when it did not go through this processor (KNET). */
  chargeKey: string | null
  /** The card charged, decrypted just for the call; null when none is stored (KNET). */
  card: { number: string } | null
  /** The vault token of that card, when there is one. */
  cardTokenId: number | null
}

export type { ChargeResult }
