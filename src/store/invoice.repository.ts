import type { Kysely, Selectable, Transaction } from 'kysely'

import type { Database, InvoiceTable, TransactionTable } from './database.js'

/** An invoice row as stored. */
export type InvoiceRow = Selectable<InvoiceTable>
/** A transaction row as stored. */
export type TransactionRow = Selectable<TransactionTable>

/** A database handle or an open transaction. */
export type Executor = Kysely<Database> | Transaction<Database>

/** An invoice of this merchant by internal id; another merchant's invoice is not found. */
export async function findInvoice(db: Executor, merchantId: number, invoiceId: number): Promise<InvoiceRow | undefined> {
  return db.selectFrom('invoices').selectAll().where('id', '=', invoiceId).where('merchant_id', '=', merchantId).executeTakeFirst()
}

/** An invoice by its URL key (hosted pages: the key is the credential). */
export async function findInvoiceByKey(db: Executor, invoiceKey: string): Promise<InvoiceRow | undefined> {
  return db.selectFrom('invoices').selectAll().where('invoice_key', '=', invoiceKey).executeTakeFirst()
}

/** The newest invoice of this merchant with a CustomerReference. */
export async function findInvoiceByCustomerReference(
  db: Executor,
  merchantId: number,
  customerReference: string,
): Promise<InvoiceRow | undefined> {
  return db
    .selectFrom('invoices')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('customer_reference', '=', customerReference)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
}

/** A transaction of this merchant by internal id. */
export async function findTransaction(db: Executor, merchantId: number, transactionId: number): Promise<TransactionRow | undefined> {
  return db
    .selectFrom('transactions')
    .selectAll()
    .where('id', '=', transactionId)
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst()
}

/** Every transaction of an invoice, oldest first. */
export async function listTransactions(db: Executor, invoiceId: number): Promise<TransactionRow[]> {
  return db.selectFrom('transactions').selectAll().where('invoice_id', '=', invoiceId).orderBy('id').execute()
}
