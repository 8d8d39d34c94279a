import type { Insertable, Selectable } from 'kysely'

import type { Executor, NotificationTable } from './database.js'

/** The sandbox's notification outbox: what SendPayment would have e-mailed or texted. */

/** A notification as stored. */
export type NotificationRow = Selectable<NotificationTable>

/** Records notifications (nothing is sent); one statement. */
export async function insertNotifications(db: Executor, rows: ReadonlyArray<Insertable<NotificationTable>>): Promise<void> {
  if (rows.length === 0) return
  await db.insertInto('notifications').values([...rows]).execute()
}

/**
 * The merchant's notifications, newest first: at most `limit`, only those older than `beforeId`
 * when given (the next page), only those of one invoice when `invoiceId` is given.
 */
export async function listNotifications(
  db: Executor,
  merchantId: number,
  options: { readonly limit: number; readonly beforeId?: number; readonly invoiceId?: number },
): Promise<NotificationRow[]> {
  let query = db.selectFrom('notifications').selectAll().where('merchant_id', '=', merchantId)
  if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId)
  if (options.invoiceId !== undefined) query = query.where('invoice_id', '=', options.invoiceId)
  return query.orderBy('id', 'desc').limit(options.limit).execute()
}
