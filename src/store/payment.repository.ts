import type { InvoiceStatus } from '../domain/invoice.js'
import type { StoreAdapter } from './adapter.js'
import type { Executor } from './database.js'
import type { InvoiceRow } from './invoice.repository.js'

/**
 * The payment state of invoices, as the charging engine changes it: the invoice is the unit
 * that takes one payment, so its row is what concurrent payments of it queue on.
 */

/** Reads an invoice and keeps other payments of it waiting until the transaction ends. */
export async function lockInvoice(trx: Executor, adapter: StoreAdapter, invoiceId: number): Promise<InvoiceRow | undefined> {
  return adapter.lockRows(trx.selectFrom('invoices').selectAll().where('id', '=', invoiceId)).executeTakeFirst()
}

/** Marks Pending invoices Paid; returns how many were Pending (a charge recorded after expiry still pays). */
export async function markInvoicesPaid(trx: Executor, invoiceIds: readonly number[], now: number): Promise<number> {
  if (invoiceIds.length === 0) return 0
  const result = await trx
    .updateTable('invoices')
    .set({ status: 'Paid', paid_at: now })
    .where('id', 'in', [...invoiceIds])
    .where('status', '=', 'Pending')
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** Moves the expiry of Pending invoices (a retry or resume keeps the cycle's invoice payable). */
export async function extendPendingInvoices(trx: Executor, invoiceIds: readonly number[], expiresAt: number): Promise<void> {
  if (invoiceIds.length === 0) return
  await trx.updateTable('invoices').set({ expires_at: expiresAt }).where('id', 'in', [...invoiceIds]).where('status', '=', 'Pending').execute()
}

/** The status of an invoice, read inside the caller's transaction. */
export async function invoiceStatusOf(trx: Executor, invoiceId: number): Promise<InvoiceStatus | undefined> {
  const row = await trx.selectFrom('invoices').select('status').where('id', '=', invoiceId).executeTakeFirst()
  return row?.status
}
