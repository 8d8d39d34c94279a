import type { SelectQueryBuilder } from 'kysely'

/** The SQL dialects dawri runs on. Only this file tells them apart; everyone else asks the adapter. */
export const DIALECT_NAMES = ['sqlite', 'postgres'] as const

/** One of {@link DIALECT_NAMES}. */
export type DialectName = (typeof DIALECT_NAMES)[number]

/**
 * What differs between the databases, asked rather than branched on (Kysely's DialectAdapter
 * does the same for `RETURNING` and migration locks). SQLite is one file written by one
 * connection: Kysely's driver runs one transaction at a time, so a transaction already owns
 * every row it reads and row locks have nothing to add. PostgreSQL serves many connections and
 * many processes, so rows are locked, and work is claimed with `SKIP LOCKED`.
 */
export interface StoreAdapter {
  readonly dialect: DialectName
  /** Several processes may write at once (false for the embedded SQLite file). */
  readonly concurrentWriters: boolean
  /** Write transactions one process may usefully run at once. */
  readonly parallelWrites: number
  /** Locks the rows `query` returns until the transaction ends; others wait for them. */
  lockRows<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>
  /**
   * Locks the rows `query` returns, passing over rows other transactions hold, so that
   * concurrent workers split the work instead of queueing behind each other.
   */
  claimRows<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>
}

const sqliteAdapter: StoreAdapter = {
  dialect: 'sqlite',
  concurrentWriters: false,
  parallelWrites: 1,
  lockRows: (query) => query,
  claimRows: (query) => query,
}

const postgresAdapter: StoreAdapter = {
  dialect: 'postgres',
  concurrentWriters: true,
  parallelWrites: 4,
  lockRows: (query) => query.forUpdate(),
  claimRows: (query) => query.forUpdate().skipLocked(),
}

/** The adapter of a dialect. */
export function adapterFor(dialect: DialectName): StoreAdapter {
  return dialect === 'sqlite' ? sqliteAdapter : postgresAdapter
}
