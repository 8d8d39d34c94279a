import type { Merchant } from '../domain/merchant.js'
import type { Deps } from '../services/deps.js'
import { openAttempts } from './open-attempts.js'
import type { PreparedAttempt } from './prepared-attempt.js'

/** Options for {@link claimDueAttempts}. */
export interface ClaimDueAttemptsOptions {
  /** The merchant's clock: recurrences due at or before it are claimed. */
  readonly now: number
  /** Real time (no sandbox offset): leases are about live workers, not about billing dates. */
  readonly realNow: number
  /** Most recurrences claimed at once. */
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
 * Claims up to `limit` Active recurrences of one merchant that are due at `now`, leases them,
 * and opens their attempts, all in one transaction that commits before any processor call.
 *
 * Concurrency: on PostgreSQL the rows are selected `FOR UPDATE SKIP LOCKED`, so concurrent
 * workers split the due set instead of queueing behind each other; the lease then keeps the
 * rows away from other claims until the outcome is recorded (or the lease runs out, after a
 * crash). SQLite runs one transaction at a time per process, which serialises claims alike.
 * Per merchant, because each merchant has its own sandbox clock; the index
 * (merchant_id, next_attempt_at) makes this a range scan however many rows are not due.
 */
export async function claimDueAttempts(
  deps: Deps,
  merchant: Pick<Merchant, 'id'>,
  options: ClaimDueAttemptsOptions,
): Promise<PreparedAttempt[]> {
  const { now, realNow, limit } = options
  const leaseUntil = realNow + (options.leaseMs ?? deps.config.billingLeaseMs)
  return deps.store.db.transaction().execute(async (trx) => {
    let query = trx
      .selectFrom('recurrences')
      .selectAll()
      .where('merchant_id', '=', merchant.id)
      .where('next_attempt_at', '<=', now)
      .where('status', '=', 'Active')
    if (!options.ignoreLeases) {
      query = query.where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', realNow)]))
    }
    query = query.orderBy('next_attempt_at').limit(limit)
    if (deps.store.capabilities.skipLocked) {
      query = options.ignoreLeases ? query.forUpdate() : query.forUpdate().skipLocked()
    }
    const rows = await query.execute()
    if (rows.length === 0) return []
    await trx
      .updateTable('recurrences')
      .set({ lease_until: leaseUntil })
      .where(
        'id',
        'in',
        rows.map((row) => row.id),
      )
      .execute()
    return openAttempts(trx, deps, rows, 'automatic', now)
  })
}
