import { sql, type Kysely } from 'kysely'

import type { DialectName } from '../adapter.js'

/**
 * Signals that let each process cache the API key → merchant lookup (store/merchant-cache.ts)
 * and still see every change to `merchants` and `api_keys`, whichever process made it:
 * - SQLite: `cache_generations` holds one counter per cached table group, bumped by triggers on
 *   every insert, update and delete; a process reads it (one indexed row) before trusting its cache.
 * - PostgreSQL: a statement trigger sends `NOTIFY dawri_merchants` on commit; every process
 *   listens and drops its cache. The same counter table exists for symmetry and is not bumped
 *   (a hot row would serialise every writer).
 */
export function merchantChangeSignalsMigration(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`CREATE TABLE cache_generations (name text PRIMARY KEY, generation bigint NOT NULL)`.execute(db)
      await sql`INSERT INTO cache_generations (name, generation) VALUES ('merchants', 0)`.execute(db)
      if (dialect === 'sqlite') {
        for (const table of ['merchants', 'api_keys']) {
          for (const event of ['INSERT', 'UPDATE', 'DELETE']) {
            await sql
              .raw(
                `CREATE TRIGGER ${table}_${event.toLowerCase()}_signal AFTER ${event} ON ${table} BEGIN ` +
                  `UPDATE cache_generations SET generation = generation + 1 WHERE name = 'merchants'; END`,
              )
              .execute(db)
          }
        }
        return
      }
      await sql`CREATE FUNCTION dawri_merchants_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('dawri_merchants', '');
          RETURN NULL;
        END $$`.execute(db)
      for (const table of ['merchants', 'api_keys']) {
        await sql
          .raw(`CREATE TRIGGER ${table}_changed AFTER INSERT OR UPDATE OR DELETE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION dawri_merchants_changed()`)
          .execute(db)
      }
    },
  }
}
