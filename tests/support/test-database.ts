import { randomBytes } from 'node:crypto'
import { mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import pg from 'pg'

import type { DialectName } from '../../src/store/adapter.js'
import { createStore, type Store } from '../../src/store/create-database.js'
import { migrateToLatest } from '../../src/store/migrate.js'
import { POSTGRES_ADMIN_URL } from './dialects.js'

/** A fresh, migrated database of one dialect, and how to throw it away. */
export interface TestDatabase {
  readonly url: string
  readonly store: Store
  /** Closes the store and deletes the file or drops the database. */
  drop(): Promise<void>
}

/** An empty database of one dialect, not migrated, and how to throw it away. */
export interface EmptyDatabase {
  readonly url: string
  /** Deletes the file or drops the database (close every connection to it first on SQLite). */
  drop(): Promise<void>
}

/**
 * Creates a new empty database named `<prefix>_<time>_<random>`: a file in a directory of its own
 * under the system's temporary directory, or a PostgreSQL database of its own. Not migrated, so a
 * test can run migrations itself (or let the `dawri` processes it starts run them).
 */
export async function createEmptyDatabase(dialect: DialectName, prefix = 'dawri_test'): Promise<EmptyDatabase> {
  const name = `${prefix}_${Date.now()}_${randomBytes(4).toString('hex')}`
  if (dialect === 'sqlite') {
    const dir = join(tmpdir(), name)
    mkdirSync(dir, { recursive: true })
    return {
      url: `sqlite:${join(dir, 'dawri.sqlite')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    }
  }
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
  try {
    await admin.connect()
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL}. Start it with ` +
        '`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` or run only ' +
        'SQLite with TEST_DIALECTS=sqlite.',
      { cause: error },
    )
  }
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(POSTGRES_ADMIN_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const cleaner = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
      await cleaner.connect()
      try {
        await cleaner.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      } finally {
        await cleaner.end()
      }
    },
  }
}

/** Creates a new migrated database (its own SQLite file, or its own PostgreSQL database). */
export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  const empty = await createEmptyDatabase(dialect)
  const store = createStore({ url: empty.url, poolSize: 5 })
  await migrateToLatest(store)
  return {
    url: empty.url,
    store,
    async drop() {
      await store.close()
      await empty.drop()
    },
  }
}
