import { sql, type Kysely } from 'kysely'

import type { DialectName } from '../adapter.js'

/**
 * Authorise now, capture or release later (ExecutePayment with AutoCapture false,
 * UpdatePaymentStatus; see store/database.ts):
 * - `merchants.authorize_capture_enabled`: the per-account feature (0 for every existing one);
 * - `transactions.captured_minor`: what a capture took of an authorised transaction (null for
 *   every other transaction: a `Succss` one took all of `amount_minor`);
 * - `authorization_updates`: one row per Capture or Release that passed its checks, written with
 *   its charge attempt (kind `capture` or `release`; `attempt_id` unique), which the recovery
 *   pass finds again. Its outcome is the attempt's status.
 */
export function authorizeCaptureMigration(dialect: DialectName) {
  const withId = dialect === 'sqlite' ? sql`id integer primary key autoincrement` : sql`id bigserial primary key`
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('merchants')
        .addColumn('authorize_capture_enabled', 'integer', (c) => c.notNull().defaultTo(0))
        .execute()
      await db.schema.alterTable('transactions').addColumn('captured_minor', 'bigint').execute()
      await sql`CREATE TABLE authorization_updates (
        ${withId},
        merchant_id bigint NOT NULL,
        invoice_id bigint NOT NULL,
        transaction_id bigint NOT NULL,
        attempt_id bigint NOT NULL,
        operation text NOT NULL,
        amount_minor bigint NOT NULL,
        currency text NOT NULL,
        created_at bigint NOT NULL,
        CONSTRAINT authorization_updates_attempt UNIQUE (attempt_id)
      )`.execute(db)
      await db.schema.createIndex('authorization_updates_transaction').on('authorization_updates').column('transaction_id').execute()
    },
  }
}
