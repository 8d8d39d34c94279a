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

/** The merchant owning a webhook event (outbox id), or undefined. */
export async function findWebhookEventOwner(db: Executor, eventId: number): Promise<number | undefined> {
  const row = await db.selectFrom('outbox_events').select('merchant_id').where('id', '=', eventId).executeTakeFirst()
  return row?.merchant_id
}

/** The ciphertext of the newest stored card, to check the vault key can read it; undefined when no card is stored. */
export async function findNewestCardCiphertext(db: Executor): Promise<string | undefined> {
  const row = await db.selectFrom('card_tokens').select('pan_encrypted').orderBy('id', 'desc').limit(1).executeTakeFirst()
  return row?.pan_encrypted
}
