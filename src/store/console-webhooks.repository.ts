import type { ConsoleScope, KeysetPage } from './console-scope.js'
import type { Executor, OutboxStatus } from './database.js'
import type { OutboxRow } from './outbox.repository.js'
import type { WebhookAttemptRow } from './webhook-attempt.repository.js'

/** Filters of the console's delivery log; omitted fields match everything. */
export interface WebhookListFilter {
  readonly status?: OutboxStatus
  /** true: at least one delivery attempt made; false: none yet. */
  readonly attempted?: boolean
  readonly eventCode?: number
  /** The merchant's event number (of a `WH-<n>` reference); across merchants, every merchant's event n. */
  readonly referenceNumber?: number
  /** Internal invoice id the event is about. */
  readonly invoiceId?: number
}

/**
 * One keyset page of outbox events, newest first. One merchant's log pages by its reference
 * numbers (`page.beforeId` is a number n of `WH-<n>`; index (merchant_id, reference_number)),
 * the operator's all-merchant log by internal id (`page.beforeId` is an id; primary key).
 */
export async function listConsoleWebhookEvents(db: Executor, scope: ConsoleScope, filter: WebhookListFilter, page: KeysetPage): Promise<OutboxRow[]> {
  // Every merchant's event n: one probe of (merchant_id, reference_number) per merchant, not a
  // walk of the whole outbox by id.
  const referenceNumber = filter.referenceNumber
  if (scope.merchantId === null && referenceNumber !== undefined) {
    const events = await findScopedWebhookEvents(db, scope, referenceNumber, Number.MAX_SAFE_INTEGER)
    return events
      .filter((row) => (page.beforeId === undefined || row.id < page.beforeId) && matches(row, filter))
      .sort((a, b) => b.id - a.id)
      .slice(0, page.limit)
  }
  let query = db.selectFrom('outbox_events').selectAll()
  if (filter.status !== undefined) query = query.where('status', '=', filter.status)
  if (filter.attempted !== undefined) query = query.where('attempt_count', filter.attempted ? '>' : '=', 0)
  if (filter.eventCode !== undefined) query = query.where('event_code', '=', filter.eventCode)
  if (filter.referenceNumber !== undefined) query = query.where('reference_number', '=', filter.referenceNumber)
  if (filter.invoiceId !== undefined) query = query.where('invoice_id', '=', filter.invoiceId)
  if (scope.merchantId !== null) {
    query = query.where('merchant_id', '=', scope.merchantId)
    if (page.beforeId !== undefined) query = query.where('reference_number', '<', page.beforeId)
    return query.orderBy('reference_number', 'desc').limit(page.limit).execute()
  }
  if (page.beforeId !== undefined) query = query.where('id', '<', page.beforeId)
  return query.orderBy('id', 'desc').limit(page.limit).execute()
}

function matches(row: OutboxRow, filter: WebhookListFilter): boolean {
  if (filter.status !== undefined && row.status !== filter.status) return false
  if (filter.attempted !== undefined && row.attempt_count > 0 !== filter.attempted) return false
  if (filter.eventCode !== undefined && row.event_code !== filter.eventCode) return false
  return filter.invoiceId === undefined || row.invoice_id === filter.invoiceId
}

/**
 * The events in scope numbered `referenceNumber` (`WH-<n>`): at most one in a merchant's scope;
 * across merchants, one per merchant having n events or more (by merchant id, at most `limit`).
 */
export async function findScopedWebhookEvents(db: Executor, scope: ConsoleScope, referenceNumber: number, limit: number): Promise<OutboxRow[]> {
  if (scope.merchantId !== null) {
    return db
      .selectFrom('outbox_events')
      .selectAll()
      .where('merchant_id', '=', scope.merchantId)
      .where('reference_number', '=', referenceNumber)
      .execute()
  }
  // Through the merchants: one probe of (merchant_id, reference_number) each, no scan of the
  // events (SQLite and PostgreSQL both plan `merchant_id IN (merchants)` so).
  return db
    .selectFrom('outbox_events')
    .selectAll()
    .where('reference_number', '=', referenceNumber)
    .where('merchant_id', 'in', (eb) => eb.selectFrom('merchants').select('id'))
    .orderBy('merchant_id')
    .limit(limit)
    .execute()
}

/** The delivery attempts of one event, oldest first. */
export async function listEventAttempts(db: Executor, eventId: number): Promise<WebhookAttemptRow[]> {
  return db.selectFrom('webhook_attempts').selectAll().where('event_id', '=', eventId).orderBy('attempted_at').orderBy('id').execute()
}
