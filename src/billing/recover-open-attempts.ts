import type { Merchant } from '../domain/merchant.js'
import type { Deps } from '../services/deps.js'
import { openAttempts } from './open-attempts.js'
import type { PreparedAttempt } from './prepared-attempt.js'

/** Options for {@link claimOpenAttempts}. */
export interface ClaimOpenAttemptsOptions {
  /** The merchant's clock. */
  readonly now: number
  /** Real time; only attempts whose recurrence lease ran out (or never existed) are taken. */
  readonly realNow: number
  readonly limit: number
  readonly leaseMs?: number
  readonly ignoreLeases?: boolean
}

/**
 * The recovery pass: claims attempts left `open` by a worker or an API call that crashed (or
 * is too slow) between committing the attempt and recording its outcome, whatever the
 * recurrence's status now is (a Resume leaves one on an Uncompleted recurrence, a cancel may
 * come while one is in flight). The caller charges them through {@link processAttempt}, which
 * asks the processor's idempotency look-up first: approved or declined is recorded as is, and
 * a charge the processor never received is sent again under the same key.
 */
export async function claimOpenAttempts(
  deps: Deps,
  merchant: Pick<Merchant, 'id'>,
  options: ClaimOpenAttemptsOptions,
): Promise<PreparedAttempt[]> {
  const { realNow, limit } = options
  const leaseUntil = realNow + (options.leaseMs ?? deps.config.billingLeaseMs)
  return deps.store.db.transaction().execute(async (trx) => {
    let query = trx
      .selectFrom('recurrences')
      .selectAll()
      .where('merchant_id', '=', merchant.id)
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('recurrence_attempts')
          .select('recurrence_id')
          .where('merchant_id', '=', merchant.id)
          .where('status', '=', 'open'),
      )
    if (!options.ignoreLeases) {
      query = query.where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', realNow)]))
    }
    query = query.orderBy('id').limit(limit)
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
    return openAttempts(trx, deps, rows, 'reopen', options.now)
  })
}
