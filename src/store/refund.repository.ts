import type { Insertable, Selectable } from 'kysely'

import type { FinalRefundStatus, RefundStatus } from '../domain/refund.js'
import type { Executor, RefundTable } from './database.js'

/**
 * Refunds (`refunds`): written `Pending` with their charge attempt under the refunded invoice's
 * lock, settled once by the transaction that records the processor's answer.
 */

/** A `refunds` row as stored. */
export type RefundRow = Selectable<RefundTable>

/** The columns of a new refund (always `Pending`, not yet settled). */
export type NewRefund = Omit<Insertable<RefundTable>, 'status' | 'error_code' | 'rrn' | 'updated_at'>

/** Writes a refund, `Pending`; its row. */
export async function insertRefund(db: Executor, refund: NewRefund): Promise<RefundRow> {
  const row = await db
    .insertInto('refunds')
    .values({ ...refund, status: 'Pending', error_code: null, rrn: null, updated_at: refund.created_at })
    .returningAll()
    .executeTakeFirstOrThrow()
  return withReferenceNumber(db, row)
}

/**
 * SQLite's RETURNING shows a row as inserted, before the trigger that numbers it (migration
 * 0011) ran: read the number back then.
 */
async function withReferenceNumber(db: Executor, row: RefundRow): Promise<RefundRow> {
  if (row.reference_number !== null) return row
  const numbered = await db.selectFrom('refunds').select('reference_number').where('id', '=', row.id).executeTakeFirstOrThrow()
  return { ...row, reference_number: numbered.reference_number }
}

/** A merchant's refund by its reference number (the digits after the year of a RefundReference). */
export async function findRefundByNumber(db: Executor, merchantId: number, referenceNumber: number): Promise<RefundRow | undefined> {
  return db
    .selectFrom('refunds')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where((eb) => eb.or([eb('reference_number', '=', referenceNumber), eb.and([eb('reference_number', 'is', null), eb('id', '=', referenceNumber)])]))
    .executeTakeFirst()
}

/** Every refund of a payment (transaction), oldest first: what counts against its captured amount. */
export async function listRefundsOfTransaction(db: Executor, transactionId: number): Promise<RefundRow[]> {
  return db.selectFrom('refunds').selectAll().where('transaction_id', '=', transactionId).orderBy('id').execute()
}

/** Every refund of a merchant's invoice, oldest first (GetRefundStatus by InvoiceId). */
export async function listRefundsOfInvoice(db: Executor, merchantId: number, invoiceId: number): Promise<RefundRow[]> {
  return db.selectFrom('refunds').selectAll().where('invoice_id', '=', invoiceId).where('merchant_id', '=', merchantId).orderBy('id').execute()
}

/** A merchant's refund by internal id; another merchant's is not found. */
export async function findRefund(db: Executor, merchantId: number, refundId: number): Promise<RefundRow | undefined> {
  return db.selectFrom('refunds').selectAll().where('id', '=', refundId).where('merchant_id', '=', merchantId).executeTakeFirst()
}

/** The refund an attempt sends (recovery starts from the attempt). */
export async function findRefundOfAttempt(db: Executor, attemptId: number): Promise<RefundRow | undefined> {
  return db.selectFrom('refunds').selectAll().where('attempt_id', '=', attemptId).executeTakeFirst()
}

/** Refunds by internal id, any merchant (webhook facts). */
export async function findRefundsByIds(db: Executor, refundIds: readonly number[]): Promise<RefundRow[]> {
  if (refundIds.length === 0) return []
  return db.selectFrom('refunds').selectAll().where('id', 'in', [...refundIds]).execute()
}

/** The outcome of a refund to record. */
export interface RefundSettlement {
  readonly refundId: number
  readonly status: FinalRefundStatus
  readonly errorCode: string | null
  readonly rrn: string | null
  readonly now: number
}

/** Settles a Pending refund; false when it was not Pending any more (nothing written). */
export async function settleRefund(db: Executor, settlement: RefundSettlement): Promise<boolean> {
  const result = await db
    .updateTable('refunds')
    .set({ status: settlement.status, error_code: settlement.errorCode, rrn: settlement.rrn, updated_at: settlement.now })
    .where('id', '=', settlement.refundId)
    .where('status', '=', 'Pending')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Filters of {@link listRefunds}; omitted fields match everything. */
export interface RefundFilter {
  readonly merchantId?: number
  readonly invoiceId?: number
  readonly status?: RefundStatus
}

/** Refunds matching `filter`, oldest first (tests compare them with the processor's ledger). */
export async function listRefunds(db: Executor, filter: RefundFilter = {}): Promise<RefundRow[]> {
  let query = db.selectFrom('refunds').selectAll().orderBy('id')
  if (filter.merchantId !== undefined) query = query.where('merchant_id', '=', filter.merchantId)
  if (filter.invoiceId !== undefined) query = query.where('invoice_id', '=', filter.invoiceId)
  if (filter.status !== undefined) query = query.where('status', '=', filter.status)
  return query.execute()
}
