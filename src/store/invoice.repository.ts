import type { Insertable, Selectable } from 'kysely'

import type { Executor, InvoiceTable } from './database.js'

/** An invoice row as stored. */
export type InvoiceRow = Selectable<InvoiceTable>

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

/** The columns of a new invoice. */
export type NewInvoice = Insertable<InvoiceTable>

/** Inserts invoices with one statement; their ids and keys, in the order given. */
export async function insertInvoices(db: Executor, invoices: readonly NewInvoice[]): Promise<Array<{ id: number; invoice_key: string }>> {
  if (invoices.length === 0) return []
  const rows = await db.insertInto('invoices').values([...invoices]).returning(['id', 'invoice_key']).execute()
  const byKey = new Map(rows.map((row) => [row.invoice_key, row]))
  return invoices.map((invoice) => {
    const row = byKey.get(invoice.invoice_key)
    if (!row) throw new Error('An inserted invoice came back without its key')
    return row
  })
}
