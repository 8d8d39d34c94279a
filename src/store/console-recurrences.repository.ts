import type { RecurrenceStatus } from '../domain/recurrence.js'
import type { ConsoleScope, KeysetPage } from './console-scope.js'
import type { Executor } from './database.js'
import type { InvoiceRow } from './invoice.repository.js'
import type { RecurrenceRow } from './recurrence.repository.js'
import type { ChargeAttemptRow } from './charge-attempt.repository.js'
import type { TransactionRow } from './transaction.repository.js'

/** Filters of the console's recurrence list; omitted fields match everything. */
export interface RecurrenceListFilter {
  readonly status?: RecurrenceStatus
  /** Internal id (from a RecurringId). */
  readonly recurrenceId?: number
  /** CustomerReference of the recurrence's first invoice, matched exactly. */
  readonly customerReference?: string
}

/** A line of the recurrence list: the recurrence with its first invoice's customer. */
export interface RecurrenceListRow {
  readonly id: number
  readonly merchant_id: number
  readonly status: RecurrenceStatus
  readonly recurring_type: RecurrenceRow['recurring_type']
  readonly interval_days: number | null
  readonly amount_minor: number
  readonly currency: string
  readonly executed_times: number
  readonly iteration: number
  readonly next_attempt_at: number | null
  readonly created_at: number
  readonly customer_name: string | null
  readonly customer_reference: string | null
}

/**
 * One keyset page of recurrences, newest first. Every shape of the query has an index that
 * serves it in order, so a page costs the same on page 1 and page 20 000 (bench/console):
 * (merchant_id, id), (merchant_id, status, id), (status, id), the primary key, and for a
 * CustomerReference the invoice indexes on customer_reference then recurrences_initial_invoice.
 */
export async function listConsoleRecurrences(
  db: Executor,
  scope: ConsoleScope,
  filter: RecurrenceListFilter,
  page: KeysetPage,
): Promise<RecurrenceListRow[]> {
  let query = db
    .selectFrom('recurrences')
    .innerJoin('invoices', 'invoices.id', 'recurrences.initial_invoice_id')
    .select([
      'recurrences.id',
      'recurrences.merchant_id',
      'recurrences.status',
      'recurrences.recurring_type',
      'recurrences.interval_days',
      'recurrences.amount_minor',
      'recurrences.currency',
      'recurrences.executed_times',
      'recurrences.iteration',
      'recurrences.next_attempt_at',
      'recurrences.created_at',
      'invoices.customer_name',
      'invoices.customer_reference',
    ])
  if (scope.merchantId !== null) query = query.where('recurrences.merchant_id', '=', scope.merchantId)
  if (filter.status !== undefined) query = query.where('recurrences.status', '=', filter.status)
  if (filter.recurrenceId !== undefined) query = query.where('recurrences.id', '=', filter.recurrenceId)
  if (filter.customerReference !== undefined) {
    query = query.where('invoices.customer_reference', '=', filter.customerReference)
    if (scope.merchantId !== null) query = query.where('invoices.merchant_id', '=', scope.merchantId)
  }
  if (page.beforeId !== undefined) query = query.where('recurrences.id', '<', page.beforeId)
  return query.orderBy('recurrences.id', 'desc').limit(page.limit).execute()
}

/** A recurrence in scope, or undefined (another merchant's looks like an unknown one). */
export async function findScopedRecurrence(db: Executor, scope: ConsoleScope, id: number): Promise<RecurrenceRow | undefined> {
  let query = db.selectFrom('recurrences').selectAll().where('id', '=', id)
  if (scope.merchantId !== null) query = query.where('merchant_id', '=', scope.merchantId)
  return query.executeTakeFirst()
}

/** Everything that happened to a recurrence: its invoices, their transactions and every charge attempt. */
export interface RecurrenceHistory {
  readonly invoices: InvoiceRow[]
  readonly transactions: TransactionRow[]
  readonly attempts: ChargeAttemptRow[]
}

/** The history of one recurrence (already scoped by {@link findScopedRecurrence}), oldest first. */
export async function loadRecurrenceHistory(db: Executor, recurrence: Pick<RecurrenceRow, 'id' | 'initial_invoice_id' | 'merchant_id'>): Promise<RecurrenceHistory> {
  const invoices = await db
    .selectFrom('invoices')
    .selectAll()
    .where('merchant_id', '=', recurrence.merchant_id)
    .where((eb) => eb.or([eb('recurrence_id', '=', recurrence.id), eb('id', '=', recurrence.initial_invoice_id)]))
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  const invoiceIds = invoices.map((invoice) => invoice.id)
  const transactions =
    invoiceIds.length === 0
      ? []
      : await db.selectFrom('transactions').selectAll().where('invoice_id', 'in', invoiceIds).orderBy('created_at').orderBy('id').execute()
  // Every attempt names the invoice it pays (a renewal its cycle's), so the invoices find them all.
  const attempts =
    invoiceIds.length === 0
      ? []
      : await db.selectFrom('charge_attempts').selectAll().where('invoice_id', 'in', invoiceIds).orderBy('created_at').orderBy('id').execute()
  return { invoices, transactions, attempts }
}
