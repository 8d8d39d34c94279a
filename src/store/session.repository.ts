import type { Insertable, Selectable } from 'kysely'

import type { Executor, SessionTable } from './database.js'

/** An InitiateSession session as stored. */
export type SessionRow = Selectable<SessionTable>

/** The columns of a new session. */
export type NewSession = Insertable<SessionTable>

/** Stores a new session. */
export async function insertSession(db: Executor, session: NewSession): Promise<void> {
  await db.insertInto('sessions').values(session).execute()
}

/** A session by its SessionId, whichever merchant it belongs to (the Card View: the id is the credential). */
export async function findSession(db: Executor, sessionId: string): Promise<SessionRow | undefined> {
  return db.selectFrom('sessions').selectAll().where('id', '=', sessionId).executeTakeFirst()
}

/** A session of this merchant; another merchant's session is not found. */
export async function findMerchantSession(db: Executor, merchantId: number, sessionId: string): Promise<SessionRow | undefined> {
  return db.selectFrom('sessions').selectAll().where('id', '=', sessionId).where('merchant_id', '=', merchantId).executeTakeFirst()
}

/** Marks a session used at `now`; false when it was already used (sessions are single use). */
export async function markSessionUsed(db: Executor, sessionId: string, now: number): Promise<boolean> {
  const result = await db.updateTable('sessions').set({ used_at: now }).where('id', '=', sessionId).where('used_at', 'is', null).executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * Binds the card the Card View collected to a session not used yet; false when ExecutePayment
 * consumed the session first.
 */
export async function bindSessionCard(db: Executor, sessionId: string, cardTokenId: number): Promise<boolean> {
  const result = await db
    .updateTable('sessions')
    .set({ card_token_id: cardTokenId })
    .where('id', '=', sessionId)
    .where('used_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}
