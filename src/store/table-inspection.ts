import { sql, type Selectable } from 'kysely'

import type { Database, Executor } from './database.js'

/**
 * Instance-wide reads that no single table's module owns: whole tables, for operators' checks
 * and tests that inspect what the store holds. Nothing on a request path uses them.
 */

/** Number of rows of a table, every merchant's. */
export async function countRows(db: Executor, table: keyof Database): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()
  return Number(row.count)
}

/** Every row of a table, every merchant's, in no particular order. */
export async function listRows<T extends keyof Database>(db: Executor, table: T): Promise<Array<Selectable<Database[T]>>> {
  const { rows } = await sql<Selectable<Database[T]>>`select * from ${sql.table(table)}`.execute(db)
  return rows
}

/** Every table of the database (Kysely's migration bookkeeping left out) with all its rows. */
export async function dumpTables(db: Executor): Promise<Array<{ name: string; rows: Array<Record<string, unknown>> }>> {
  const tables = await db.introspection.getTables()
  const dumps: Array<{ name: string; rows: Array<Record<string, unknown>> }> = []
  for (const table of tables) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table.name)}`.execute(db)
    dumps.push({ name: table.name, rows })
  }
  return dumps
}

/** Gathers the planner's statistics of every table now (ANALYZE), as autovacuum would. */
export async function gatherStatistics(db: Executor): Promise<void> {
  await sql`ANALYZE`.execute(db)
}
