import type SqliteDatabase from 'better-sqlite3'

import { createBatcher, type Batcher } from './batcher.js'
import type { Store } from './create-database.js'
import type { InvoiceTable, RecurrenceTable } from './database.js'
import type { NewInvoice } from './invoice.repository.js'

/**
 * The write of an ExecutePayment without a SessionId — an invoice and, with a RecurringModel,
 * its Draft recurrence — as the hottest path of the API: its SQL is written once here instead of
 * being built by Kysely on every request, and it is atomic in the cheapest way each database has:
 * - SQLite: a synchronous better-sqlite3 transaction of prepared statements, run while holding
 *   Kysely's connection (so it never lands inside another flow's open transaction). Requests
 *   arriving in the same turn of the event loop share one transaction (group commit: the WAL
 *   pages of the invoices table and its indexes are written once per batch, not per request);
 *   a batch that fails is written again one request at a time (store/batcher.ts), so one bad
 *   row cannot fail the others. Each caller hears back only after the commit of its batch;
 * - PostgreSQL: ONE named (server-side prepared) statement in autocommit — a plain INSERT, or,
 *   with a recurrence, data-modifying CTEs that take both ids from their sequences first.
 */

/** The columns of a new Draft recurrence (its initial invoice is the one inserted with it). */
export type NewDraftRecurrence = Omit<RecurrenceTable, 'id' | 'initial_invoice_id'>

/** Ids of what {@link insertPaymentInvoice} wrote. */
export interface InsertedPaymentInvoice {
  readonly invoiceId: number
  readonly recurrenceId: number | null
}

/** Every insertable invoice column but the ids of the recurrence link (and the reference number its trigger sets), in statement order. */
/** Columns the database fills: the key and the per-merchant reference number (migration 0011). */
type SetByDatabase = 'id' | 'reference_number'

const INVOICE_COLUMNS = [
  'merchant_id', 'invoice_key', 'status', 'value_minor', 'currency', 'display_currency', 'payment_method_id', 'session_id',
  'customer_name', 'customer_mobile', 'mobile_country_code', 'customer_email', 'customer_reference', 'customer_civil_id',
  'user_defined_field', 'language', 'callback_url', 'error_url', 'webhook_url', 'customer_address', 'items',
  'shipping_method', 'shipping_consignee', 'suppliers', 'processing_details', 'invoice_payment_methods', 'expires_at',
  'created_at', 'paid_at',
] as const satisfies ReadonlyArray<Exclude<keyof InvoiceTable, SetByDatabase | 'recurrence_id' | 'recurrence_cycle'>>

const RECURRENCE_COLUMNS = [
  'merchant_id', 'status', 'recurring_type', 'interval_days', 'iteration', 'retry_count', 'amount_minor', 'currency',
  'anchor_date', 'card_token_id', 'executed_times', 'next_cycle', 'failed_attempts', 'next_attempt_at', 'last_pay_at',
  'lease_until', 'created_at', 'updated_at',
] as const satisfies ReadonlyArray<keyof NewDraftRecurrence>

// A type check that the lists name every column: adding one to the tables fails to compile here.
type Missing<All, Listed> = Exclude<keyof All, Listed>
const invoiceColumnsComplete: Missing<Omit<InvoiceTable, SetByDatabase | 'recurrence_id' | 'recurrence_cycle'>, (typeof INVOICE_COLUMNS)[number]> extends never ? true : never = true
const recurrenceColumnsComplete: Missing<NewDraftRecurrence, (typeof RECURRENCE_COLUMNS)[number]> extends never ? true : never = true
void invoiceColumnsComplete
void recurrenceColumnsComplete

type SqlValue = string | number | null


function invoiceValues(invoice: NewInvoice): SqlValue[] {
  return INVOICE_COLUMNS.map((column) => (invoice[column] ?? null) as SqlValue)
}

function recurrenceValues(recurrence: NewDraftRecurrence): SqlValue[] {
  return RECURRENCE_COLUMNS.map((column) => (recurrence[column] ?? null) as SqlValue)
}

/** Writes a new invoice and, when given, its Draft recurrence (cycle 0 is the invoice), atomically. */
export async function insertPaymentInvoice(
  store: Store,
  invoice: NewInvoice,
  recurrence: NewDraftRecurrence | null,
): Promise<InsertedPaymentInvoice> {
  const native = store.native
  if (native.dialect === 'sqlite') {
    return sqliteWriter(store, native.sqlite).add({ invoice, recurrence })
  }
  if (recurrence === null) {
    const { rows } = await native.pool.query<{ id: number }>({ name: 'dawri_insert_payment_invoice', text: PG_INSERT_INVOICE, values: invoiceValues(invoice) })
    const row = rows[0]
    if (!row) throw new Error('The invoice was not inserted')
    return { invoiceId: Number(row.id), recurrenceId: null }
  }
  const { rows } = await native.pool.query<{ invoice_id: number; recurrence_id: number }>({
    name: 'dawri_insert_recurring_payment_invoice',
    text: PG_INSERT_RECURRING_INVOICE,
    values: [...invoiceValues(invoice), ...recurrenceValues(recurrence)],
  })
  const row = rows[0]
  if (!row) throw new Error('The invoice and its recurrence were not inserted')
  return { invoiceId: Number(row.invoice_id), recurrenceId: Number(row.recurrence_id) }
}

