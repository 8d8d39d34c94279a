import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createCardVault } from '../../src/processor/card-vault.js'
import { createMerchant } from '../../src/services/create-merchant.js'
import { insertCardToken } from '../../src/store/card-token.repository.js'
import { createStore } from '../../src/store/create-database.js'
import { DIALECTS } from '../support/dialects.js'
import { createTestDatabase, type TestDatabase } from '../support/test-database.js'
import { runCli, runCliJson } from './cli-support.js'

const KEY_A = Buffer.alloc(32, 1).toString('base64')
const KEY_B = Buffer.alloc(32, 2).toString('hex')

/** The doctor's lines as [status, check] pairs. */
function statuses(stdout: string): Array<[string, string]> {
  return stdout
    .trimEnd()
    .split('\n')
    .map((line) => {
      const match = /^(ok|FAIL|skip)\s+([a-z ]+):\s/.exec(line)
      return [match?.[1] ?? line, match?.[2] ?? '']
    })
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: dawri doctor`, () => {
    let database: TestDatabase
    let dataDir: string
    beforeAll(async () => {
      database = await createTestDatabase(dialect)
      dataDir = mkdtempSync(join(tmpdir(), 'dawri-doctor-'))
    })
    afterAll(async () => {
      await database?.drop()
      rmSync(dataDir, { recursive: true, force: true })
    })

    it('passes every check on a migrated database, one line each, and changes nothing', async () => {
      const result = await runCli(['doctor', '--database', database.url], { DAWRI_DATA_DIR: dataDir })
      expect(result.status, result.stdout + result.stderr).toBe(0)
      expect(statuses(result.stdout)).toEqual([['ok', 'configuration'], ['ok', 'database'], ['ok', 'migrations'], ['ok', 'vault key']])
      expect(result.stdout).toContain(`ok    vault key:      not set; the sandbox generates ${join(dataDir, 'vault.key')} on first start`)
      expect(result.stdout).toContain(`ok    database:       ${dialect} at `)
      // It generated nothing.
      expect((await runCliJson(['doctor', '--database', database.url], { DAWRI_DATA_DIR: dataDir }))[3]).toMatchObject({ Check: 'vault key', Status: 'ok' })
    })

    it('checks that the vault key reads the stored cards', async () => {
      const { merchant } = await createMerchant(database.store, { name: 'Vault', country: 'KWT', recurringEnabled: true, now: Date.now() })
      await insertCardToken(database.store.db, createCardVault(Buffer.from(KEY_A, 'base64')), {
        merchantId: merchant.id,
        purpose: 'session',
        customerIdentifier: null,
        number: '5123450000000008',
        expiryMonth: '01',
        expiryYear: '39',
        holderName: null,
        now: Date.now(),
      })
      const right = await runCliJson(['doctor', '--database', database.url], { DAWRI_DATA_DIR: dataDir, DAWRI_VAULT_KEY: KEY_A })
      expect(right[3]).toEqual({ Check: 'vault key', Status: 'ok', Detail: 'DAWRI_VAULT_KEY reads the stored cards' })
      const wrong = await runCli(['doctor', '--database', database.url], { DAWRI_DATA_DIR: dataDir, DAWRI_VAULT_KEY: KEY_B })
      expect(wrong.status).toBe(1)
      expect(wrong.stdout).toContain('FAIL  vault key:      DAWRI_VAULT_KEY cannot read the stored cards: it is not the key they were stored with')
      const missing = await runCli(['doctor', '--database', database.url], { DAWRI_DATA_DIR: dataDir })
      expect(missing.status).toBe(1)
      expect(missing.stdout).toContain('but cards are stored: they cannot be read')
      const production = await runCli(['doctor', '--database', database.url], { DAWRI_DATA_DIR: dataDir, DAWRI_MODE: 'production' })
      expect(statuses(production.stdout)[3]).toEqual(['FAIL', 'vault key'])
      expect(production.stdout).toContain('DAWRI_VAULT_KEY is required in production mode')
      const malformed = await runCli(['doctor', '--database', database.url], { DAWRI_DATA_DIR: dataDir, DAWRI_VAULT_KEY: 'short' })
      expect(malformed.stdout).toContain('FAIL  vault key:      DAWRI_VAULT_KEY is malformed')
      expect(malformed.stdout).not.toContain('short')
    })
  })
}

describe('dawri doctor when something is wrong', () => {
  it('names a bad setting, an unreachable database and missing migrations, exit code 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dawri-doctor-bad-'))
    try {
      const badSetting = await runCli(['doctor'], { DAWRI_DATA_DIR: dir, DAWRI_CHARGE_HOUR: '25' })
      expect(badSetting.status).toBe(1)
      expect(statuses(badSetting.stdout)).toEqual([['FAIL', 'configuration'], ['skip', 'database'], ['skip', 'migrations'], ['skip', 'vault key']])
      expect(badSetting.stdout).toContain('DAWRI_CHARGE_HOUR must be between 0 and 23, got 25')

      const unreachable = await runCli(['doctor', '--database', 'postgres://dawri:s3cret@127.0.0.1:1/dawri'], { DAWRI_DATA_DIR: dir })
      expect(unreachable.status).toBe(1)
      expect(statuses(unreachable.stdout)).toEqual([['ok', 'configuration'], ['FAIL', 'database'], ['skip', 'migrations'], ['ok', 'vault key']])
      expect(unreachable.stdout).toContain('connection refused (set DATABASE_URL or --database)')
      expect(unreachable.stdout + unreachable.stderr).not.toContain('s3cret')

      const absent = await runCli(['doctor', '--database', `sqlite:${join(dir, 'none.sqlite')}`], { DAWRI_DATA_DIR: dir })
      expect(absent.status).toBe(1)
      expect(absent.stdout).toContain(`FAIL  database:       ${join(dir, 'none.sqlite')} does not exist yet`)

      const empty = join(dir, 'empty.sqlite')
      await createStore({ url: `sqlite:${empty}` }).close()
      const unmigrated = await runCli(['doctor', '--database', `sqlite:${empty}`], { DAWRI_DATA_DIR: dir })
      expect(unmigrated.status).toBe(1)
      expect(statuses(unmigrated.stdout)).toEqual([['ok', 'configuration'], ['ok', 'database'], ['FAIL', 'migrations'], ['ok', 'vault key']])
      expect(unmigrated.stdout).toMatch(/FAIL {2}migrations: {5}\d+ not applied \(0001-core, .*\): run `dawri migrate`/)

      writeFileSync(join(dir, 'vault.key'), 'garbage\n')
      const badFile = await runCli(['doctor', '--database', `sqlite:${empty}`], { DAWRI_DATA_DIR: dir })
      expect(badFile.stdout).toContain(`FAIL  vault key:      The sandbox vault key file ${join(dir, 'vault.key')} is malformed`)
      expect((await runCli(['doctor', '--verbose'])).status).toBe(2)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
