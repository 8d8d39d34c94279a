import type { Insertable, Selectable } from 'kysely'

import type { AuthorizationUpdateTable, Executor } from './database.js'

/** An `authorization_updates` row: one Capture or Release (UpdatePaymentStatus) and its attempt. */
export type AuthorizationUpdateRow = Selectable<AuthorizationUpdateTable>

/** Writes a capture or release with the attempt that sends it; its row. */
export async function insertAuthorizationUpdate(db: Executor, values: Insertable<AuthorizationUpdateTable>): Promise<AuthorizationUpdateRow> {
  return db.insertInto('authorization_updates').values(values).returningAll().executeTakeFirstOrThrow()
}

/** The capture or release sent by an attempt (the recovery pass finds it again). */
export async function findAuthorizationUpdateOfAttempt(db: Executor, attemptId: number): Promise<AuthorizationUpdateRow | undefined> {
  return db.selectFrom('authorization_updates').selectAll().where('attempt_id', '=', attemptId).executeTakeFirst()
}
