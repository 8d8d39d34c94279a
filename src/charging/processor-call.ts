import { attemptIdempotencyKey, type ChargeResult } from '../domain/charge.js'
import type { CurrencyCode } from '../domain/currencies.js'
import type { Deps } from '../deps.js'
import type { AuthorizationUpdateRequest, ChargePurpose, ChargeRequest, RefundRequest } from '../processor/card-processor.js'
import { readCardNumber, type CardTokenRow } from '../store/card-token.repository.js'

/** The card columns a charge needs. */
export type ChargeCard = Pick<CardTokenRow, 'id' | 'pan_encrypted' | 'expiry_month' | 'expiry_year' | 'holder_name'>

/** What to charge for an attempt. */
export interface AttemptCharge {
  readonly attemptId: number
  readonly merchantId: number
  readonly amountMinor: number
  readonly currency: CurrencyCode
  readonly card: ChargeCard
  /** Only when the customer typed it in this very request; never stored. */
  readonly securityCode: string | null
  readonly purpose: ChargePurpose
  readonly renewal?: { readonly cycle: number; readonly attemptNumber: number }
  /** Hold the amount only (AutoCapture off): captured or released later by its own attempt. */
  readonly authorizeOnly?: boolean
}

/** The processor request of an attempt: its key is the attempt's, whoever sends it and however often. */
export function chargeRequestOf(deps: Deps, charge: AttemptCharge): ChargeRequest {
  return {
    idempotencyKey: attemptIdempotencyKey(charge.attemptId),
    merchantId: charge.merchantId,
    amountMinor: charge.amountMinor,
    currency: charge.currency,
    card: {
      number: readCardNumber(deps.vault, charge.card),
      expiryMonth: charge.card.expiry_month,
      expiryYear: charge.card.expiry_year,
      securityCode: charge.securityCode,
      holderName: charge.card.holder_name,
    },
    cardTokenId: charge.card.id,
    purpose: charge.purpose,
    ...(charge.renewal ? { renewal: { ...charge.renewal } } : {}),
    ...(charge.authorizeOnly === true ? { authorizeOnly: true } : {}),
  }
}

/**
 * The one way an attempt reaches the processor, whatever it moves: under the attempt's key;
 * when the attempt may have been sent before (found open after a crash, or its lease ran out)
 * the processor's look-up is asked first, so what it did is never done again; a lost reply
 * (`unknown`) is answered by the look-up. `unknown` comes back only when even the look-up has no
 * answer. `what` names the operation in the log.
 */
async function sendUnderKey(
  deps: Deps,
  attemptId: number,
  what: string,
  askFirst: boolean,
  call: (key: string) => Promise<ChargeResult>,
): Promise<ChargeResult> {
  const key = attemptIdempotencyKey(attemptId)
  if (askFirst) {
    const known = await deps.processor.lookup(key)
    if (known && known.status !== 'unknown') return known
  }
  const result = await call(key)
  if (result.status !== 'unknown') return result
  const known = await deps.processor.lookup(key)
  deps.logger.warn({ attemptId, outcome: known?.status ?? 'not received' }, `processor ${what} reply lost; looked it up`)
  return known ?? result
}

/** A processor call that failed outright answers `unknown`: the look-up (or the recovery pass) learns what happened. */
async function unknownOnFailure(deps: Deps, attemptId: number, what: string, call: () => Promise<ChargeResult>): Promise<ChargeResult> {
  try {
    return await call()
  } catch (thrown) {
    deps.logger.error({ err: thrown, attemptId }, `the processor ${what} call failed`)
    return { status: 'unknown', message: `The processor ${what} call failed` }
  }
}

/**
 * Sends an attempt's charge to the processor, outside any database transaction. When the attempt
 * may have been sent before (found open after a crash, or its lease ran out), the processor's
 * look-up is asked first: what it charged is never charged again, and a charge it never
 * received is sent now under the same key. A lost reply (`unknown`) is resolved by the look-up;
 * `unknown` comes back only when even the look-up has no answer.
 */
export async function sendAttemptCharge(deps: Deps, charge: AttemptCharge, now: number, options: { readonly askFirst: boolean }): Promise<ChargeResult> {
  return sendUnderKey(deps, charge.attemptId, 'charge', options.askFirst, () => deps.processor.charge(chargeRequestOf(deps, charge), now))
}

/** What to refund for an attempt of kind `refund`. */
export interface AttemptRefund {
  readonly attemptId: number
  readonly merchantId: number
  readonly amountMinor: number
  readonly currency: CurrencyCode
  /** The charge attempt whose money goes back, when the charge went through the processor. */
  readonly chargeAttemptId: number | null
  /** The card charged, when one is stored (KNET keeps none). */
  readonly card: Pick<CardTokenRow, 'id' | 'pan_encrypted'> | null
}

/**
 * Sends an attempt's refund to the processor, outside any database transaction, under the
 * attempt's key; like {@link sendAttemptCharge}, the look-up is asked first when the attempt may
 * have been sent before, and answers a lost reply. `unknown` only when even the look-up has none.
 */
export async function sendAttemptRefund(deps: Deps, refund: AttemptRefund, now: number, options: { readonly askFirst: boolean }): Promise<ChargeResult> {
  return sendUnderKey(deps, refund.attemptId, 'refund', options.askFirst, (key) => {
    const request: RefundRequest = {
      idempotencyKey: key,
      merchantId: refund.merchantId,
      amountMinor: refund.amountMinor,
      currency: refund.currency,
      chargeKey: refund.chargeAttemptId === null ? null : attemptIdempotencyKey(refund.chargeAttemptId),
      card: refund.card === null ? null : { number: readCardNumber(deps.vault, refund.card) },
      cardTokenId: refund.card?.id ?? null,
    }
    return unknownOnFailure(deps, refund.attemptId, 'refund', () => deps.processor.refund(request, now))
  })
}

/** What to capture or release for an attempt of kind `capture` or `release`. */
export interface AttemptAuthorizationUpdate {
  readonly attemptId: number
  readonly merchantId: number
  readonly operation: 'capture' | 'release'
  readonly amountMinor: number
  readonly currency: CurrencyCode
  /** The customer attempt that authorised the payment. */
  readonly authorizationAttemptId: number
  readonly cardTokenId: number | null
}

/**
 * Sends an attempt's capture or release to the processor, outside any database transaction,
 * under the attempt's key; like {@link sendAttemptRefund}, the look-up is asked first when the
 * attempt may have been sent before, and answers a lost reply. `unknown` only when even the
 * look-up has none.
 */
export async function sendAttemptAuthorizationUpdate(
  deps: Deps,
  update: AttemptAuthorizationUpdate,
  now: number,
  options: { readonly askFirst: boolean },
): Promise<ChargeResult> {
  return sendUnderKey(deps, update.attemptId, update.operation, options.askFirst, (key) => {
    const request: AuthorizationUpdateRequest = {
      idempotencyKey: key,
      merchantId: update.merchantId,
      authorizationKey: attemptIdempotencyKey(update.authorizationAttemptId),
      amountMinor: update.amountMinor,
      currency: update.currency,
      cardTokenId: update.cardTokenId,
    }
    return unknownOnFailure(deps, update.attemptId, update.operation, () =>
      update.operation === 'capture' ? deps.processor.capture(request, now) : deps.processor.release(request, now),
    )
  })
}
