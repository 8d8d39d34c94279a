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

/** Creates a new empty database (its own SQLite file, or its own PostgreSQL database). */
export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  const name = `dawri_test_${Date.now()}_${randomBytes(4).toString('hex')}`
  if (dialect === 'sqlite') {
    const dir = join(tmpdir(), name)
    mkdirSync(dir, { recursive: true })
    const url = `sqlite:${join(dir, 'dawri.sqlite')}`
    const store = createStore({ url })
    await migrateToLatest(store)
    return {
      url,
      store,
      async drop() {
        await store.close()
        rmSync(dir, { recursive: true, force: true })
      },
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
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(POSTGRES_ADMIN_URL)
  url.pathname = `/${name}`
  const store = createStore({ url: url.toString(), poolSize: 5 })
  await migrateToLatest(store)
  return {
    url: url.toString(),
    store,
    async drop() {
      await store.close()
      const cleaner = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
      await cleaner.connect()
      await cleaner.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await cleaner.end()
    },
  }
}
