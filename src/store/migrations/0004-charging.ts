import { sql, type Kysely } from 'kysely'

import type { DialectName } from '../adapter.js'

/**
 * One table of charge attempts for every movement of money (see store/database.ts,
 * `ChargeAttemptTable`). The attempts of the recurring engine move over from
 * `recurrence_attempts` with their ids, so the processor's idempotency keys (`attempt-<id>`)
 * of charges already made keep naming the same attempts.
 * - `kind` says why the money moves: a customer's payment, a renewal, a retry or a resume;
 * - `recurrence_id`, `cycle`, `attempt_number` are set for the recurring kinds only; the unique
 *   key still refuses a second attempt with the same number in a cycle;
 * - `lease_until` (real time) keeps the recovery pass off a customer's attempt while the request
 *   that opened it is still charging; renewals are leased through their recurrence;
 * - `transactions.save_card`: the customer asked to keep the card (SaveToken); it becomes a saved
 *   token only when the payment is approved, so a payment that loses leaves no saved card.
 */
export function chargingMigration(dialect: DialectName) {
  const withId = dialect === 'sqlite' ? sql`id integer primary key autoincrement` : sql`id bigserial primary key`
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`CREATE TABLE charge_attempts (
        ${withId},
        merchant_id bigint NOT NULL,
        invoice_id bigint NOT NULL,
        kind text NOT NULL,
        recurrence_id bigint,
        cycle integer,
        attempt_number integer,
        status text NOT NULL,
        error_code text,
        lease_until bigint,
        created_at bigint NOT NULL,
        resolved_at bigint,
        CONSTRAINT charge_attempts_once UNIQUE (recurrence_id, cycle, attempt_number)
      )`.execute(db)
      await sql`INSERT INTO charge_attempts
          (id, merchant_id, invoice_id, kind, recurrence_id, cycle, attempt_number, status, error_code, lease_until, created_at, resolved_at)
        SELECT a.id, a.merchant_id, a.invoice_id,
          CASE WHEN a.attempt_number = 0 THEN 'renewal' WHEN a.attempt_number <= r.retry_count THEN 'retry' ELSE 'resume' END,
          a.recurrence_id, a.cycle, a.attempt_number, a.status, a.error_code, NULL, a.created_at, a.resolved_at
        FROM recurrence_attempts a JOIN recurrences r ON r.id = a.recurrence_id`.execute(db)
      if (dialect === 'postgres') {
        await sql`SELECT setval(pg_get_serial_sequence('charge_attempts', 'id'), COALESCE((SELECT max(id) FROM charge_attempts), 0) + 1, false)`.execute(db)
      }
      await db.schema.dropTable('recurrence_attempts').execute()
      await db.schema.createIndex('charge_attempts_merchant_open').on('charge_attempts').columns(['merchant_id', 'status']).execute()
      await db.schema.createIndex('charge_attempts_open').on('charge_attempts').columns(['status', 'lease_until']).execute()
      await db.schema.createIndex('charge_attempts_invoice').on('charge_attempts').columns(['invoice_id', 'status']).execute()
      await db.schema
        .alterTable('transactions')
        .addColumn('save_card', 'integer', (c) => c.notNull().defaultTo(0))
        .execute()
    },
  }
}
