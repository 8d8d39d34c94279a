import type { Kysely } from 'kysely'

/**
 * Columns and indexes of the webhook outbox (see store/database.ts, `OutboxEventTable`):
 * - `invoice_id`, `customer_reference`: GetWebhooks' `KeyType` filters (reference §7.1);
 * - `ordered`: 0 when sandbox chaos lets later events of the same object overtake this one;
 * - `first_attempt_at`: the retry window is measured from the first attempt, so an event held
 *   back behind an earlier one of the same object still gets its full window;
 * - indexes for a merchant's due events (sandbox AdvanceClock), the per-object ordering check
 *   and the GetWebhooks key filters.
 */
export function webhooksMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('outbox_events').addColumn('invoice_id', 'bigint').execute()
      await db.schema.alterTable('outbox_events').addColumn('customer_reference', 'text').execute()
      await db.schema
        .alterTable('outbox_events')
        .addColumn('ordered', 'integer', (c) => c.notNull().defaultTo(1))
        .execute()
      await db.schema.alterTable('outbox_events').addColumn('first_attempt_at', 'bigint').execute()
      await db.schema
        .createIndex('outbox_events_merchant_due')
        .on('outbox_events')
        .columns(['merchant_id', 'status', 'next_attempt_at'])
        .execute()
      await db.schema
        .createIndex('outbox_events_invoice')
        .on('outbox_events')
        .columns(['merchant_id', 'invoice_id'])
        .execute()
      await db.schema
        .createIndex('outbox_events_customer_reference')
        .on('outbox_events')
        .columns(['merchant_id', 'customer_reference'])
        .execute()
    },
  }
}
