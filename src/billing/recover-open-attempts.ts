import type { Merchant } from '../domain/merchant.js'
import type { Deps } from '../deps.js'
import { leaseRecurrences, type LeaseOptions } from './lease-recurrences.js'
import { openAttempts } from './open-attempts.js'
import type { PreparedAttempt } from './prepared-attempt.js'

/** Options for {@link claimOpenAttempts}. */
export interface ClaimOpenAttemptsOptions extends LeaseOptions {
  /** The merchant's clock. */
  readonly now: number
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
  return deps.store.db.transaction().execute(async (trx) => {
    const withOpenAttempts = trx
      .selectFrom('recurrences')
      .selectAll()
      .where('merchant_id', '=', merchant.id)
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('charge_attempts')
          .select('recurrence_id')
          .where('merchant_id', '=', merchant.id)
          .where('status', '=', 'open'),
      )
      .orderBy('id')
    const rows = await leaseRecurrences(trx, deps, withOpenAttempts, options)
    return openAttempts(trx, deps, rows, 'reopen', options.now)
  })
}
