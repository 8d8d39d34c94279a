import type { Selectable } from 'kysely'

import type { Executor, TransactionTable } from './database.js'

/** A transaction row as stored. */
export type TransactionRow = Selectable<TransactionTable>

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
