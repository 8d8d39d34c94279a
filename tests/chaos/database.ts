import type { DialectName } from '../../src/store/adapter.js'
import { createStore, type Store } from '../../src/store/create-database.js'
import { createEmptyDatabase } from '../support/test-database.js'

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
  const empty = await createEmptyDatabase(dialect, 'dawri_chaos')
  let store: Store | undefined
  return {
    url: empty.url,
    get store() {
      store ??= createStore({ url: empty.url, poolSize: 3 })
      return store
    },
    async drop() {
      await store?.close()
      await empty.drop()
    },
  }
}
