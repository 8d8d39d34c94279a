import { coerceError } from '../domain/errors.js'
import type { Deps } from '../deps.js'
import type { Batcher } from '../store/batcher.js'
import { chargeAttempt } from './charge-attempt.js'
import type { PreparedAttempt } from './prepared-attempt.js'
import type { AttemptOutcome, RecordedOutcome } from './record-attempt-outcome.js'

/** How one attempt ended for the caller. */
export type ProcessedAttempt =
  | ({ readonly kind: 'recorded' } & RecordedOutcome)
  /** The processor gave no answer, not even through its look-up: the attempt stays open. */
  | { readonly kind: 'unresolved' }
  /** Something failed (database, bug); logged, the lease will hand the attempt to recovery. */
  | { readonly kind: 'error'; readonly error: Error }

/** Charges a committed attempt, outside any transaction, then has the answer recorded. */
export async function processAttempt(
  deps: Deps,
  recorder: Batcher<AttemptOutcome, RecordedOutcome>,
  attempt: PreparedAttempt,
  now: number,
): Promise<ProcessedAttempt> {
  try {
    const result = await chargeAttempt(deps, attempt, now)
    if (result.status === 'unknown') {
      deps.logger.warn({ attemptId: attempt.attemptId }, 'processor outcome unknown; left open for recovery')
      return { kind: 'unresolved' }
    }
    return { kind: 'recorded', ...(await recorder.add({ attempt, result })) }
  } catch (thrown) {
    const error = coerceError(thrown)
    deps.logger.error({ err: error, attemptId: attempt.attemptId }, 'billing attempt failed; recovery will retry it')
    return { kind: 'error', error }
  }
}
