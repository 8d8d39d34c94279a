import type { Insertable, Selectable } from 'kysely'

import type { KnownChargeResult } from '../domain/charge.js'
import { paymentErrorMessage } from '../domain/payment-errors.js'
import type { Executor, TransactionTable } from './database.js'
import { valueById } from './sql-cases.js'

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

/** The columns of a new transaction. */
export type NewTransaction = Insertable<TransactionTable>

/** What a new transaction must say; everything about its charge starts empty. */
export type UnchargedTransaction = Pick<
  NewTransaction,
  'invoice_id' | 'merchant_id' | 'channel' | 'payment_method_id' | 'gateway' | 'amount_minor' | 'currency' | 'card_token_id' | 'ip_address' | 'created_at'
> &
  Partial<Pick<NewTransaction, 'attempt_id' | 'save_card' | 'status'>>

/** A new InProgress transaction, not charged yet (no outcome, no TrackId, no attempt unless given). */
export function unchargedTransaction(values: UnchargedTransaction): NewTransaction {
  return {
    status: 'InProgress',
    error_code: null,
    error_message: null,
    reference_id: null,
    track_id: null,
    authorization_id: null,
    attempt_id: null,
    updated_at: values.created_at,
    ...values,
  }
}

/** Inserts one transaction; its row. */
export async function insertTransaction(db: Executor, transaction: NewTransaction): Promise<TransactionRow> {
  const [row] = await insertTransactions(db, [transaction])
  if (!row) throw new Error('The transaction was not inserted')
  return row
}

/** Inserts transactions with one statement; the rows (match them by a column, not by position). */
export async function insertTransactions(db: Executor, transactions: readonly NewTransaction[]): Promise<TransactionRow[]> {
  if (transactions.length === 0) return []
  const rows = await db.insertInto('transactions').values([...transactions]).returningAll().execute()
  // SQLite's RETURNING shows rows before the trigger that numbers them (migration 0011) ran.
  const unnumbered = rows.filter((row) => row.reference_number === null).map((row) => row.id)
  if (unnumbered.length === 0) return rows
  const numbers = await db.selectFrom('transactions').select(['id', 'reference_number']).where('id', 'in', unnumbered).execute()
  const numberOf = new Map(numbers.map((row) => [row.id, row.reference_number]))
  return rows.map((row) => (row.reference_number === null ? { ...row, reference_number: numberOf.get(row.id) ?? null } : row))
}

/**
 * Binds the transaction to the attempt that charges it, and gives it its TrackId (the gateway's
 * tracking number is assigned when the request leaves for the gateway). False when the
 * transaction was no longer an uncharged InProgress one.
 */
export async function bindTransactionToAttempt(
  db: Executor,
  transactionId: number,
  attemptId: number,
  trackId: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('transactions')
    .set({ attempt_id: attemptId, track_id: trackId, updated_at: now })
    .where('id', '=', transactionId)
    .where('status', '=', 'InProgress')
    .where('attempt_id', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/** The transactions charged by these attempts. */
export async function findTransactionsOfAttempts(db: Executor, attemptIds: readonly number[]): Promise<TransactionRow[]> {
  if (attemptIds.length === 0) return []
  return db.selectFrom('transactions').selectAll().where('attempt_id', 'in', [...attemptIds]).execute()
}

/**
 * Writes the outcomes of charges on their transactions with one statement: `Succss` with the
 * processor's authorisation and reference, or `Failed` with the MF code and its message.
 */
export async function settleTransactions(
  db: Executor,
  outcomes: ReadonlyArray<{ readonly transactionId: number; readonly result: KnownChargeResult; readonly authorizeOnly?: boolean }>,
  now: number,
): Promise<void> {
  if (outcomes.length === 0) return
  const ids = outcomes.map((o) => o.transactionId)
  const pick = <T>(f: (r: KnownChargeResult) => T | null) => outcomes.map((o) => f(o.result))
  // An approved authorisation (AutoCapture off) is `Authorize` until it is captured or released.
  const approvedStatus = (o: (typeof outcomes)[number]) => (o.authorizeOnly === true ? ('Authorize' as const) : ('Succss' as const))
  await db
    .updateTable('transactions')
    .set({
      status: valueById(ids, outcomes.map((o) => (o.result.status === 'approved' ? approvedStatus(o) : ('Failed' as const))), 'text'),
      reference_id: valueById(ids, pick((r) => (r.status === 'approved' ? r.referenceId : null)), 'text'),
      authorization_id: valueById(ids, pick((r) => (r.status === 'approved' ? r.authorizationId : null)), 'text'),
      error_code: valueById(ids, pick((r) => (r.status === 'declined' ? r.errorCode : null)), 'text'),
      error_message: valueById(ids, pick((r) => (r.status === 'declined' ? paymentErrorMessage(r.errorCode) : null)), 'text'),
      updated_at: now,
    })
    .where('id', 'in', ids)
    .where('status', '=', 'InProgress')
    .execute()
}

/** Fails an uncharged InProgress transaction without any charge (a wrong verification code). */
export async function failUnchargedTransaction(db: Executor, transactionId: number, result: Extract<KnownChargeResult, { status: 'declined' }>, now: number): Promise<boolean> {
  const updated = await db
    .updateTable('transactions')
    .set({ status: 'Failed', error_code: result.errorCode, error_message: paymentErrorMessage(result.errorCode), updated_at: now })
    .where('id', '=', transactionId)
    .where('status', '=', 'InProgress')
    .where('attempt_id', 'is', null)
    .executeTakeFirst()
  return updated.numUpdatedRows === 1n
}

/**
 * Deletes the InProgress transactions of paid invoices that were never charged (a second tab,
 * a payment that lost the race) and returns their card tokens, for the caller to drop the
 * tokens nothing else uses. Nothing of a payment that never happened outlives the winner.
 */
export async function discardUnchargedTransactions(db: Executor, invoiceIds: readonly number[]): Promise<number[]> {
  if (invoiceIds.length === 0) return []
  const removed = await db
    .deleteFrom('transactions')
    .where('invoice_id', 'in', [...invoiceIds])
    .where('status', '=', 'InProgress')
    .where('attempt_id', 'is', null)
    .returning('card_token_id')
    .execute()
  return [...new Set(removed.flatMap((row) => (row.card_token_id === null ? [] : [row.card_token_id])))]
}

/** A transaction by internal id, whichever merchant it belongs to (hosted pages know payments by PaymentId only). */
export async function findTransactionById(db: Executor, transactionId: number): Promise<TransactionRow | undefined> {
  return db.selectFrom('transactions').selectAll().where('id', '=', transactionId).executeTakeFirst()
}

/**
 * Settles an `Authorize` transaction after UpdatePaymentStatus: captured (`Succss`, with what was
 * taken in `captured_minor`) or released (`Canceled`). False when it was no longer `Authorize`.
 */
export async function settleAuthorizedTransaction(
  db: Executor,
  transactionId: number,
  outcome: { readonly operation: 'capture' | 'release'; readonly capturedMinor: number },
  now: number,
): Promise<boolean> {
  const updated = await db
    .updateTable('transactions')
    .set(
      outcome.operation === 'capture'
        ? { status: 'Succss', captured_minor: outcome.capturedMinor, updated_at: now }
        : { status: 'Canceled', error_message: 'Transaction canceled!', updated_at: now },
    )
    .where('id', '=', transactionId)
    .where('status', '=', 'Authorize')
    .executeTakeFirst()
  return updated.numUpdatedRows === 1n
}
