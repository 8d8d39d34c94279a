import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createStore, type Store } from '../../src/store/create-database.js'
import { advanceClockOffset, insertApiKey } from '../../src/store/merchant.repository.js'
import { updateWebhookSecret } from '../../src/store/webhook-settings.repository.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'

const DAY_MS = 86_400_000
const BODY = { PaymentMethodId: 2, InvoiceValue: 10, CustomerName: 'Cache Test' }

// The API key → merchant lookup is cached per process (store/merchant-cache.ts); these check that
// a change is seen by the next request whether this process or another one made it.
for (const dialect of DIALECTS) {
  describe(`${dialect}: cached API key lookup`, () => {
    let app: TestApp
    /** A second connection to the same database, as another dawri process (the CLI, a worker) has. */
    let otherProcess: Store

    beforeAll(async () => {
      app = await startTestApp(dialect)
      otherProcess = createStore({ url: app.database.url, poolSize: 2 })
    })
    afterAll(async () => {
      await otherProcess.close()
      await app.close()
    })

    /** The local date of a new invoice's CreatedDate: it follows the merchant's sandbox clock. */
    async function invoiceDate(apiKey: string): Promise<string> {
      const created = await app.call('POST', '/v2/ExecutePayment', apiKey, BODY)
      expect(created.status).toBe(200)
      const status = await app.call('POST', '/v2/GetPaymentStatus', apiKey, { Key: String(created.body.Data.InvoiceId), KeyType: 'InvoiceId' })
      return String(status.body.Data.CreatedDate).slice(0, 10)
    }

    it('sees AdvanceClock at the very next request of the same process', async () => {
      const { apiKey } = await app.createMerchant()
      const before = await invoiceDate(apiKey) // caches the merchant
      const advanced = await app.call('POST', '/v2/sandbox/AdvanceClock', apiKey, { Days: 40 })
      expect(advanced.status).toBe(200)
      const after = await invoiceDate(apiKey)
      expect(Date.parse(after) - Date.parse(before)).toBeGreaterThanOrEqual(40 * DAY_MS)
    })

    it('sees a clock moved by another process', async () => {
      const { apiKey, merchant } = await app.createMerchant()
      const before = await invoiceDate(apiKey)
      await advanceClockOffset(otherProcess.db, merchant.id, 100 * DAY_MS)
      // SQLite reads the change counter on every lookup; PostgreSQL hears NOTIFY within milliseconds.
      const deadline = Date.now() + 5_000
      let after = await invoiceDate(apiKey)
      while (Date.parse(after) - Date.parse(before) < 100 * DAY_MS && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20))
        after = await invoiceDate(apiKey)
      }
      expect(Date.parse(after) - Date.parse(before)).toBeGreaterThanOrEqual(100 * DAY_MS)
    })

    it('answers a new key added by another process, and keeps answering the old one', async () => {
      const { apiKey, merchant } = await app.createMerchant()
      await invoiceDate(apiKey)
      const newKey = `second-key-${merchant.id}-${Date.now()}`
      await insertApiKey(otherProcess.db, merchant.id, newKey, Date.now())
      expect((await app.call('POST', '/v2/ExecutePayment', newKey, BODY)).status).toBe(200)
      expect((await app.call('POST', '/v2/ExecutePayment', apiKey, BODY)).status).toBe(200)
    })

    it('serves webhook settings changed elsewhere without a stale merchant', async () => {
      const { apiKey, merchant } = await app.createMerchant()
      await invoiceDate(apiKey)
      await updateWebhookSecret(otherProcess.db, merchant.id, 'rotated-secret')
      const deadline = Date.now() + 5_000
      let seen = await app.deps.store.merchants.findByApiKey(apiKey)
      while (seen?.webhookSecret !== 'rotated-secret' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20))
        seen = await app.deps.store.merchants.findByApiKey(apiKey)
      }
      expect(seen?.webhookSecret).toBe('rotated-secret')
    })

    it('answers repeated lookups from memory until something changes', async () => {
      const { apiKey, merchant } = await app.createMerchant()
      const cache = app.deps.store.merchants
      // Creating the merchant notified every listener (PostgreSQL); let that arrive first.
      await cache.findByApiKey(apiKey)
      await new Promise((r) => setTimeout(r, 300))
      await cache.findByApiKey(apiKey)
      const first = await cache.findByApiKey(apiKey)
      expect(await cache.findByApiKey(apiKey)).toBe(first)
      await advanceClockOffset(app.deps.store.db, merchant.id, 5 * DAY_MS)
      const changed = await cache.findByApiKey(apiKey)
      expect(changed).not.toBe(first)
      expect(changed?.clockOffsetMs).toBe(5 * DAY_MS)
    })

    it('refuses a key that does not exist, every time', async () => {
      for (let i = 0; i < 3; i++) expect((await app.call('POST', '/v2/ExecutePayment', 'no-such-key', BODY)).status).toBe(401)
    })
  })
}
