import type { Merchant } from '../domain/merchant.js'
import type { Deps } from '../deps.js'
import { openRenewalAttempts } from '../charging/open-renewal-attempts.js'
import type { RenewalAttempt } from '../charging/renewal-attempt.js'
import { claimRecurrences } from '../store/recurrence.repository.js'

/** How a claim leases the recurrences it takes. */
export interface ClaimOptions {
  /** The merchant's clock: recurrences due at or before it are claimed. */
  readonly now: number
  /** Real time (no sandbox offset): leases are about live workers, not about billing dates. */
  readonly realNow: number
  /** Most recurrences taken at once. */
  readonly limit: number
  /** How long the claim keeps other workers off. Default is the `billingLeaseMs` setting. */
  readonly leaseMs?: number
  /**
   * Also take rows another worker leased. Safe, because attempts are idempotent and recorded at
   * most once, but wasteful; the sandbox clock uses it only when a lease outlives its patience.
   */
  readonly ignoreLeases?: boolean
}

/**
 * What a billing pass claims, in one transaction that commits before any processor call:
 * - `due`: up to `limit` Active recurrences of the merchant due at `now`, leased, with their
 *   attempts opened (the index (merchant_id, next_attempt_at) makes this a range scan);
 * - `open`: the recovery pass, recurrences with an attempt left open by a process that crashed
 *   (or is too slow) between committing the attempt and recording its outcome, whatever their
 *   status now; their attempts are charged again, the processor's look-up asked first.
 * Concurrent workers pass over each other's rows (the store adapter's claim) and leased rows.
 */
export async function claimAttempts(
  deps: Deps,
  merchant: Pick<Merchant, 'id'>,
  which: 'due' | 'open',
  options: ClaimOptions,
): Promise<RenewalAttempt[]> {
  const attempts = await deps.store.db.transaction().execute(async (trx) => {
    const rows = await claimRecurrences(trx, deps.store.adapter, which === 'due' ? { kind: 'due', now: options.now } : { kind: 'with-open-attempts' }, {
      merchantId: merchant.id,
      realNow: options.realNow,
      leaseUntil: options.realNow + (options.leaseMs ?? deps.config.billingLeaseMs),
      limit: options.limit,
      ignoreLeases: options.ignoreLeases,
    })
    return openRenewalAttempts(trx, deps, rows, which === 'due' ? 'automatic' : 'reopen', options.now)
  })
  // An attempt found open was left by a worker whose lease ran out: this one takes it over.
  for (const attempt of attempts) if (attempt.reopened) deps.telemetry.attemptLeaseExpired()
  return attempts
}
