import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { findMerchantById, listApiKeys } from '../../src/store/merchant.repository.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { runCli, runCliJson } from './cli-support.js'

for (const dialect of DIALECTS) {
  describe(`${dialect}: dawri merchant and dawri key`, () => {
    let t: TestApp
    let db: string[]
    beforeAll(async () => {
      t = await startTestApp(dialect)
      db = ['--database', t.database.url]
    })
    afterAll(async () => t?.close())

    it('lists and shows merchants as tables and as JSON, never with a key', async () => {
      const created = JSON.parse((await runCli(['merchant', 'create', '--name', 'Tea House', '--country', 'BHR', '--recurring', ...db])).stdout) as { MerchantId: number; ApiKey: string; WebhookSecret: string }
      const other = await t.createMerchant({ name: 'Other Shop', bypass3ds: true, webhookUrl: 'http://127.0.0.1:9/hook' })

      const table = await runCli(['merchant', 'list', ...db])
      expect(table.status, table.stderr).toBe(0)
      const lines = table.stdout.trimEnd().split('\n')
      expect(lines[0]).toMatch(/^ID\s+NAME\s+COUNTRY\s+RECURRING\s+BYPASS3DS\s+AUTH\/CAPTURE\s+WEBHOOK$/)
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${created.MerchantId}\\s+Tea House\\s+BHR\\s+yes\\s+no\\s+no\\s+-$`)))
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${other.merchant.id}\\s+Other Shop\\s+KWT\\s+yes\\s+yes\\s+no\\s+v2 http://127.0.0.1:9/hook$`)))

      const listed = await runCliJson<Array<Record<string, unknown>>>(['merchant', 'list', ...db])
      expect(listed.map((merchant) => merchant.MerchantId)).toEqual([created.MerchantId, other.merchant.id])
      expect(listed[0]).toMatchObject({ Name: 'Tea House', Country: 'BHR', Currency: 'BHD', RecurringEnabled: true, Bypass3DS: false, AuthorizeCapture: false, WebhookUrl: null, WebhookVersion: 'v2', ClockOffsetDays: 0 })

      const shown = await runCliJson(['merchant', 'show', String(created.MerchantId), ...db])
      expect(shown).toMatchObject({ MerchantId: created.MerchantId, WebhookSecret: created.WebhookSecret })
      expect(shown.ApiKeys).toEqual([{ Prefix: created.ApiKey.slice(0, 8), CreatedDate: expect.any(String), RevokedDate: null }])
      const human = await runCli(['merchant', 'show', String(created.MerchantId), ...db])
      expect(human.stdout).toMatch(/^Merchant:\s+\d+ Tea House$/m)
      expect(human.stdout).toMatch(/^Country:\s+BHR \(BHD\)$/m)
      for (const output of [table.stdout, JSON.stringify(listed), JSON.stringify(shown), human.stdout]) expect(output).not.toContain(created.ApiKey)
    })

    it('updates webhook settings and approvals; the API applies them at once', async () => {
      const { merchant, apiKey } = await t.createMerchant({ recurring: false })
      const recurringBody = { InvoiceValue: 5, PaymentMethodId: 2, RecurringModel: { RecurringType: 'Daily', Iteration: 2 } }
      expect((await t.call('POST', '/v2/ExecutePayment', apiKey, recurringBody)).status).toBe(400)

      const updated = await runCliJson(['merchant', 'update', String(merchant.id), '--recurring', '--bypass-3ds', '--authorize-capture', '--webhook-url', 'https://shop.example/hooks', '--webhook-version', 'v1', ...db])
      expect(updated).toMatchObject({ MerchantId: merchant.id, RecurringEnabled: true, Bypass3DS: true, AuthorizeCapture: true, WebhookUrl: 'https://shop.example/hooks', WebhookVersion: 'v1' })
      expect(await findMerchantById(t.database.store.db, merchant.id)).toMatchObject({ recurringEnabled: true, bypass3dsEnabled: true, authorizeCaptureEnabled: true, webhookUrl: 'https://shop.example/hooks', webhookVersion: 'v1' })
      expect((await t.call('POST', '/v2/ExecutePayment', apiKey, recurringBody)).status).toBe(200)

      const off = await runCli(['merchant', 'update', String(merchant.id), '--no-recurring', '--no-webhook-url', ...db])
      expect(off.status, off.stderr).toBe(0)
      expect(off.stdout).toContain(`Merchant ${merchant.id} updated:`)
      expect(await findMerchantById(t.database.store.db, merchant.id)).toMatchObject({ recurringEnabled: false, bypass3dsEnabled: true, webhookUrl: null })
      expect((await t.call('POST', '/v2/ExecutePayment', apiKey, recurringBody)).status).toBe(400)
    })

    it('refuses bad usage with exit code 2 and an unknown merchant with exit code 1, changing nothing', async () => {
      const { merchant } = await t.createMerchant({ bypass3ds: false })
      const id = String(merchant.id)
      for (const [args, message] of [
        [['merchant', 'update', id, '--bypass-3ds', '--no-bypass-3ds'], 'Give --bypass-3ds or --no-bypass-3ds, not both'],
        [['merchant', 'update', id], 'Nothing to change'],
        [['merchant', 'update', id, '--webhook-url', 'ftp://x'], '--webhook-url must be an absolute http or https URL'],
        [['merchant', 'update', id, '--webhook-version', 'v3'], '--webhook-version must be one of v1, v2'],
        [['merchant', 'update', 'seven', '--recurring'], 'ID must be a positive whole number'],
        [['merchant', 'show'], 'ID is required'],
        [['merchant', 'list', '--colour'], "Unknown option '--colour'"],
      ] as const) {
        const result = await runCli([...args, ...db])
        expect(result.status, args.join(' ')).toBe(2)
        expect(result.stderr.trim().split('\n'), args.join(' ')).toEqual([expect.stringContaining(message)])
      }
      const missing = await runCli(['merchant', 'update', '999999', '--bypass-3ds', ...db])
      expect(missing.status).toBe(1)
      expect(missing.stderr.trim()).toBe('dawri: No merchant has id 999999 (see `dawri merchant list`)')
      expect((await runCli(['merchant', 'show', '999999', ...db])).status).toBe(1)
      expect((await findMerchantById(t.database.store.db, merchant.id))?.bypass3dsEnabled).toBe(false)
    })

    it('key rotate prints a new key once; the old key stops working in the running server', async () => {
      const { merchant, apiKey } = await t.createMerchant()
      const read = (key: string) => t.call('GET', '/v2/GetRecurringPayment', key)
      // Twice, so a server that caches keys has the old one cached.
      expect((await read(apiKey)).status).toBe(200)
      expect((await read(apiKey)).status).toBe(200)

      const rotated = await runCliJson<{ MerchantId: number; ApiKey: string; RevokedKeys: number }>(['key', 'rotate', '--merchant', String(merchant.id), ...db])
      expect(rotated).toEqual({ MerchantId: merchant.id, ApiKey: expect.stringMatching(/^SK_KWT_[A-Za-z0-9_-]{64}$/), RevokedKeys: 1 })
      expect((await read(apiKey)).status).toBe(401)
      expect((await read(rotated.ApiKey)).status).toBe(200)

      const again = await runCli(['key', 'rotate', '--merchant', String(merchant.id), ...db])
      expect(again.status, again.stderr).toBe(0)
      const newest = /^\s+(SK_KWT_\S+)$/m.exec(again.stdout)?.[1]
      expect(again.stdout).toContain('1 old key revoked')
      expect(newest).toBeDefined()
      expect((await read(rotated.ApiKey)).status).toBe(401)
      expect((await read(newest ?? '')).status).toBe(200)

      const keys = await listApiKeys(t.database.store.db, merchant.id)
      expect(keys.map((key) => key.revoked_at === null)).toEqual([false, false, true])
      expect(JSON.stringify(keys)).not.toContain(newest)

      const unknown = await runCli(['key', 'rotate', '--merchant', '999999', ...db])
      expect(unknown.status).toBe(1)
      expect((await runCli(['key', 'rotate', ...db])).status).toBe(2)
    })
  })
}
