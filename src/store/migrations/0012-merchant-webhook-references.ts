import { sql, type Kysely } from 'kysely'

import type { DialectName } from '../adapter.js'

/** Every kind numbered per merchant: 0011's three and this migration's `webhook`. */
const ALL_KINDS = ['invoice', 'transaction', 'refund', 'webhook'] as const

/**
 * Per-merchant webhook references: `WH-<n>` (v2 `Event.Reference`, GetWebhooks'
 * `WebhookReference`, ResendWebhook's `Reference`) counts each merchant's own outbox events, as
 * migration 0011 did for InvoiceReference, TrackId and RefundReference, and by the same means:
 * `outbox_events.reference_number` is filled by the database on insert, whichever code inserts:
 * - SQLite: 0011's `merchant_reference_counters` gets a `webhook` row per merchant, bumped by an
 *   AFTER INSERT trigger that copies the new value into the row;
 * - PostgreSQL: one more sequence per merchant (`dawri_ref_<merchant>_webhook`), drawn by a
 *   BEFORE INSERT trigger running 0011's `dawri_next_reference_number`; 0011's
 *   `dawri_create_reference_sequences`, which the merchants trigger calls for every new
 *   merchant, is replaced by one that also creates this sequence.
 * A merchant's numbers are unique (`outbox_events_reference_number`, which also serves the
 * look-ups by reference). Existing events keep the references they had: their number is their
 * id, and each merchant's count starts above the largest of them.
 */
export function merchantWebhookReferencesMigration(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`ALTER TABLE outbox_events ADD COLUMN reference_number bigint`.execute(db)
      await sql`UPDATE outbox_events SET reference_number = id`.execute(db)
      await sql`CREATE UNIQUE INDEX outbox_events_reference_number ON outbox_events (merchant_id, reference_number)`.execute(db)
      if (dialect === 'sqlite') await sqliteCounter(db)
      else await postgresSequences(db)
    },
  }
}

async function sqliteCounter(db: Kysely<unknown>): Promise<void> {
  await sql`INSERT INTO merchant_reference_counters (merchant_id, kind, value)
    SELECT merchant_id, 'webhook', MAX(id) FROM outbox_events GROUP BY merchant_id`.execute(db)
  await sql`CREATE TRIGGER outbox_events_reference_number AFTER INSERT ON outbox_events WHEN NEW.reference_number IS NULL BEGIN
      INSERT INTO merchant_reference_counters (merchant_id, kind, value) VALUES (NEW.merchant_id, 'webhook', 1)
        ON CONFLICT (merchant_id, kind) DO UPDATE SET value = value + 1;
      UPDATE outbox_events SET reference_number = (
        SELECT value FROM merchant_reference_counters WHERE merchant_id = NEW.merchant_id AND kind = 'webhook'
      ) WHERE id = NEW.id;
    END`.execute(db)
}

async function postgresSequences(db: Kysely<unknown>): Promise<void> {
  const kinds = ALL_KINDS.map((kind) => `'${kind}'`).join(', ')
  // Same signature and body as 0011's, one kind more: the merchants trigger calls it by name.
  await sql
    .raw(
      `CREATE OR REPLACE FUNCTION dawri_create_reference_sequences(merchant bigint, start_at jsonb) RETURNS void LANGUAGE plpgsql AS $$
       DECLARE kind text;
       BEGIN
         FOREACH kind IN ARRAY ARRAY[${kinds}] LOOP
           EXECUTE format('CREATE SEQUENCE IF NOT EXISTS dawri_ref_%s_%s START %s', merchant, kind, COALESCE((start_at ->> kind)::bigint, 0) + 1);
         END LOOP;
       END $$`,
    )
    .execute(db)
  await sql`CREATE TRIGGER outbox_events_reference_number BEFORE INSERT ON outbox_events FOR EACH ROW
    WHEN (NEW.reference_number IS NULL) EXECUTE FUNCTION dawri_next_reference_number('webhook')`.execute(db)
  // Existing merchants' other sequences exist already (IF NOT EXISTS): only `webhook` is created.
  await sql`SELECT dawri_create_reference_sequences(m.id, jsonb_strip_nulls(jsonb_build_object(
    'webhook', (SELECT MAX(id) FROM outbox_events o WHERE o.merchant_id = m.id)))) FROM merchants m`.execute(db)
}
