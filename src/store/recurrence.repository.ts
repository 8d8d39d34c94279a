import type { Insertable, Selectable, SelectQueryBuilder } from 'kysely'

import { AppError } from '../domain/errors.js'
import {
  isRecurrenceStatus,
  type RecurrenceProgress,
  type RecurrenceSchedule,
  type RecurrenceStatus,
} from '../domain/recurrence.js'
import { isRecurringType, parseLocalDate } from '../domain/schedule.js'
import type { StoreAdapter } from './adapter.js'
import type { Database, RecurrenceTable } from './database.js'
import { valueById } from './sql-cases.js'
import type { Executor } from './database.js'

/** A `recurrences` row as stored. */
export type RecurrenceRow = Selectable<RecurrenceTable>

/** The columns of a new recurrence. */
export type NewRecurrence = Insertable<RecurrenceTable>


/** The fixed terms of a stored recurrence, in the merchant's zone and charge hour. */
export function recurrenceRowToSchedule(
  row: Pick<RecurrenceRow, 'id' | 'anchor_date' | 'recurring_type' | 'interval_days' | 'iteration' | 'retry_count'>,
  timeZone: string,
  chargeHour: number,
): RecurrenceSchedule {
  if (!isRecurringType(row.recurring_type)) {
    throw new AppError('INTERNAL', `Recurrence ${row.id} has an unknown type ${row.recurring_type}`)
  }
  return {
    anchorDate: parseLocalDate(row.anchor_date),
    type: row.recurring_type,
    // IntervalDays is stored as sent, but only Custom reads it (reference §2.3).
    intervalDays: row.recurring_type === 'Custom' ? row.interval_days : null,
    iteration: row.iteration,
    retryCount: row.retry_count,
    timeZone,
    chargeHour,
  }
}

/** Where a stored recurrence stands. */
export function recurrenceRowToProgress(
  row: Pick<RecurrenceRow, 'id' | 'status' | 'next_cycle' | 'failed_attempts' | 'executed_times'>,
): RecurrenceProgress {
  if (!isRecurrenceStatus(row.status)) {
    throw new AppError('INTERNAL', `Recurrence ${row.id} has an unknown status ${row.status}`)
  }
  return {
    status: row.status,
    nextCycle: row.next_cycle,
    failedAttempts: row.failed_attempts,
    executedTimes: row.executed_times,
  }
}

/** A merchant's recurrence by internal id; another merchant's is not found. */
export async function findRecurrence(
  db: Executor,
  merchantId: number,
  recurrenceId: number,
): Promise<RecurrenceRow | undefined> {
  return db
    .selectFrom('recurrences')
    .selectAll()
    .where('id', '=', recurrenceId)
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst()
}

/** Reads a recurrence inside `trx` and keeps other writers off it until commit. */
export async function lockRecurrence(
  trx: Executor,
  adapter: StoreAdapter,
  recurrenceId: number,
): Promise<RecurrenceRow | undefined> {
  const query = trx.selectFrom('recurrences').selectAll().where('id', '=', recurrenceId)
  return adapter.lockRows(query).executeTakeFirst()
}

/** The invoice created for automatic cycle `cycle` of a recurrence (retries reuse it). */
export async function findCycleInvoiceId(db: Executor, recurrenceId: number, cycle: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('invoices')
    .select('id')
    .where('recurrence_id', '=', recurrenceId)
    .where('recurrence_cycle', '=', cycle)
    .orderBy('id')
    .executeTakeFirst()
  return row?.id
}

/** The recurrence whose first invoice this is, if any. */
export async function findRecurrenceIdOfInitialInvoice(db: Executor, invoiceId: number): Promise<number | undefined> {
  const row = await db.selectFrom('recurrences').select('id').where('initial_invoice_id', '=', invoiceId).executeTakeFirst()
  return row?.id
}

/** What {@link saveRecurrenceProgress} writes. */
export interface SavedProgress {
  readonly progress: RecurrenceProgress
  readonly nextAttemptAt: number | null
  /** Set when the schedule is re-anchored (activation). */
  readonly anchorDate?: string
  /** Set when the recurrence gets its card (activation). */
  readonly cardTokenId?: number
  /** Write only while the stored status is this one. */
  readonly onlyFrom?: RecurrenceStatus
  readonly now: number
}

