import { sql, type Kysely } from 'kysely'

import type { DialectName } from '../adapter.js'

/** The tables whose rows carry a number a merchant sees, and the reference it appears in. */
const NUMBERED_TABLES = [
  { table: 'invoices', kind: 'invoice' }, // InvoiceReference
  { table: 'transactions', kind: 'transaction' }, // TrackId
  { table: 'refunds', kind: 'refund' }, // RefundReference
] as const

/**
 * Per-merchant reference numbers: InvoiceReference, TrackId and RefundReference count each
 * merchant's own invoices, transactions and refunds, so no merchant can read another's volume
 * from them. `reference_number` is filled by the database on insert, whichever code inserts:
 * - SQLite: `merchant_reference_counters` (one row per merchant and kind) is bumped by an
 *   AFTER INSERT trigger, which copies the new value into the row;
 * - PostgreSQL: one sequence per merchant and kind (`dawri_ref_<merchant>_<kind>`, created with
 *   the merchant by a trigger), drawn by a BEFORE INSERT trigger — no row lock, so a merchant's
 *   concurrent payments never wait on each other.
 * Existing rows keep the references they had: their number is their id, and each merchant's
 * counters start above the largest of them.
 */
export function merchantReferenceNumbersMigration(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const { table } of NUMBERED_TABLES) {
        await sql.raw(`ALTER TABLE ${table} ADD COLUMN reference_number bigint`).execute(db)
        await sql.raw(`UPDATE ${table} SET reference_number = id`).execute(db)
      }
      await sql`CREATE INDEX refunds_reference_number ON refunds (merchant_id, reference_number)`.execute(db)
      if (dialect === 'sqlite') await sqliteCounters(db)
      else await postgresSequences(db)
    },
  }
}

async function sqliteCounters(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE merchant_reference_counters (
    merchant_id bigint NOT NULL,
    kind text NOT NULL,
    value bigint NOT NULL,
    PRIMARY KEY (merchant_id, kind)
  )`.execute(db)
  for (const { table, kind } of NUMBERED_TABLES) {
    await sql
      .raw(
        `INSERT INTO merchant_reference_counters (merchant_id, kind, value)
         SELECT merchant_id, '${kind}', MAX(id) FROM ${table} GROUP BY merchant_id`,
      )
      .execute(db)
    await sql
      .raw(
        `CREATE TRIGGER ${table}_reference_number AFTER INSERT ON ${table} WHEN NEW.reference_number IS NULL BEGIN
           INSERT INTO merchant_reference_counters (merchant_id, kind, value) VALUES (NEW.merchant_id, '${kind}', 1)
             ON CONFLICT (merchant_id, kind) DO UPDATE SET value = value + 1;
           UPDATE ${table} SET reference_number = (
             SELECT value FROM merchant_reference_counters WHERE merchant_id = NEW.merchant_id AND kind = '${kind}'
           ) WHERE id = NEW.id;
         END`,
      )
      .execute(db)
  }
}

async function postgresSequences(db: Kysely<unknown>): Promise<void> {
  const kinds = NUMBERED_TABLES.map(({ kind }) => `'${kind}'`).join(', ')
  // One sequence per merchant and kind; `start` is 1 for a new merchant.
  await sql
    .raw(
      `CREATE FUNCTION dawri_create_reference_sequences(merchant bigint, start_at jsonb) RETURNS void LANGUAGE plpgsql AS $$
       DECLARE kind text;
       BEGIN
         FOREACH kind IN ARRAY ARRAY[${kinds}] LOOP
           EXECUTE format('CREATE SEQUENCE IF NOT EXISTS dawri_ref_%s_%s START %s', merchant, kind, COALESCE((start_at ->> kind)::bigint, 0) + 1);
         END LOOP;
       END $$`,
    )
    .execute(db)
  await sql`CREATE FUNCTION dawri_merchant_created() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM dawri_create_reference_sequences(NEW.id, '{}'::jsonb);
      RETURN NULL;
    END $$`.execute(db)
  await sql`CREATE TRIGGER merchants_reference_sequences AFTER INSERT ON merchants FOR EACH ROW EXECUTE FUNCTION dawri_merchant_created()`.execute(db)
  await sql`CREATE FUNCTION dawri_next_reference_number() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.reference_number IS NULL THEN
        NEW.reference_number := nextval(format('dawri_ref_%s_%s', NEW.merchant_id, TG_ARGV[0])::regclass);
      END IF;
      RETURN NEW;
    END $$`.execute(db)
  for (const { table, kind } of NUMBERED_TABLES) {
    await sql
      // WHEN: an insert that draws its number itself (the ExecutePayment statement) calls no function.
      .raw(
        `CREATE TRIGGER ${table}_reference_number BEFORE INSERT ON ${table} FOR EACH ROW ` +
          `WHEN (NEW.reference_number IS NULL) EXECUTE FUNCTION dawri_next_reference_number('${kind}')`,
      )
      .execute(db)
  }
  const starts = NUMBERED_TABLES.map(({ table, kind }) => `'${kind}', (SELECT MAX(id) FROM ${table} t WHERE t.merchant_id = m.id)`).join(', ')
  await sql.raw(`SELECT dawri_create_reference_sequences(m.id, jsonb_strip_nulls(jsonb_build_object(${starts}))) FROM merchants m`).execute(db)
}
