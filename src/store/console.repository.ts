import { sql } from 'kysely'

import type { Merchant } from '../domain/merchant.js'
import type { RecurrenceStatus } from '../domain/recurrence.js'
import type { ConsoleScope } from './console-scope.js'
import type { Executor, OutboxStatus } from './database.js'
import { hashApiKey, merchantRowToMerchant } from './merchant.repository.js'

/**
 * The console's sign-in and overview reads. Lists and detail pages are in
 * console-recurrences, console-invoices and console-webhooks.repository.ts.
 */

const DAY_MS = 86_400_000

/** The active API key matching `apiKey` (looked up by its hash, as the API's auth does) and its merchant. */
export async function findApiKeyForSignIn(db: Executor, apiKey: string): Promise<{ keyId: number; merchant: Merchant } | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('merchants', 'merchants.id', 'api_keys.merchant_id')
    .selectAll('merchants')
    .select('api_keys.id as key_id')
    .where('api_keys.key_hash', '=', hashApiKey(apiKey))
    .where('api_keys.revoked_at', 'is', null)
    .executeTakeFirst()
  if (!row) return undefined
  const { key_id, ...merchant } = row
  return { keyId: key_id, merchant: merchantRowToMerchant(merchant) }
}

/** The merchant of a console session's API key, while that key is not revoked. */
export async function findMerchantOfActiveKey(db: Executor, keyId: number): Promise<Merchant | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('merchants', 'merchants.id', 'api_keys.merchant_id')
    .selectAll('merchants')
    .where('api_keys.id', '=', keyId)
    .where('api_keys.revoked_at', 'is', null)
    .executeTakeFirst()
  return row ? merchantRowToMerchant(row) : undefined
}

/** Id and name of every merchant, for the operator's merchant filter (at most `limit`). */
export async function listMerchantNames(db: Executor, limit: number): Promise<Array<{ id: number; name: string }>> {
  return db.selectFrom('merchants').select(['id', 'name']).orderBy('id').limit(limit).execute()
}

/**
 * A day bucket of an epoch-ms column: whole days since 1970 in a zone `offsetMs` ahead of UTC.
 * Integer division on both dialects; a fixed offset (the Gulf zones have no daylight saving).
 */
function dayOf(column: string, offsetMs: number) {
  // Literals, not parameters: PostgreSQL matches GROUP BY to the select list by text.
  return sql<number>`(${sql.ref(column)} + ${sql.lit(Math.trunc(offsetMs))}) / ${sql.lit(DAY_MS)}`
}

/** A time window of the overview: `[from, to)` in merchant time, days counted in a zone `offsetMs` ahead of UTC. */
export interface OverviewWindow {
  readonly from: number
  readonly to: number
  readonly offsetMs: number
}

/** Charge attempts per day, kind and outcome. */
export async function countChargesPerDay(
  db: Executor,
  scope: ConsoleScope,
  window: OverviewWindow,
): Promise<Array<{ day: number; kind: string; status: string; count: number }>> {
  let query = db
    .selectFrom('charge_attempts')
    .select([dayOf('created_at', window.offsetMs).as('day'), 'kind', 'status', (eb) => eb.fn.countAll<number>().as('count')])
    .where('created_at', '>=', window.from)
    .where('created_at', '<', window.to)
  if (scope.merchantId !== null) query = query.where('merchant_id', '=', scope.merchantId)
  const rows = await query.groupBy([dayOf('created_at', window.offsetMs), 'kind', 'status']).execute()
  return rows.map((row) => ({ day: Number(row.day), kind: row.kind, status: row.status, count: Number(row.count) }))
}

/**
 * Money collected per day and currency: invoices now Paid whose paying charge (customer, renewal,
 * retry or resume) was approved that day, at the invoice's amount (integer minor units).
 */
