import type { Selectable } from 'kysely'

import type { Executor, IdempotencyKeyTable } from './database.js'

/**
 * Idempotency-Key reservations and the responses stored under them. A reservation is a row with
 * `response_status` 0 and an empty body until the first request's response is stored.
 */

/** An `idempotency_keys` row as stored. */
export type IdempotencyKeyRow = Selectable<IdempotencyKeyTable>

/** Deletes a merchant's key if it was created before `before` (its window has passed). */
export async function deleteExpiredIdempotencyKey(db: Executor, merchantId: number, key: string, before: number): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('merchant_id', '=', merchantId)
    .where('idempotency_key', '=', key)
    .where('created_at', '<', before)
    .execute()
}

/** A new reservation. */
export interface IdempotencyReservation {
  readonly merchantId: number
  readonly key: string
  readonly requestHash: string
  readonly now: number
}

/** Reserves a key for one request; false when the key is already there (reserved or answered). */
export async function reserveIdempotencyKey(db: Executor, reservation: IdempotencyReservation): Promise<boolean> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({
      merchant_id: reservation.merchantId,
      idempotency_key: reservation.key,
      request_hash: reservation.requestHash,
      response_status: 0,
      response_body: '',
      created_at: reservation.now,
    })
    .onConflict((oc) => oc.columns(['merchant_id', 'idempotency_key']).doNothing())
    .executeTakeFirst()
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1
}

/** A merchant's key, reserved or answered. */
export async function findIdempotencyKey(db: Executor, merchantId: number, key: string): Promise<IdempotencyKeyRow | undefined> {
  return db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst()
}

/** Gives a key up (its request failed), so that a repeat runs again. */
export async function releaseIdempotencyKey(db: Executor, merchantId: number, key: string): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('merchant_id', '=', merchantId).where('idempotency_key', '=', key).execute()
}

/** Stores the response that repeats of a key get back. */
export async function storeIdempotentResponse(
  db: Executor,
  merchantId: number,
  key: string,
  response: { readonly status: number; readonly body: string },
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ response_status: response.status, response_body: response.body })
    .where('merchant_id', '=', merchantId)
    .where('idempotency_key', '=', key)
    .execute()
}
