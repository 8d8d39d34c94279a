import type { SelectQueryBuilder, Transaction } from 'kysely'

import type { Deps } from '../deps.js'
import type { Database } from '../store/database.js'
import type { RecurrenceRow } from '../store/recurrence.repository.js'

/** How a claim leases the rows it takes. */
export interface LeaseOptions {
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
 * Takes up to `limit` rows of `candidates` (a filtered, ordered select of recurrences) whose
 * lease is free, locks them (`FOR UPDATE SKIP LOCKED` where the database has it, so concurrent
 * workers split the rows instead of queueing; SQLite runs one transaction at a time anyway),
 * and leases them inside `trx`.
 */
export async function leaseRecurrences(
  trx: Transaction<Database>,
  deps: Deps,
  candidates: SelectQueryBuilder<Database, 'recurrences', RecurrenceRow>,
  options: LeaseOptions,
): Promise<RecurrenceRow[]> {
  const { realNow } = options
  let query = candidates.limit(options.limit)
  if (!options.ignoreLeases) {
    query = query.where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', realNow)]))
  }
  query = options.ignoreLeases ? deps.store.adapter.lockRows(query) : deps.store.adapter.claimRows(query)
  const rows = await query.execute()
  if (rows.length === 0) return []
  await trx
    .updateTable('recurrences')
    .set({ lease_until: realNow + (options.leaseMs ?? deps.config.billingLeaseMs) })
    .where(
      'id',
      'in',
      rows.map((row) => row.id),
    )
    .execute()
  return rows
}
