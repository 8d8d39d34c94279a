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
 * Sends an attempt's charge to the processor, outside any database transaction. When the attempt
 * may have been sent before (found open after a crash, or its lease ran out), the processor's
 * look-up is asked first: what it charged is never charged again, and a charge it never
 * received is sent now under the same key. A lost reply (`unknown`) is resolved by the look-up;
 * `unknown` comes back only when even the look-up has no answer.
 */
export async function sendAttemptCharge(deps: Deps, charge: AttemptCharge, now: number, options: { readonly askFirst: boolean }): Promise<ChargeResult> {
  const key = attemptIdempotencyKey(charge.attemptId)
  if (options.askFirst) {
    const known = await deps.processor.lookup(key)
    if (known && known.status !== 'unknown') return known
  }
  const result = await deps.processor.charge(chargeRequestOf(deps, charge), now)
  if (result.status !== 'unknown') return result
  const known = await deps.processor.lookup(key)
  deps.logger.warn({ attemptId: charge.attemptId, outcome: known?.status ?? 'not received' }, 'processor reply lost; looked the charge up')
  return known ?? result
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
  const key = attemptIdempotencyKey(refund.attemptId)
  if (options.askFirst) {
    const known = await deps.processor.lookup(key)
    if (known && known.status !== 'unknown') return known
  }
  const request: RefundRequest = {
    idempotencyKey: key,
    merchantId: refund.merchantId,
    amountMinor: refund.amountMinor,
    currency: refund.currency,
    chargeKey: refund.chargeAttemptId === null ? null : attemptIdempotencyKey(refund.chargeAttemptId),
    card: refund.card === null ? null : { number: readCardNumber(deps.vault, refund.card) },
    cardTokenId: refund.card?.id ?? null,
  }
  let result: ChargeResult
  try {
    result = await deps.processor.refund(request, now)
  } catch (thrown) {
    // No answer is no answer: the look-up below (or the recovery pass) learns what happened.
    deps.logger.error({ err: thrown, attemptId: refund.attemptId }, 'the processor refund call failed')
    result = { status: 'unknown', message: 'The processor refund call failed' }
  }
  if (result.status !== 'unknown') return result
  const known = await deps.processor.lookup(key)
  deps.logger.warn({ attemptId: refund.attemptId, outcome: known?.status ?? 'not received' }, 'processor refund reply lost; looked it up')
  return known ?? result
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
  const key = attemptIdempotencyKey(update.attemptId)
  if (options.askFirst) {
    const known = await deps.processor.lookup(key)
    if (known && known.status !== 'unknown') return known
  }
  const request: AuthorizationUpdateRequest = {
    idempotencyKey: key,
    merchantId: update.merchantId,
    authorizationKey: attemptIdempotencyKey(update.authorizationAttemptId),
    amountMinor: update.amountMinor,
    currency: update.currency,
    cardTokenId: update.cardTokenId,
  }
  let result: ChargeResult
  try {
    result = update.operation === 'capture' ? await deps.processor.capture(request, now) : await deps.processor.release(request, now)
  } catch (thrown) {
    deps.logger.error({ err: thrown, attemptId: update.attemptId }, `the processor ${update.operation} call failed`)
    result = { status: 'unknown', message: `The processor ${update.operation} call failed` }
  }
  if (result.status !== 'unknown') return result
  const known = await deps.processor.lookup(key)
  deps.logger.warn({ attemptId: update.attemptId, outcome: known?.status ?? 'not received' }, `processor ${update.operation} reply lost; looked it up`)
  return known ?? result
}
