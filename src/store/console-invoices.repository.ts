import type { InvoiceStatus } from '../domain/invoice.js'
import type { ConsoleScope, KeysetPage } from './console-scope.js'
import type { AuthorizationUpdateRow } from './authorization-update.repository.js'
import type { ChargeAttemptRow } from './charge-attempt.repository.js'
import type { Executor } from './database.js'
import { listTransactionsWithCards, type InvoiceRow, type TransactionWithCard } from './invoice.repository.js'
import type { RefundRow } from './refund.repository.js'

/** Filters of the console's invoice list; omitted fields match everything. */
export interface InvoiceListFilter {
  readonly status?: InvoiceStatus
  /** Internal id (from an InvoiceId). */
  readonly invoiceId?: number
  /** Internal id of one of its transactions (from a PaymentId). */
  readonly transactionId?: number
  readonly customerReference?: string
}

/** A line of the invoice list. */
export type InvoiceListRow = Pick<
  InvoiceRow,
  'id' | 'merchant_id' | 'status' | 'value_minor' | 'currency' | 'customer_name' | 'customer_reference' | 'recurrence_id' | 'created_at' | 'paid_at'
>

/** One keyset page of invoices, newest first ((merchant_id, id) index; primary key for the operator). */
export async function listConsoleInvoices(db: Executor, scope: ConsoleScope, filter: InvoiceListFilter, page: KeysetPage): Promise<InvoiceListRow[]> {
  let query = db
    .selectFrom('invoices')
    .select(['id', 'merchant_id', 'status', 'value_minor', 'currency', 'customer_name', 'customer_reference', 'recurrence_id', 'created_at', 'paid_at'])
  if (scope.merchantId !== null) query = query.where('merchant_id', '=', scope.merchantId)
  if (filter.status !== undefined) query = query.where('status', '=', filter.status)
  if (filter.invoiceId !== undefined) query = query.where('id', '=', filter.invoiceId)
  if (filter.customerReference !== undefined) query = query.where('customer_reference', '=', filter.customerReference)
  if (filter.transactionId !== undefined) {
    const transactionId = filter.transactionId
    query = query.where('id', 'in', (eb) => eb.selectFrom('transactions').select('invoice_id').where('id', '=', transactionId))
  }
  if (page.beforeId !== undefined) query = query.where('id', '<', page.beforeId)
  return query.orderBy('id', 'desc').limit(page.limit).execute()
}

/** An invoice in scope, or undefined. */
export async function findScopedInvoice(db: Executor, scope: ConsoleScope, id: number): Promise<InvoiceRow | undefined> {
  let query = db.selectFrom('invoices').selectAll().where('id', '=', id)
  if (scope.merchantId !== null) query = query.where('merchant_id', '=', scope.merchantId)
  return query.executeTakeFirst()
}

/** An invoice's payments and what was done to them, oldest first. */
export interface InvoiceHistory {
  readonly transactions: TransactionWithCard[]
  readonly attempts: ChargeAttemptRow[]
  readonly refunds: RefundRow[]
  readonly authorizationUpdates: AuthorizationUpdateRow[]
}

/** The history of an invoice already found in scope. */
export async function loadInvoiceHistory(db: Executor, invoice: Pick<InvoiceRow, 'id' | 'merchant_id'>): Promise<InvoiceHistory> {
  const transactions = await listTransactionsWithCards(db, invoice.id)
  const attempts = await db.selectFrom('charge_attempts').selectAll().where('invoice_id', '=', invoice.id).orderBy('created_at').orderBy('id').execute()
  const refunds = await db
    .selectFrom('refunds')
    .selectAll()
    .where('invoice_id', '=', invoice.id)
    .where('merchant_id', '=', invoice.merchant_id)
    .orderBy('id')
    .execute()
  const authorizationUpdates = await db
    .selectFrom('authorization_updates')
    .selectAll()
    .where('invoice_id', '=', invoice.id)
    .where('merchant_id', '=', invoice.merchant_id)
    .orderBy('id')
    .execute()
  return { transactions, attempts, refunds, authorizationUpdates }
}
