import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'

import SqliteDatabase from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDialectConfig } from 'kysely'
import pg from 'pg'

import { adapterFor, type StoreAdapter } from './adapter.js'
import { explainDatabaseError } from './database-errors.js'
import type { Database } from './database.js'
import { createMerchantCache, type MerchantCache } from './merchant-cache.js'

/** A connected database with what it can do. */
export interface Store {
  /** The URL it was opened with (it may hold a password: never print it as is). */
  readonly url: string
  readonly db: Kysely<Database>
  /** What differs between the dialects: locks, claims, writers. */
  readonly adapter: StoreAdapter
  /** The API key → merchant lookup, cached in this process (store/merchant-cache.ts). */
  readonly merchants: MerchantCache
  /** The driver under Kysely, for the hot statements compiled once (store/hot-statements.ts). */
  readonly native: NativeDriver
  /** Closes every connection. */
  close(): Promise<void>
}

/** The connection (SQLite) or pool (PostgreSQL) Kysely runs on. */
export type NativeDriver =
  | { readonly dialect: 'sqlite'; readonly sqlite: SqliteDatabase.Database }
  | { readonly dialect: 'postgres'; readonly pool: pg.Pool }

/** Options for {@link createStore}. */
export interface CreateStoreOptions {
  /** `sqlite:PATH`, `sqlite::memory:` or `postgres://…` (also `postgresql://…`). */
  readonly url: string
  /** Maximum PostgreSQL connections. Default is 10. */
  readonly poolSize?: number
  /** PostgreSQL's `application_name` of these connections, as pg_stat_activity shows them. Default is `dawri`. */
  readonly applicationName?: string
}

/**
 * WAL pages after which the committing connection checkpoints (copies the WAL into the database
 * file and fsyncs it), inside that commit. A checkpoint's stall grows with what it copies and
 * syncs, so small ones keep requests' tail short: ExecutePayment paced at 2,362/s on ext4 had a
 * p99 of 7.7–8.6 ms at 500 pages, 10.7–12.9 ms at SQLite's default of 1,000 and 24.6–26.6 ms at
 * 4,000; a background thread checkpointing every 250 ms did worse (17.8–25.9 ms), its fsyncs
 * stalling the serving connection's WAL writes (bench/README.md).
 */
export const CHECKPOINT_PAGES = 500
/** After a burst, the WAL file is truncated back to this size when it is next reset. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024

/**
 * pg closes a connection idle for 10 s by default; the next burst then waits while PostgreSQL
 * starts a backend for each new one, warms its catalog caches and prepares our named statements
 * again. ExecutePayment paced at 1,456/s after 15 s idle had p99 of 12.6–39 ms, its first
 * 300 ms answering up to 69 ms late (bench/README.md). A pool keeps at most `poolSize` connections
 * either way, so keeping them costs only idle backends. TCP keep-alive probes keep a long-idle
 * connection open through firewalls and show a dead one as an error instead of a hung query.
 */
const NEVER_CLOSE_IDLE = 0 // pg: an idleTimeoutMillis of 0 turns the idle close off

// int8 and numeric come back from pg as strings by default. Our bigints are epoch milliseconds
// and minor units, all far below 2^53, so numbers are exact and simpler to use.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value))

/** Opens the database named by a URL. Does not migrate. */
export function createStore(options: CreateStoreOptions): Store {
  const { url } = options
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length)
    let sqlite: SqliteDatabase.Database
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
      sqlite = new SqliteDatabase(path)
    } catch (error) {
      throw explainDatabaseError(error, url)
    }
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('synchronous = NORMAL')
    sqlite.pragma('busy_timeout = 5000')
    sqlite.pragma('foreign_keys = ON')
    sqlite.pragma(`wal_autocheckpoint = ${CHECKPOINT_PAGES}`)
    sqlite.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`)
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) })
    const merchants = createMerchantCache(db, { dialect: 'sqlite', sqlite })
    const close = async () => {
      await merchants.close()
      await db.destroy()
    }
    return { url, db, adapter: adapterFor('sqlite'), merchants, native: { dialect: 'sqlite', sqlite }, close }
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? 'dawri',
      idleTimeoutMillis: NEVER_CLOSE_IDLE,
      keepAlive: true,
    })
    // An idle client losing its connection must not crash the process.
    pool.on('error', () => undefined)
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    const merchants = createMerchantCache(db, { dialect: 'postgres', url })
    const close = async () => {
      await merchants.close()
      await db.destroy()
    }
    return { url, db, adapter: adapterFor('postgres'), merchants, native: { dialect: 'postgres', pool }, close }
  }
  throw new Error(`Unsupported database URL "${url}": use sqlite:PATH or postgres://…`)
}

/** Statements kept per SQLite connection; past this the cache starts over (dynamic SQL). */
const STATEMENT_CACHE_SIZE = 1000

/**
 * Kysely's SQLite driver prepares every query anew, and with better-sqlite3 preparing costs about
 * as much as running. The driver runs one query at a time on its single connection, so reusing a
 * statement for the same SQL text is safe.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDialectConfig['database'] & object {
  const cache = new Map<string, SqliteDatabase.Statement>()
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = cache.get(sql)
      if (!statement) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear()
        statement = sqlite.prepare(sql)
        cache.set(sql, statement)
      }
      return statement
    },
  }
}
