import type { Insertable, Selectable } from 'kysely'

import { CARD_DISPLAY_COLUMNS } from './card-token.repository.js'
import type { CardTokenTable, Executor, InvoiceTable, TransactionTable } from './database.js'
import type { TransactionRow } from './transaction.repository.js'

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

/** Inserts one invoice (with {@link insertInvoices}); its id and key. */
export async function insertInvoice(db: Executor, invoice: NewInvoice): Promise<{ id: number; invoice_key: string }> {
  const [row] = await insertInvoices(db, [invoice])
  if (!row) throw new Error('The invoice was not inserted')
  return row
}

/** Makes an invoice the invoice of cycle `cycle` of a recurrence (0: its initial invoice). */
export async function linkInvoiceToRecurrence(db: Executor, invoiceId: number, recurrenceId: number, cycle: number): Promise<void> {
  await db.updateTable('invoices').set({ recurrence_id: recurrenceId, recurrence_cycle: cycle }).where('id', '=', invoiceId).execute()
}

/** Sets when an invoice stops taking payments. */
export async function setInvoiceExpiry(db: Executor, invoiceKey: string, expiresAt: number): Promise<void> {
  await db.updateTable('invoices').set({ expires_at: expiresAt }).where('invoice_key', '=', invoiceKey).execute()
}

/** The card columns shown with a transaction (never the number itself). */
export type TransactionCard = Pick<
  CardTokenTable,
  'masked_number' | 'brand' | 'issuer' | 'expiry_month' | 'expiry_year' | 'holder_name' | 'pan_hash' | 'token' | 'purpose'
>

/** A transaction with the card it was paid with, if any. */
export type TransactionWithCard = TransactionRow & { card: TransactionCard | null }

/** The transactions of an invoice with the display facts of their cards, oldest first. */
export async function listTransactionsWithCards(db: Executor, invoiceId: number): Promise<TransactionWithCard[]> {
  const rows = await db
    .selectFrom('transactions')
    .leftJoin('card_tokens', 'card_tokens.id', 'transactions.card_token_id')
    .selectAll('transactions')
    .select(CARD_DISPLAY_COLUMNS)
    .where('transactions.invoice_id', '=', invoiceId)
    .orderBy('transactions.id')
    .execute()
  return rows.map(({ masked_number, brand, issuer, expiry_month, expiry_year, holder_name, pan_hash, token, purpose, ...transaction }) => ({
    ...transaction,
    card:
      masked_number === null
        ? null
        : {
            masked_number,
            brand: brand ?? '',
            issuer: issuer ?? '',
            expiry_month: expiry_month ?? '',
            expiry_year: expiry_year ?? '',
            holder_name,
            pan_hash: pan_hash ?? '',
            token: token ?? '',
            purpose: purpose ?? 'session',
          },
  }))
}
