import { randomBytes } from 'node:crypto'
import { mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import pg from 'pg'

import type { DialectName } from '../../src/store/adapter.js'
import { createStore, type Store } from '../../src/store/create-database.js'
import { POSTGRES_ADMIN_URL } from '../support/dialects.js'

/**
 * A new, empty database for a crash-injection run. Unlike tests/support/test-database.ts it is
 * not migrated here: the built `dawri` processes under test migrate it themselves (the first
 * `merchant create`), so the schema is always the one of the code that runs.
 */
export interface ChaosDatabase {
  readonly url: string
  /** Read-only use by the checks: the rows after the run. */
  readonly store: Store
  drop(): Promise<void>
}

export async function createChaosDatabase(dialect: DialectName): Promise<ChaosDatabase> {
  const name = `dawri_chaos_${Date.now()}_${randomBytes(4).toString('hex')}`
  if (dialect === 'sqlite') {
    const dir = join(tmpdir(), name)
    mkdirSync(dir, { recursive: true })
    const url = `sqlite:${join(dir, 'dawri.sqlite')}`
    let store: Store | undefined
    return {
      url,
      get store() {
        store ??= createStore({ url })
        return store
      },
      async drop() {
        await store?.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(POSTGRES_ADMIN_URL)
  url.pathname = `/${name}`
  let store: Store | undefined
  return {
    url: url.toString(),
    get store() {
      store ??= createStore({ url: url.toString(), poolSize: 3 })
      return store
    },
    async drop() {
      await store?.close()
      const cleaner = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
      await cleaner.connect()
      await cleaner.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await cleaner.end()
    },
  }
}