export async function sumCollectedPerDay(
  db: Executor,
  scope: ConsoleScope,
  window: OverviewWindow,
): Promise<Array<{ day: number; currency: string; amountMinor: number }>> {
  let query = db
    .selectFrom('charge_attempts')
    .innerJoin('invoices', 'invoices.id', 'charge_attempts.invoice_id')
    .select([
      dayOf('charge_attempts.created_at', window.offsetMs).as('day'),
      'invoices.currency',
      (eb) => eb.fn.sum<number>('invoices.value_minor').as('amount'),
    ])
    .where('charge_attempts.created_at', '>=', window.from)
    .where('charge_attempts.created_at', '<', window.to)
    .where('charge_attempts.status', '=', 'approved')
    .where('charge_attempts.kind', 'in', ['customer', 'renewal', 'retry', 'resume'])
    .where('invoices.status', '=', 'Paid')
  if (scope.merchantId !== null) query = query.where('charge_attempts.merchant_id', '=', scope.merchantId)
  const rows = await query.groupBy([dayOf('charge_attempts.created_at', window.offsetMs), 'invoices.currency']).execute()
  return rows.map((row) => ({ day: Number(row.day), currency: row.currency, amountMinor: Number(row.amount) }))
}

/** Active recurrences due in the window, per day of their next attempt. */
export async function countRenewalsDuePerDay(db: Executor, scope: ConsoleScope, window: OverviewWindow): Promise<Array<{ day: number; count: number }>> {
  let query = db
    .selectFrom('recurrences')
    .select([dayOf('next_attempt_at', window.offsetMs).as('day'), (eb) => eb.fn.countAll<number>().as('count')])
    .where('next_attempt_at', '>=', window.from)
    .where('next_attempt_at', '<', window.to)
    .where('status', '=', 'Active')
  if (scope.merchantId !== null) query = query.where('merchant_id', '=', scope.merchantId)
  const rows = await query.groupBy(dayOf('next_attempt_at', window.offsetMs)).execute()
  return rows.map((row) => ({ day: Number(row.day), count: Number(row.count) }))
}

/** Recurrences per status. */
export async function countRecurrencesByStatus(db: Executor, scope: ConsoleScope): Promise<Array<{ status: RecurrenceStatus; count: number }>> {
  let query = db.selectFrom('recurrences').select(['status', (eb) => eb.fn.countAll<number>().as('count')])
  if (scope.merchantId !== null) query = query.where('merchant_id', '=', scope.merchantId)
  const rows = await query.groupBy('status').execute()
  return rows.map((row) => ({ status: row.status, count: Number(row.count) }))
}

/** Webhook events created per day by delivery state (pending split by whether it was attempted). */
export async function countWebhooksPerDay(
  db: Executor,
  scope: ConsoleScope,
  window: OverviewWindow,
): Promise<Array<{ day: number; status: OutboxStatus; attempted: boolean; count: number }>> {
  let query = db
    .selectFrom('outbox_events')
    .select([
      dayOf('created_at', window.offsetMs).as('day'),
      'status',
      sql<number>`case when attempt_count > 0 then 1 else 0 end`.as('attempted'),
      (eb) => eb.fn.countAll<number>().as('count'),
    ])
    .where('created_at', '>=', window.from)
    .where('created_at', '<', window.to)
  if (scope.merchantId !== null) query = query.where('merchant_id', '=', scope.merchantId)
  const rows = await query.groupBy([dayOf('created_at', window.offsetMs), 'status', sql`case when attempt_count > 0 then 1 else 0 end`]).execute()
  return rows.map((row) => ({ day: Number(row.day), status: row.status, attempted: Number(row.attempted) === 1, count: Number(row.count) }))
}

/** Events still waiting for delivery and the due time of the oldest (merchant time), whatever their age. */
export async function summarizePendingWebhooks(db: Executor, scope: ConsoleScope): Promise<{ pending: number; oldestDueAt: number | null }> {
  let query = db
    .selectFrom('outbox_events')
    .select([(eb) => eb.fn.countAll<number>().as('count'), (eb) => eb.fn.min<number | null>('next_attempt_at').as('oldest')])
    .where('status', '=', 'pending')
  if (scope.merchantId !== null) query = query.where('merchant_id', '=', scope.merchantId)
  const row = await query.executeTakeFirstOrThrow()
  return { pending: Number(row.count), oldestDueAt: row.oldest === null ? null : Number(row.oldest) }
}
