import type { ExpressionBuilder, Insertable } from 'kysely'

import type { RecurrenceStatus } from '../domain/recurrence.js'
import type { Database, Executor, RecurrenceTable } from './database.js'
import type { InvoiceRow } from './invoice.repository.js'
import type { RecurrenceRow } from './recurrence.repository.js'

/**
 * Recurring payments as the API shows them: recurrences with their automatic invoices
 * (GetRecurringPayment), and the Draft recurrence ExecutePayment creates. The billing engine's
 * reads and writes are in recurrence.repository.ts.
 */

/** Which recurrences of a merchant to read; omitted fields match everything. */
export interface RecurrenceFilter {
  readonly merchantId: number
  readonly recurrenceId?: number
  readonly status?: RecurrenceStatus
}

function matching(filter: RecurrenceFilter) {
  return (eb: ExpressionBuilder<Database, 'recurrences'>) =>
    eb.and([
      eb('merchant_id', '=', filter.merchantId),
      ...(filter.recurrenceId === undefined ? [] : [eb('id', '=', filter.recurrenceId)]),
      ...(filter.status === undefined ? [] : [eb('status', '=', filter.status)]),
    ])
}

/**
 * Up to `limit` matching recurrences with ids above `afterId`, in id order: keyset pagination on
 * (merchant_id, id), so every row can be visited with flat memory.
 */
export async function listRecurrencesAfter(db: Executor, filter: RecurrenceFilter, afterId: number, limit: number): Promise<RecurrenceRow[]> {
  return db.selectFrom('recurrences').selectAll().where(matching(filter)).where('id', '>', afterId).orderBy('id').limit(limit).execute()
}

/** One page of matching recurrences in id order, by offset. */
export async function listRecurrencesPage(
  db: Executor,
  filter: RecurrenceFilter,
  page: { readonly limit: number; readonly offset: number },
): Promise<RecurrenceRow[]> {
  // The offset is walked on ids alone (an index-only scan of (merchant_id[, status], id)), and
  // only the page's rows are read: deep pages of a million rows stay fast.
  const pageIds = db.selectFrom('recurrences').select('id').where(matching(filter)).orderBy('id').limit(page.limit).offset(page.offset)
  return db.selectFrom('recurrences').selectAll().where('id', 'in', pageIds).orderBy('id').execute()
}

/** The columns of an automatic invoice that GetRecurringPayment lists. */
export type CycleInvoiceRow = Pick<
  InvoiceRow,
  'id' | 'recurrence_id' | 'customer_reference' | 'customer_name' | 'customer_mobile' | 'mobile_country_code' | 'created_at' | 'status'
>

/** The automatic invoices (cycle 1 and later) of some recurrences, in id order. */
export async function listCycleInvoices(db: Executor, recurrenceIds: readonly number[]): Promise<CycleInvoiceRow[]> {
  if (recurrenceIds.length === 0) return []
  return db
    .selectFrom('invoices')
    .select(['id', 'recurrence_id', 'customer_reference', 'customer_name', 'customer_mobile', 'mobile_country_code', 'created_at', 'status'])
    .where('recurrence_id', 'in', [...recurrenceIds])
    .where('recurrence_cycle', '>=', 1)
    .orderBy('id')
    .execute()
}

/** When the earliest attempt of a merchant's Active recurrences falls, if one is due by `until`. */
export async function findNextAttemptDue(db: Executor, merchantId: number, until: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('recurrences')
    .select((eb) => eb.fn.min('next_attempt_at').as('due'))
    .where('merchant_id', '=', merchantId)
    .where('next_attempt_at', '<=', until)
    .where('status', '=', 'Active')
    .executeTakeFirst()
  return row?.due === null || row?.due === undefined ? undefined : Number(row.due)
}