const placeholders = (count: number, from = 1): string => Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ')

// The merchant's next invoice number, drawn here so the numbering trigger (migration 0011) is skipped.
const PG_NEXT_INVOICE_NUMBER = `nextval(format('dawri_ref_%s_invoice', $1::bigint)::regclass)`

const PG_INSERT_INVOICE = `INSERT INTO invoices (${INVOICE_COLUMNS.join(', ')}, reference_number)
VALUES (${placeholders(INVOICE_COLUMNS.length)}, ${PG_NEXT_INVOICE_NUMBER}) RETURNING id`

// nextval() in a CTE referenced twice runs once (volatile CTEs are materialised).
const PG_INSERT_RECURRING_INVOICE = `WITH ids AS (
  SELECT nextval('invoices_id_seq') AS invoice_id, nextval('recurrences_id_seq') AS recurrence_id
), recurrence AS (
  INSERT INTO recurrences (id, initial_invoice_id, ${RECURRENCE_COLUMNS.join(', ')})
  VALUES ((SELECT recurrence_id FROM ids), (SELECT invoice_id FROM ids), ${placeholders(RECURRENCE_COLUMNS.length, INVOICE_COLUMNS.length + 1)})
), invoice AS (
  INSERT INTO invoices (id, recurrence_id, recurrence_cycle, ${INVOICE_COLUMNS.join(', ')}, reference_number)
  VALUES ((SELECT invoice_id FROM ids), (SELECT recurrence_id FROM ids), 0, ${placeholders(INVOICE_COLUMNS.length)}, ${PG_NEXT_INVOICE_NUMBER})
)
SELECT invoice_id, recurrence_id FROM ids`

interface PaymentInvoiceWrite {
  readonly invoice: NewInvoice
  readonly recurrence: NewDraftRecurrence | null
}

/** Most requests committed together. */
const SQLITE_MAX_BATCH = 64

const sqliteWriters = new WeakMap<SqliteDatabase.Database, Batcher<PaymentInvoiceWrite, InsertedPaymentInvoice>>()

function sqliteWriter(store: Store, sqlite: SqliteDatabase.Database): Batcher<PaymentInvoiceWrite, InsertedPaymentInvoice> {
  const known = sqliteWriters.get(sqlite)
  if (known) return known
  const statements = sqliteStatements(sqlite)
  // Holding Kysely's only connection: no other flow is between its BEGIN and COMMIT now.
  const writer = createBatcher((writes: readonly PaymentInvoiceWrite[]) => store.db.connection().execute(async () => statements.write(writes)), {
    maxBatch: SQLITE_MAX_BATCH,
    parallel: 1,
  })
  sqliteWriters.set(sqlite, writer)
  return writer
}

interface SqliteStatements {
  /** Writes every item in one transaction; their ids in order. */
  write(writes: readonly PaymentInvoiceWrite[]): InsertedPaymentInvoice[]
}

function sqliteStatements(sqlite: SqliteDatabase.Database): SqliteStatements {
  const insertInvoice = sqlite.prepare(`INSERT INTO invoices (${INVOICE_COLUMNS.join(', ')}) VALUES (${INVOICE_COLUMNS.map(() => '?').join(', ')})`)
  const insertRecurrence = sqlite.prepare(
    `INSERT INTO recurrences (initial_invoice_id, ${RECURRENCE_COLUMNS.join(', ')}) VALUES (?, ${RECURRENCE_COLUMNS.map(() => '?').join(', ')})`,
  )
  const link = sqlite.prepare('UPDATE invoices SET recurrence_id = ?, recurrence_cycle = 0 WHERE id = ?')
  const writeOne = ({ invoice, recurrence }: PaymentInvoiceWrite): InsertedPaymentInvoice => {
    const invoiceId = Number(insertInvoice.run(invoiceValues(invoice)).lastInsertRowid)
    if (recurrence === null) return { invoiceId, recurrenceId: null }
    const recurrenceId = Number(insertRecurrence.run([invoiceId, ...recurrenceValues(recurrence)]).lastInsertRowid)
    link.run(recurrenceId, invoiceId)
    return { invoiceId, recurrenceId }
  }
  const writeAll = sqlite.transaction((writes: readonly PaymentInvoiceWrite[]) => writes.map(writeOne))
  return {
    write(writes) {
      // better-sqlite3 would nest this in an open transaction as a savepoint: refuse instead.
      if (sqlite.inTransaction) throw new Error('insertPaymentInvoice found the SQLite connection inside a transaction')
      return writeAll(writes)
    },
  }
}