/** Stores where a recurrence stands and frees its lease; false when `onlyFrom` did not match. */
export async function saveRecurrenceProgress(db: Executor, recurrenceId: number, saved: SavedProgress): Promise<boolean> {
  let query = db
    .updateTable('recurrences')
    .set({
      status: saved.progress.status,
      next_cycle: saved.progress.nextCycle,
      failed_attempts: saved.progress.failedAttempts,
      executed_times: saved.progress.executedTimes,
      next_attempt_at: saved.nextAttemptAt,
      lease_until: null,
      updated_at: saved.now,
      ...(saved.anchorDate === undefined ? {} : { anchor_date: saved.anchorDate }),
      ...(saved.cardTokenId === undefined ? {} : { card_token_id: saved.cardTokenId }),
    })
    .where('id', '=', recurrenceId)
  if (saved.onlyFrom !== undefined) query = query.where('status', '=', saved.onlyFrom)
  const result = await query.executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/** Several recurrences' new standing, written with one statement (the billing engine's batches). */
export async function saveRecurrenceRows(
  db: Executor,
  rows: ReadonlyArray<Pick<RecurrenceRow, 'id' | 'status' | 'next_cycle' | 'failed_attempts' | 'executed_times' | 'next_attempt_at' | 'last_pay_at'>>,
  now: number,
): Promise<void> {
  if (rows.length === 0) return
  const ids = rows.map((r) => r.id)
  await db
    .updateTable('recurrences')
    .set({
      status: valueById(ids, rows.map((r) => r.status), 'text'),
      next_cycle: valueById(ids, rows.map((r) => r.next_cycle), 'integer'),
      failed_attempts: valueById(ids, rows.map((r) => r.failed_attempts), 'integer'),
      executed_times: valueById(ids, rows.map((r) => r.executed_times), 'integer'),
      next_attempt_at: valueById(ids, rows.map((r) => r.next_attempt_at), 'bigint'),
      last_pay_at: valueById(ids, rows.map((r) => r.last_pay_at), 'bigint'),
      lease_until: null,
      updated_at: now,
    })
    .where('id', 'in', ids)
    .execute()
}

/** Locks recurrences in id order (concurrent batches cannot deadlock) and reads them. */
export async function lockRecurrences(trx: Executor, adapter: StoreAdapter, ids: readonly number[]): Promise<RecurrenceRow[]> {
  if (ids.length === 0) return []
  const sorted = [...new Set(ids)].sort((a, b) => a - b)
  return adapter.lockRows(trx.selectFrom('recurrences').selectAll().where('id', 'in', sorted).orderBy('id')).execute()
}

/** Leases recurrences to the caller until `leaseUntil` (real time). */
export async function leaseRecurrenceRows(db: Executor, ids: readonly number[], leaseUntil: number): Promise<void> {
  if (ids.length === 0) return
  await db.updateTable('recurrences').set({ lease_until: leaseUntil }).where('id', 'in', [...ids]).execute()
}

/** How a billing claim picks and leases recurrences. */
export interface RecurrenceClaim {
  readonly merchantId: number
  /** Real time (no sandbox offset): leases are about live workers. */
  readonly realNow: number
  readonly leaseUntil: number
  readonly limit: number
  /** Also take rows another worker leased (safe: attempts are idempotent; the sandbox clock's impatience). */
  readonly ignoreLeases?: boolean
}

/**
 * Claims a merchant's recurrences for billing and leases them: those `due` (Active and due at
 * the merchant's `now`, oldest first) or those `with-open-attempts` (any status: a Resume leaves
 * one on an Uncompleted recurrence, a cancel may come while one is in flight). Rows another
 * worker holds are passed over (the adapter's claim); leased rows too, unless `ignoreLeases`.
 */
export async function claimRecurrences(
  trx: Executor,
  adapter: StoreAdapter,
  which: { readonly kind: 'due'; readonly now: number } | { readonly kind: 'with-open-attempts' },
  claim: RecurrenceClaim,
): Promise<RecurrenceRow[]> {
  const picked = <O>(query: SelectQueryBuilder<Database, 'recurrences', O>) => {
    let q = query.where('merchant_id', '=', claim.merchantId)
    q =
      which.kind === 'due'
        ? q.where('next_attempt_at', '<=', which.now).where('status', '=', 'Active')
        : q.where('id', 'in', (eb) =>
            eb.selectFrom('charge_attempts').select('recurrence_id').where('merchant_id', '=', claim.merchantId).where('status', '=', 'open'),
          )
    if (!claim.ignoreLeases) q = q.where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', claim.realNow)]))
    return q
  }
  let rows: RecurrenceRow[]
  if (claim.ignoreLeases) {
    // This claim waits for rows others hold, so it must lock them in id order, as every other
    // locker of recurrences does (lockRecurrences): locking due rows oldest first deadlocked
    // against a worker recording a batch in id order (PostgreSQL aborted the claim, and the
    // sandbox clock's AdvanceClock answered 500). Pick the rows first, then lock them by id; the
    // conditions are repeated so a row changed meanwhile (recorded, no longer due) drops out.
    const ids = await picked(trx.selectFrom('recurrences').select('id'))
      .orderBy(which.kind === 'due' ? 'next_attempt_at' : 'id')
      .limit(claim.limit)
      .execute()
    if (ids.length === 0) return []
    rows = await adapter
      .lockRows(picked(trx.selectFrom('recurrences').selectAll()).where('id', 'in', ids.map((row) => row.id)).orderBy('id'))
      .execute()
  } else {
    // Passes over rows others hold (SKIP LOCKED): never waits, so any order is safe.
    rows = await adapter
      .claimRows(picked(trx.selectFrom('recurrences').selectAll()).orderBy(which.kind === 'due' ? 'next_attempt_at' : 'id').limit(claim.limit))
      .execute()
  }
  await leaseRecurrenceRows(trx, rows.map((row) => row.id), claim.leaseUntil)
  return rows
}

/** Every recurrence of a merchant, by id (tests, benchmarks and operators' checks). */
export async function listRecurrencesOfMerchant(db: Executor, merchantId: number): Promise<RecurrenceRow[]> {
  return db.selectFrom('recurrences').selectAll().where('merchant_id', '=', merchantId).orderBy('id').execute()
}

/**
 * Inserts whole recurrence rows with one statement, such as copies of a stored row (seeding for
 * tests and benchmarks; the API creates recurrences through its own path). Their new ids, ascending.
 */
export async function insertRecurrences(db: Executor, rows: readonly NewRecurrence[]): Promise<number[]> {
  if (rows.length === 0) return []
  const inserted = await db.insertInto('recurrences').values([...rows]).returning('id').execute()
  return inserted.map((row) => row.id).sort((a, b) => a - b)
}

/** Stores one recurrence; its id. */
export async function insertRecurrence(db: Executor, row: NewRecurrence): Promise<number> {
  const [id] = await insertRecurrences(db, [row])
  if (id === undefined) throw new Error('The recurrence was not inserted')
  return id
}

/** Lets every billing lease on a merchant's recurrences run out at once, as after a crash. */
export async function expireRecurrenceLeases(db: Executor, merchantId: number): Promise<void> {
  await db.updateTable('recurrences').set({ lease_until: 0 }).where('merchant_id', '=', merchantId).execute()
}

/** The first invoices of recurrences, with the customer columns their automatic invoices copy. */
export async function findInitialInvoices(db: Executor, invoiceIds: readonly number[]) {
  if (invoiceIds.length === 0) return []
  return db
    .selectFrom('invoices')
    .select([
      'id',
      'payment_method_id',
      'customer_name',
      'customer_mobile',
      'mobile_country_code',
      'customer_email',
      'customer_reference',
      'customer_civil_id',
      'user_defined_field',
      'language',
      'webhook_url',
    ])
    .where('id', 'in', [...new Set(invoiceIds)])
    .execute()
}

/** Sets a recurrence's status with nothing scheduled (cancel), leaving its lease to an attempt in flight. */
export async function setRecurrenceStatus(db: Executor, recurrenceId: number, status: RecurrenceStatus, now: number): Promise<void> {
  await db.updateTable('recurrences').set({ status, next_attempt_at: null, updated_at: now }).where('id', '=', recurrenceId).execute()
}
