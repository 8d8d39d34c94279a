import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { hashApiKey } from '../../src/store/merchant.repository.js'
import { dumpTables } from '../../src/store/table-inspection.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'

/** API keys: stored only as hashes, looked up by their hash, never compared as text. */

const source = (path: string) => readFileSync(join(process.cwd(), path), 'utf8')

describe('API keys in the code', () => {
  it('authentication hands the key to the store lookup and never compares it itself', () => {
    const auth = source('src/http/api/auth.ts')
    expect(auth).toMatch(/findByApiKey\(match\[1\]\)/)
    // No equality, startsWith or localeCompare on the token anywhere in the hook.
    expect(auth).not.toMatch(/match\[1\]\s*(===|==|!==|!=)|(===|==)\s*match\[1\]|\.startsWith\(|localeCompare/)
  })

  it('the store and its cache look keys up by their SHA-256, and the cache is keyed by the hash', () => {
    const repository = source('src/store/merchant.repository.ts')
    expect(repository).toMatch(/return sha256Hex\(apiKey\)/)
    expect(hashApiKey('a key')).toBe(createHash('sha256').update('a key', 'utf8').digest('hex'))
    expect(repository).toMatch(/where\('api_keys\.key_hash', '=', keyHash\)/)
    expect(repository).not.toMatch(/key_plain|api_key['"]?\s*:/)
    const cache = source('src/store/merchant-cache.ts')
    expect(cache).toMatch(/const hash = hashApiKey\(apiKey\)/)
    expect(cache).toMatch(/entries\.get\(hash\)/)
    expect(cache).not.toMatch(/entries\.(get|set|delete)\(apiKey/)
  })

  it('the pages compare their HMACs in constant time', () => {
    const pages = source('src/http/pages/page-security.ts')
    expect(pages).toMatch(/timingSafeEqual/)
    expect(pages).toMatch(/return equalText\(signature, mac\(/)
  })
})

for (const dialect of DIALECTS) {
  describe(`${dialect}: API keys at rest and at lookup`, () => {
    let app: TestApp

    beforeAll(async () => {
      app = await startTestApp(dialect)
    })
    afterAll(async () => app?.close())

    it('no table holds a key in plaintext; api_keys holds its SHA-256 and an 8-character prefix', async () => {
      const first = await app.createMerchant({ name: 'One' })
      const second = await app.createMerchant({ name: 'Two' })
      const tables = await dumpTables(app.deps.store.db)
      const everything = JSON.stringify(tables)
      for (const { apiKey } of [first, second]) {
        expect(everything.includes(apiKey)).toBe(false)
        expect(everything.includes(apiKey.slice(8))).toBe(false)
        expect(everything).toContain(hashApiKey(apiKey))
      }
      const keys = tables.find((table) => table.name === 'api_keys')?.rows ?? []
      expect(keys.map((row) => String(row.key_prefix).length)).toEqual([8, 8])
      // The merchants table has no key column at all.
      const merchantColumns = Object.keys(tables.find((table) => table.name === 'merchants')?.rows[0] ?? {})
      expect(merchantColumns.filter((column) => /key|secret/i.test(column) && !/webhook_secret/.test(column))).toEqual([])
    })

    it('a request’s key is found through its hash: a row holding the hash opens, a row holding the key text does not', async () => {
      const { merchant } = await app.createMerchant({ name: 'Hashed' })
      const viaHash = 'sk_test_hashed_lookup_0123456789abcdef'
      const plaintext = 'sk_test_plaintext_row_0123456789abcdef'
      // Written directly (not through insertApiKey): what the table holds decides.
      await app.deps.store.db
        .insertInto('api_keys')
        .values([
          { merchant_id: merchant.id, key_hash: hashApiKey(viaHash), key_prefix: viaHash.slice(0, 8), created_at: Date.now(), revoked_at: null },
          { merchant_id: merchant.id, key_hash: plaintext, key_prefix: plaintext.slice(0, 8), created_at: Date.now(), revoked_at: null },
        ])
        .execute()
      app.deps.store.merchants.invalidate()
      const ask = (key: string) => app.call('POST', '/v2/InitiatePayment', key, { InvoiceAmount: 1, CurrencyIso: 'KWD' })
      expect((await ask(viaHash)).status).toBe(200)
      expect((await ask(plaintext)).status).toBe(401)
      // The hash itself is no key either.
      expect((await ask(hashApiKey(viaHash))).status).toBe(401)
    })

    it('wrong keys are refused alike, whatever they share with a real one', async () => {
      const { apiKey } = await app.createMerchant({ name: 'Guessed' })
      const variants = [apiKey.slice(0, -1) + (apiKey.endsWith('a') ? 'b' : 'a'), apiKey.slice(0, 8), `${apiKey}x`, apiKey.toLowerCase() === apiKey ? apiKey.toUpperCase() : apiKey.toLowerCase(), 'x'.repeat(apiKey.length)]
      for (const key of variants) {
        const response = await app.call('POST', '/v2/InitiatePayment', key, { InvoiceAmount: 1, CurrencyIso: 'KWD' })
        expect(response.status, key).toBe(401)
        expect(response.body).toEqual({ IsSuccess: false, Message: 'The token is not valid or it is expired!', ValidationErrors: null, Data: null })
      }
    })
  })
}
