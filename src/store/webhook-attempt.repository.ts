import type { Insertable, Selectable } from 'kysely'

import type { Executor, WebhookAttemptTable } from './database.js'

/** Delivery attempts of outbox events (`webhook_attempts`): one row per HTTP request, or per request not sent. */

/** A `webhook_attempts` row as stored. */
export type WebhookAttemptRow = Selectable<WebhookAttemptTable>

/** The columns of a new attempt. */
export type NewWebhookAttempt = Insertable<WebhookAttemptTable>

/** Rows per insert: 6 columns each stays far below the databases' parameter limits. */
const INSERT_CHUNK = 1000

/** Stores attempts, one statement per {@link INSERT_CHUNK} rows. */
export async function insertWebhookAttempts(db: Executor, attempts: readonly NewWebhookAttempt[]): Promise<void> {
  for (let offset = 0; offset < attempts.length; offset += INSERT_CHUNK) {
    await db
      .insertInto('webhook_attempts')
      .values(attempts.slice(offset, offset + INSERT_CHUNK))
      .execute()
  }
}

/** The attempts of some events, oldest first. */
export async function listWebhookAttempts(db: Executor, eventIds: readonly number[]): Promise<WebhookAttemptRow[]> {
  if (eventIds.length === 0) return []
  return db.selectFrom('webhook_attempts').selectAll().where('event_id', 'in', [...eventIds]).orderBy('id').execute()
}

/** Every attempt at delivering a merchant's events, oldest first (tests and operators' checks). */
export async function listMerchantWebhookAttempts(db: Executor, merchantId: number): Promise<WebhookAttemptRow[]> {
  return db
    .selectFrom('webhook_attempts')
    .innerJoin('outbox_events', 'outbox_events.id', 'webhook_attempts.event_id')
    .selectAll('webhook_attempts')
    .where('outbox_events.merchant_id', '=', merchantId)
    .orderBy('webhook_attempts.id')
    .execute()
}
