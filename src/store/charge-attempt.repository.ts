import type { Selectable } from 'kysely'

import type { AttemptStatus, ChargeKind } from '../domain/charge.js'
import type { ChargeAttemptTable, Executor } from './database.js'

/** A `charge_attempts` row as stored. */
export type ChargeAttemptRow = Selectable<ChargeAttemptTable>

/** Filters of {@link listAttempts}; omitted fields match everything. */
export interface AttemptFilter {
  readonly merchantId?: number
  readonly invoiceId?: number
  readonly recurrenceId?: number
  readonly status?: AttemptStatus
  readonly kind?: ChargeKind
}

/** Charge attempts matching `filter`, oldest first (tests and operators' checks). */
export async function listAttempts(db: Executor, filter: AttemptFilter = {}): Promise<ChargeAttemptRow[]> {
  let query = db.selectFrom('charge_attempts').selectAll().orderBy('id')
  if (filter.merchantId !== undefined) query = query.where('merchant_id', '=', filter.merchantId)
  if (filter.invoiceId !== undefined) query = query.where('invoice_id', '=', filter.invoiceId)
  if (filter.recurrenceId !== undefined) query = query.where('recurrence_id', '=', filter.recurrenceId)
  if (filter.status !== undefined) query = query.where('status', '=', filter.status)
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind)
  return query.execute()
}
