import type { Selectable } from 'kysely'

import { AppError } from '../domain/errors.js'
import {
  isRecurrenceStatus,
  type RecurrenceProgress,
  type RecurrenceSchedule,
} from '../domain/recurrence.js'
import { isRecurringType, parseLocalDate } from '../domain/schedule.js'
import type { StoreAdapter } from './adapter.js'
import type { ChargeAttemptTable, RecurrenceTable } from './database.js'
import type { Executor } from './database.js'

/** A `recurrences` row as stored. */
export type RecurrenceRow = Selectable<RecurrenceTable>

/** A `charge_attempts` row as stored. */
export type RecurrenceAttemptRow = Selectable<ChargeAttemptTable>

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

/** The open (unresolved) attempt of a recurrence, if any; there is at most one at a time. */
export async function findOpenAttempt(
  db: Executor,
  recurrenceId: number,
): Promise<RecurrenceAttemptRow | undefined> {
  return db
    .selectFrom('charge_attempts')
    .selectAll()
    .where('recurrence_id', '=', recurrenceId)
    .where('status', '=', 'open')
    .orderBy('id')
    .executeTakeFirst()
}

/** The highest attempt number used so far in a cycle, or -1 when none. */
export async function findLastAttemptNumber(db: Executor, recurrenceId: number, cycle: number): Promise<number> {
  const row = await db
    .selectFrom('charge_attempts')
    .select((eb) => eb.fn.max('attempt_number').as('last'))
    .where('recurrence_id', '=', recurrenceId)
    .where('cycle', '=', cycle)
    .executeTakeFirst()
  return row?.last === null || row?.last === undefined ? -1 : Number(row.last)
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

/** Every recurrence of a merchant, by id (tests, benchmarks and operators' checks). */
export async function listRecurrencesOfMerchant(db: Executor, merchantId: number): Promise<RecurrenceRow[]> {
  return db.selectFrom('recurrences').selectAll().where('merchant_id', '=', merchantId).orderBy('id').execute()
}

/**
 * Inserts whole recurrence rows with one statement, such as copies of a stored row (seeding for
 * tests and benchmarks; the API creates recurrences through its own path). Their new ids, ascending.
 */
export async function insertRecurrenceRows(db: Executor, rows: ReadonlyArray<Omit<RecurrenceRow, 'id'>>): Promise<number[]> {
  if (rows.length === 0) return []
  const inserted = await db.insertInto('recurrences').values([...rows]).returning('id').execute()
  return inserted.map((row) => row.id).sort((a, b) => a - b)
}

/** Lets every billing lease on a merchant's recurrences run out at once, as after a crash. */
export async function expireRecurrenceLeases(db: Executor, merchantId: number): Promise<void> {
  await db.updateTable('recurrences').set({ lease_until: 0 }).where('merchant_id', '=', merchantId).execute()
}
