import { statSync } from 'node:fs'

import { afterEach, describe, expect, it } from 'vitest'

import { CHECKPOINT_PAGES, createStore } from '../../src/store/create-database.js'
import { countMerchants, insertMerchant } from '../../src/store/merchant.repository.js'
import { createTestDatabase, type TestDatabase } from '../support/test-database.js'

/**
 * SQLite checkpoints run in the committing connection every CHECKPOINT_PAGES WAL pages, small so
 * that each one stalls a request only briefly (store/create-database.ts). These tests see that the
 * WAL is copied into the database file as writes go on, that it stays near that size, and that
 * nothing written is lost across a reopen.
 */
describe('SQLite checkpoints', () => {
  let database: TestDatabase | undefined
  afterEach(async () => {
    await database?.drop()
    database = undefined
  })

  const writeMerchants = async (db: TestDatabase, count: number) => {
    for (let i = 0; i < count; i++) {
      await insertMerchant(db.store.db, {
        name: `merchant ${i} ${'x'.repeat(2000)}`,
        country: 'KWT',
        recurringEnabled: true,
        bypass3dsEnabled: false,
        webhookUrl: null,
        webhookVersion: 'v2',
        webhookSecret: 'secret',
        now: Date.now(),
      })
    }
  }

  it(`checkpoints every ${CHECKPOINT_PAGES} pages, so the WAL stays small while the file grows`, async () => {
    database = await createTestDatabase('sqlite')
    const { store } = database
    if (store.native.dialect !== 'sqlite') throw new Error('expected SQLite')
    expect(store.native.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(CHECKPOINT_PAGES)
    const path = store.url.slice('sqlite:'.length)
    const fileBefore = statSync(path).size

    let largestWal = 0
    for (let round = 0; round < 8; round++) {
      // ~1,000 rows of ~2 KB: about 4,000 WAL pages a round, 8 times the checkpoint threshold.
      await writeMerchants(database, 1000)
      largestWal = Math.max(largestWal, statSync(`${path}-wal`).size)
    }
    // About 130 MB of WAL pages went through; the WAL never held more than a few checkpoints' worth
    // (500 pages of 4 KB are 2 MB), and the pages are in the database file.
    expect(largestWal).toBeLessThan(4 * CHECKPOINT_PAGES * 4096)
    expect(statSync(path).size - fileBefore).toBeGreaterThan(10_000_000)
    expect(await countMerchants(store.db)).toBe(8000)
  })

  it('keeps every commit across a reopen', async () => {
    database = await createTestDatabase('sqlite')
    const { store } = database
    await writeMerchants(database, 300)
    await store.close()
    const reopened = createStore({ url: store.url })
    try {
      expect(await countMerchants(reopened.db)).toBe(300)
    } finally {
      await reopened.close()
    }
  })
})
