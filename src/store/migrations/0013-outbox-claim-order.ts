import type { Kysely } from 'kysely'

/**
 * The webhook claim returns due events in `(next_attempt_at, id)` order, a few at a time. The
 * indexes it walked, `(status, next_attempt_at)` and `(merchant_id, status, next_attempt_at)`,
 * gave that order only up to `next_attempt_at`; the events of one AdvanceClock day or one billing
 * pass all share their due instant, so PostgreSQL read every one of them (and probed each for an
 * earlier pending event of its object) before it could sort by id and keep 16: one claim cost
 * the whole backlog, a day's deliveries its square (the soak measured 100–170 ms per claim with
 * about 1,000 events pending, 28.7 s for one AdvanceClock). With `id` in the index the scan is in
 * claim order and stops at the limit. The new indexes cover the old ones' prefixes, which go.
 * (SQLite's indexes end with the rowid, which is `id`, so they already had the order; the same
 * indexes keep both databases alike.)
 */
export function outboxClaimOrderMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createIndex('outbox_events_due_order').on('outbox_events').columns(['status', 'next_attempt_at', 'id']).execute()
      await db.schema
        .createIndex('outbox_events_merchant_due_order')
        .on('outbox_events')
        .columns(['merchant_id', 'status', 'next_attempt_at', 'id'])
        .execute()
      await db.schema.dropIndex('outbox_events_due').execute()
      await db.schema.dropIndex('outbox_events_merchant_due').execute()
    },
  }
}
