import type { Executor } from './database.js'

/**
 * Look-ups for operators' tools (the `dawri` command), which start from an id alone where the
 * API always starts from the calling merchant: whose is this row?
 */

/** The merchant owning a recurrence (internal id), or undefined. */
export async function findRecurrenceOwner(db: Executor, recurrenceId: number): Promise<number | undefined> {
  const row = await db.selectFrom('recurrences').select('merchant_id').where('id', '=', recurrenceId).executeTakeFirst()
  return row?.merchant_id
}

/**
 * The merchants having a webhook event numbered `referenceNumber` (`WH-<n>` names one event per
 * merchant), by id, at most `limit`: one probe of (merchant_id, reference_number) per merchant.
 */
export async function findWebhookEventOwners(db: Executor, referenceNumber: number, limit: number): Promise<number[]> {
  // `merchant_id IN (merchants)`: SQLite and PostgreSQL both probe the index once per merchant.
  const rows = await db
    .selectFrom('outbox_events')
    .select('merchant_id')
    .where('reference_number', '=', referenceNumber)
    .where('merchant_id', 'in', (eb) => eb.selectFrom('merchants').select('id'))
    .orderBy('merchant_id')
    .limit(limit)
    .execute()
  return rows.map((row) => row.merchant_id)
}

/** The ciphertext of the newest stored card, to check the vault key can read it; undefined when no card is stored. */
export async function findNewestCardCiphertext(db: Executor): Promise<string | undefined> {
  const row = await db.selectFrom('card_tokens').select('pan_encrypted').orderBy('id', 'desc').limit(1).executeTakeFirst()
  return row?.pan_encrypted
}
