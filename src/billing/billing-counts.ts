import type { ProcessedAttempt } from '../charging/process-renewal-attempt.js'
import type { RenewalAttempt } from '../charging/renewal-attempt.js'

/** What a billing run did, for logs and the sandbox clock's answer. */
export interface BillingCounts {
  /** Charge attempts whose outcome was recorded (first attempts, retries and recovered ones). */
  charges: number
  approved: number
  declined: number
  /** Recorded attempts that were retries of a failed cycle (attempt number > 0). */
  retries: number
  /** Recurrences whose status changed (e.g. Active → Completed or Uncompleted). */
  statusChanges: number
  /** Attempts left open (no answer) or failed with an error; recovery picks them up. */
  unresolved: number
  errors: number
  /** Attempts this run charged that another process recorded first (a lease taken over): progress, but not this run's charges. */
  recordedElsewhere: number
  /** Customer payments left open by a process that died, settled by this run. */
  customerRecovered: number
}

/** Counts at zero. */
export function emptyCounts(): BillingCounts {
  return { charges: 0, approved: 0, declined: 0, retries: 0, statusChanges: 0, unresolved: 0, errors: 0, recordedElsewhere: 0, customerRecovered: 0 }
}

/** Adds one processed attempt to `counts`. */
export function countAttempt(counts: BillingCounts, attempt: RenewalAttempt, processed: ProcessedAttempt): void {
  if (processed.kind === 'error') counts.errors++
  else if (processed.kind === 'unresolved') counts.unresolved++
  else if (!processed.recorded) counts.recordedElsewhere++
  else {
    counts.charges++
    if (processed.outcome === 'approved') counts.approved++
    else counts.declined++
    if (attempt.attemptNumber > 0) counts.retries++
    if (processed.statusBefore !== processed.statusAfter) counts.statusChanges++
  }
}

/** Adds `more` into `into`. */
export function addCounts(into: BillingCounts, more: BillingCounts): void {
  for (const key of Object.keys(into) as Array<keyof BillingCounts>) into[key] += more[key]
}
