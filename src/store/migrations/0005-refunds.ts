import { sql, type Kysely } from 'kysely'

import type { DialectName } from '../adapter.js'

/**
 * Refunds (see store/database.ts, `RefundTable`): one row per MakeRefund that passed its checks,
 * written `Pending` with the charge attempt (kind `refund`) that sends it to the processor, and
 * settled `Refunded` or `Canceled` when the outcome is recorded.
 * - `attempt_id` is unique: one refund per attempt, found again by the recovery pass;
 * - `refunds_transaction` serves the refundable-amount check (every refund of the refunded
 *   payment, under the invoice's lock), `refunds_invoice` GetRefundStatus by InvoiceId;
 * - `processor_ledger.operation` tells the processor's charges from its refunds (`charge` for
 *   every row written before), and `refund_of` names the charge a refund returns.
 */
export function refundsMigration(dialect: DialectName) {
  const withId = dialect === 'sqlite' ? sql`id integer primary key autoincrement` : sql`id bigserial primary key`
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`CREATE TABLE refunds (
        ${withId},
        merchant_id bigint NOT NULL,
        invoice_id bigint NOT NULL,
        transaction_id bigint NOT NULL,
        attempt_id bigint NOT NULL,
        amount_minor bigint NOT NULL,
        refund_amount_minor bigint NOT NULL,
        currency text NOT NULL,
        status text NOT NULL,
        comment text,
        external_identifier text,
        service_charge_on_customer integer NOT NULL DEFAULT 0,
        error_code text,
        rrn text,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        CONSTRAINT refunds_attempt UNIQUE (attempt_id)
      )`.execute(db)
      await db.schema.createIndex('refunds_transaction').on('refunds').columns(['transaction_id', 'status']).execute()
      await db.schema.createIndex('refunds_invoice').on('refunds').columns(['invoice_id', 'id']).execute()
      await db.schema
        .alterTable('processor_ledger')
        .addColumn('operation', 'text', (c) => c.notNull().defaultTo('charge'))
        .execute()
      await db.schema.alterTable('processor_ledger').addColumn('refund_of', 'text').execute()
      // The processor sums the refunds of a charge before each refund; only refund rows are indexed.
      await sql`CREATE INDEX processor_ledger_refund_of ON processor_ledger (refund_of) WHERE refund_of IS NOT NULL`.execute(db)
    },
  }
}
