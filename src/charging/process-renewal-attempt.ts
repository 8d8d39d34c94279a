import { isCurrencyCode } from '../domain/currencies.js'
import type { ChargeResult } from '../domain/charge.js'
import { coerceError } from '../domain/errors.js'
import type { Deps } from '../deps.js'
import type { Batcher } from '../store/batcher.js'
import { sendAttemptCharge } from './processor-call.js'
import { reportChargeError } from './report-charge.js'
import type { RenewalOutcome, RecordedRenewal } from './record-renewal-outcomes.js'
import type { RenewalAttempt } from './renewal-attempt.js'

/** How one attempt ended for the caller. */
export type ProcessedAttempt =
  | ({ readonly kind: 'recorded' } & RecordedRenewal)
  /** The processor gave no answer, not even through its look-up: the attempt stays open. */
  | { readonly kind: 'unresolved' }
  /** Something failed (database, bug); logged, the lease will hand the attempt to recovery. */
  | { readonly kind: 'error'; readonly error: Error }

/**
 * Sends a committed recurring attempt's charge, outside any transaction, keyed by the attempt's
 * id (the processor's look-up asked first when it was found open).
 */
export async function chargeRenewalAttempt(deps: Deps, attempt: RenewalAttempt, now: number): Promise<ChargeResult> {
  if (!isCurrencyCode(attempt.currency)) throw new Error(`Attempt ${attempt.attemptId} has unknown currency ${attempt.currency}`)
  return sendAttemptCharge(
    deps,
    {
      attemptId: attempt.attemptId,
      merchantId: attempt.merchantId,
      amountMinor: attempt.amountMinor,
      currency: attempt.currency,
      card: attempt.card,
      securityCode: null,
      purpose: 'renewal',
      renewal: { cycle: attempt.cycle, attemptNumber: attempt.attemptNumber },
    },
    now,
    { askFirst: attempt.reopened },
  )
}

/**
 * Charges a committed recurring attempt outside any transaction, keyed by the attempt's id, so
 * however often this runs (after a crash, two workers after a lease ran out) money moves at most
 * once; then has the answer recorded by `recorder` (a batcher of recordRenewalOutcomes).
 */
export async function processRenewalAttempt(
  deps: Deps,
  recorder: Batcher<RenewalOutcome, RecordedRenewal>,
  attempt: RenewalAttempt,
  now: number,
): Promise<ProcessedAttempt> {
  try {
    const result = await chargeRenewalAttempt(deps, attempt, now)
    if (result.status === 'unknown') {
      reportChargeError(deps, attempt.kind)
      deps.logger.warn({ attemptId: attempt.attemptId }, 'processor outcome unknown; left open for recovery')
      return { kind: 'unresolved' }
    }
    return { kind: 'recorded', ...(await recorder.add({ attempt, result })) }
  } catch (thrown) {
    const error = coerceError(thrown)
    reportChargeError(deps, attempt.kind)
    deps.logger.error({ err: error, attemptId: attempt.attemptId }, 'recurring attempt failed; recovery will retry it')
    return { kind: 'error', error }
  }
}
