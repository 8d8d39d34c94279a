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
  /** Internal event id (from a WH- reference). */
  readonly eventId?: number
  /** Internal invoice id the event is about. */
  readonly invoiceId?: number
}

/** One keyset page of outbox events, newest first ((merchant_id, id) index; primary key for the operator). */
export async function listConsoleWebhookEvents(db: Executor, scope: ConsoleScope, filter: WebhookListFilter, page: KeysetPage): Promise<OutboxRow[]> {
  let query = db.selectFrom('outbox_events').selectAll()
  if (scope.merchantId !== null) query = query.where('merchant_id', '=', scope.merchantId)
  if (filter.status !== undefined) query = query.where('status', '=', filter.status)
  if (filter.attempted !== undefined) query = query.where('attempt_count', filter.attempted ? '>' : '=', 0)
  if (filter.eventCode !== undefined) query = query.where('event_code', '=', filter.eventCode)
  if (filter.eventId !== undefined) query = query.where('id', '=', filter.eventId)
  if (filter.invoiceId !== undefined) query = query.where('invoice_id', '=', filter.invoiceId)
  if (page.beforeId !== undefined) query = query.where('id', '<', page.beforeId)
  return query.orderBy('id', 'desc').limit(page.limit).execute()
}

/** An outbox event in scope, or undefined. */
export async function findScopedWebhookEvent(db: Executor, scope: ConsoleScope, id: number): Promise<OutboxRow | undefined> {
  let query = db.selectFrom('outbox_events').selectAll().where('id', '=', id)
  if (scope.merchantId !== null) query = query.where('merchant_id', '=', scope.merchantId)
  return query.executeTakeFirst()
}

/** The delivery attempts of one event, oldest first. */
export async function listEventAttempts(db: Executor, eventId: number): Promise<WebhookAttemptRow[]> {
  return db.selectFrom('webhook_attempts').selectAll().where('event_id', '=', eventId).orderBy('attempted_at').orderBy('id').execute()
}
