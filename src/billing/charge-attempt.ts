import { isCurrencyCode } from '../domain/currencies.js'
import type { ChargeRequest, ChargeResult } from '../processor/card-processor.js'
import type { Deps } from '../deps.js'
import { readCardNumber } from '../store/card-token.repository.js'
import { attemptIdempotencyKey, type PreparedAttempt } from './prepared-attempt.js'

/**
 * Asks the processor to charge a committed attempt, with the attempt's id as idempotency key,
 * so however often this runs (retry after a crash, two workers after a lease ran out) money
 * moves at most once. A reopened attempt asks the look-up first: the processor may have
 * charged it already. A lost reply (`unknown`) is resolved by the look-up; if even that has no
 * answer, `unknown` is returned and the attempt stays open for the recovery pass.
 * Never call this inside a database transaction.
 */
export async function chargeAttempt(deps: Deps, attempt: PreparedAttempt, now: number): Promise<ChargeResult> {
  const key = attemptIdempotencyKey(attempt.attemptId)
  if (attempt.reopened) {
    const known = await deps.processor.lookup(key)
    if (known && known.status !== 'unknown') return known
  }
  if (!isCurrencyCode(attempt.currency)) throw new Error(`Attempt ${attempt.attemptId} has unknown currency ${attempt.currency}`)
  const request: ChargeRequest = {
    idempotencyKey: key,
    merchantId: attempt.merchantId,
    amountMinor: attempt.amountMinor,
    currency: attempt.currency,
    card: {
      number: readCardNumber(deps.vault, attempt.card),
      expiryMonth: attempt.card.expiry_month,
      expiryYear: attempt.card.expiry_year,
      securityCode: null,
      holderName: attempt.card.holder_name,
    },
    cardTokenId: attempt.card.id,
    purpose: 'renewal',
    renewal: { cycle: attempt.cycle, attemptNumber: attempt.attemptNumber },
  }
  const result = await deps.processor.charge(request, now)
  if (result.status !== 'unknown') return result
  return (await deps.processor.lookup(key)) ?? result
}
