import type { Merchant } from '../domain/merchant.js'
import type { Deps } from '../deps.js'
import { leaseRecurrences, type LeaseOptions } from './lease-recurrences.js'
import { openAttempts } from './open-attempts.js'
import type { PreparedAttempt } from './prepared-attempt.js'

/** Options for {@link claimDueAttempts}. */
export interface ClaimDueAttemptsOptions extends LeaseOptions {
  /** The merchant's clock: recurrences due at or before it are claimed. */
  readonly now: number
}

/**
 * Claims up to `limit` Active recurrences of one merchant that are due at `now`, leases them,
 * and opens their attempts, all in one transaction that commits before any processor call.
 *
 * Concurrency: see {@link leaseRecurrences}; the lease then keeps the rows away from other
 * claims until the outcome is recorded (or the lease runs out, after a crash). Per merchant,
 * because each merchant has its own sandbox clock; the index (merchant_id, next_attempt_at)
 * makes this a range scan however many rows are not due.
 */
export async function claimDueAttempts(
  deps: Deps,
  merchant: Pick<Merchant, 'id'>,
  options: ClaimDueAttemptsOptions,
): Promise<PreparedAttempt[]> {
  const { now } = options
  return deps.store.db.transaction().execute(async (trx) => {
    const due = trx
      .selectFrom('recurrences')
      .selectAll()
      .where('merchant_id', '=', merchant.id)
      .where('next_attempt_at', '<=', now)
      .where('status', '=', 'Active')
      .orderBy('next_attempt_at')
    const rows = await leaseRecurrences(trx, deps, due, options)
    return openAttempts(trx, deps, rows, 'automatic', now)
  })
}
