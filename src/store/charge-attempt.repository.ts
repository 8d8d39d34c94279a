import type { Insertable, Selectable } from 'kysely'

import type { AttemptStatus, ChargeKind, KnownChargeResult } from '../domain/charge.js'
import type { StoreAdapter } from './adapter.js'
import type { ChargeAttemptTable, Executor } from './database.js'
import { valueById } from './sql-cases.js'

/** A `charge_attempts` row as stored. */
export type ChargeAttemptRow = Selectable<ChargeAttemptTable>

/** The columns of a new attempt (always `open`). */
export type NewAttempt = Omit<Insertable<ChargeAttemptTable>, 'status' | 'error_code' | 'resolved_at'>

/** Writes attempts, `open`, with one statement; their rows (match by invoice or recurrence, not by position). */
export async function insertAttempts(db: Executor, attempts: readonly NewAttempt[]): Promise<ChargeAttemptRow[]> {
  if (attempts.length === 0) return []
  return db
    .insertInto('charge_attempts')
    .values(attempts.map((attempt) => ({ ...attempt, status: 'open' as const, error_code: null, resolved_at: null })))
    .returningAll()
    .execute()
}

/**
 * The open charge of an invoice, if any: while it lasts, no other payment of the invoice may
 * start. Refunds are not charges of the invoice (their own check is the refund's status).
 */
export async function findOpenAttemptOfInvoice(db: Executor, invoiceId: number): Promise<ChargeAttemptRow | undefined> {
  return db
    .selectFrom('charge_attempts')
    .selectAll()
    .where('invoice_id', '=', invoiceId)
    .where('status', '=', 'open')
    .where('kind', '!=', 'refund')
    .executeTakeFirst()
}

/** An attempt by id. */
export async function findAttempt(db: Executor, attemptId: number): Promise<ChargeAttemptRow | undefined> {
  return db.selectFrom('charge_attempts').selectAll().where('id', '=', attemptId).executeTakeFirst()
}

/** The open attempts of these recurrences (at most one each). */
export async function findOpenAttemptsOfRecurrences(db: Executor, recurrenceIds: readonly number[]): Promise<ChargeAttemptRow[]> {
  if (recurrenceIds.length === 0) return []
  return db.selectFrom('charge_attempts').selectAll().where('recurrence_id', 'in', [...recurrenceIds]).where('status', '=', 'open').execute()
}

/** Which of these attempts are still open. */
export async function filterOpenAttempts(db: Executor, attemptIds: readonly number[]): Promise<Set<number>> {
  if (attemptIds.length === 0) return new Set()
  const rows = await db.selectFrom('charge_attempts').select('id').where('id', 'in', [...attemptIds]).where('status', '=', 'open').execute()
  return new Set(rows.map((row) => row.id))
}

/**
 * Resolves open attempts with their outcomes, one statement. Only attempts still `open` change:
 * when two processes race to record one attempt, the second writes nothing.
 */
export async function resolveAttempts(
  db: Executor,
  outcomes: ReadonlyArray<{ readonly attemptId: number; readonly result: KnownChargeResult }>,
  now: number,
): Promise<number> {
  if (outcomes.length === 0) return 0
  const ids = outcomes.map((o) => o.attemptId)
  const result = await db
    .updateTable('charge_attempts')
    .set({
      status: valueById(ids, outcomes.map((o) => o.result.status), 'text'),
      error_code: valueById(ids, outcomes.map((o) => (o.result.status === 'declined' ? o.result.errorCode : null)), 'text'),
      resolved_at: now,
    })
    .where('id', 'in', ids)
    .where('status', '=', 'open')
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** Options of {@link claimExpiredCustomerAttempts}. */
export interface ClaimExpiredOptions {
  /** Real time: leases are about live processes. */
  readonly realNow: number
  /** The new lease of the claimed attempts. */
  readonly leaseUntil: number
  readonly limit: number
  /** Only this merchant's attempts (the sandbox clock settles one merchant). */
  readonly merchantId?: number
}

/**
 * Takes customer, refund, capture and release attempts left open past their lease (their process died, or is far
 * too slow), passing over rows another recovery holds, and leases them to the caller.
 */
export async function claimExpiredCustomerAttempts(
  trx: Executor,
  adapter: StoreAdapter,
  options: ClaimExpiredOptions,
): Promise<ChargeAttemptRow[]> {
  let query = trx
    .selectFrom('charge_attempts')
    .selectAll()
    .where('status', '=', 'open')
    .where('kind', 'in', ['customer', 'refund', 'capture', 'release'])
    .where('lease_until', '<=', options.realNow)
    .orderBy('id')
    .limit(options.limit)
  if (options.merchantId !== undefined) query = query.where('merchant_id', '=', options.merchantId)
  const rows = await adapter.claimRows(query).execute()
  if (rows.length === 0) return []
  await trx
    .updateTable('charge_attempts')
    .set({ lease_until: options.leaseUntil })
    .where('id', 'in', rows.map((row) => row.id))
    .execute()
  return rows.map((row) => ({ ...row, lease_until: options.leaseUntil }))
}

/** The highest attempt number used so far in a recurrence's cycle, or -1 when none. */
export async function lastAttemptNumber(db: Executor, recurrenceId: number, cycle: number): Promise<number> {
  const row = await db
    .selectFrom('charge_attempts')
    .select((eb) => eb.fn.max('attempt_number').as('last'))
    .where('recurrence_id', '=', recurrenceId)
    .where('cycle', '=', cycle)
    .executeTakeFirst()
  return row?.last === null || row?.last === undefined ? -1 : Number(row.last)
}

/** Filters of {@link listAttempts}; omitted fields match everything. */
export interface AttemptFilter {
  readonly merchantId?: number
  readonly invoiceId?: number
  readonly recurrenceId?: number
  readonly status?: AttemptStatus
  readonly kind?: ChargeKind
}

/** Charge attempts matching `filter`, oldest first (tests and operators' checks). */
export async function listAttempts(db: Executor, filter: AttemptFilter = {}): Promise<ChargeAttemptRow[]> {
  let query = db.selectFrom('charge_attempts').selectAll().orderBy('id')
  if (filter.merchantId !== undefined) query = query.where('merchant_id', '=', filter.merchantId)
  if (filter.invoiceId !== undefined) query = query.where('invoice_id', '=', filter.invoiceId)
  if (filter.recurrenceId !== undefined) query = query.where('recurrence_id', '=', filter.recurrenceId)
  if (filter.status !== undefined) query = query.where('status', '=', filter.status)
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind)
  return query.execute()
}
