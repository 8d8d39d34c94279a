import { Migrator, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { toInvoiceId } from '../../src/domain/public-ids.js'
import { createStore } from '../../src/store/create-database.js'
import { listMigrations, migrateToLatest } from '../../src/store/migrate.js'
import { enqueueEvents } from '../../src/webhooks/outbox.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { createEmptyDatabase } from '../support/test-database.js'
import { runCli, runCliJson } from './cli-support.js'
import { consoleClient, formToken, signIn } from './console-support.js'
import { emitPayment, insertInvoice, insertTransaction, startReceiver, type Receiver } from './webhooks-receiver.js'

const ADMIN_TOKEN = 'webhook-references-admin-token-0123456789'

// `WH-<n>` counts each merchant's own webhook events (migration 0012), as InvoiceReference, TrackId
// and RefundReference do (merchant-references.test.ts): interleaving two merchants' events must not
// show either one the other's volume, and every place that takes a reference resolves it for its
// merchant.
for (const dialect of DIALECTS) {
  describe(`${dialect}: per-merchant webhook references`, () => {
    let t: TestApp
    let receiver: Receiver
    let a: { id: number; apiKey: string; secret: string }
    let b: { id: number; apiKey: string; secret: string }
    /** Internal invoice id of each event, by merchant and reference. */
    const invoices = new Map<string, number>()
    let database: string[]

    beforeAll(async () => {
      t = await startTestApp(dialect, { env: { DAWRI_ADMIN_TOKEN: ADMIN_TOKEN } })
      receiver = await startReceiver()
      database = ['--database', t.database.url]
      for (const name of ['a', 'b'] as const) {
        const created = await t.createMerchant({ name: `Merchant ${name}`, webhookUrl: receiver.url })
        const merchant = { id: created.merchant.id, apiKey: created.apiKey, secret: created.merchant.webhookSecret }
        if (name === 'a') a = merchant
        else b = merchant
      }
      // A's event, B's event, A's event: written as services write them; no worker delivers them.
      for (const [merchant, label] of [[a, 'a:WH-1'], [b, 'b:WH-1'], [a, 'a:WH-2']] as const) {
        const invoiceId = await insertInvoice(t.deps.store.db, merchant.id, { now: Date.now() })
        await emitPayment(t.deps, merchant.id, invoiceId, { now: Date.now(), status: 'Succss' })
        invoices.set(label, invoiceId)
      }
    })
    afterAll(async () => {
      await receiver?.close()
      await t?.close()
    })

    const list = async (apiKey: string, body: Record<string, unknown> = {}) => {
      const answer = await t.call('POST', '/v2/GetWebhooks', apiKey, body)
      expect(answer.status, JSON.stringify(answer.body)).toBe(200)
      return answer.body.Data.Items as Array<{ WebhookReference: string; Data: any; Status: string; Attempts: unknown[] }>
    }
    const invoiceIdOf = (label: string) => String(toInvoiceId(invoices.get(label) ?? 0, t.deps.ids))

    it('A, B, A: A sees WH-1 and WH-2, B sees WH-1, in GetWebhooks and in the bodies written at enqueue time', async () => {
      const itemsA = await list(a.apiKey)
      const itemsB = await list(b.apiKey)
      expect(itemsA.map((item) => item.WebhookReference)).toEqual(['WH-1', 'WH-2'])
      expect(itemsB.map((item) => item.WebhookReference)).toEqual(['WH-1'])
      for (const item of [...itemsA, ...itemsB]) expect(item.Data.Event.Reference).toBe(item.WebhookReference)
      expect(itemsA.map((item) => item.Data.Data.Invoice.Id)).toEqual([invoiceIdOf('a:WH-1'), invoiceIdOf('a:WH-2')])
      expect(itemsB[0]?.Data.Data.Invoice.Id).toBe(invoiceIdOf('b:WH-1'))
    })

    it('numbers a batch of several merchants’ events (one insert) per merchant, bodies included', async () => {
      const transactionIds = await t.deps.store.db.transaction().execute(async (trx) => {
        const ids: number[] = []
        for (const merchant of [b, a, b, b]) {
          const invoiceId = await insertInvoice(trx, merchant.id, { now: Date.now() })
          ids.push(await insertTransaction(trx, merchant.id, invoiceId, { now: Date.now(), status: 'Failed' }))
        }
        await enqueueEvents(trx, t.deps, ids.map((transactionId) => ({ kind: 'payment' as const, transactionId })), Date.now())
        return ids
      })
      expect(transactionIds).toHaveLength(4)
      const itemsA = await list(a.apiKey)
      const itemsB = await list(b.apiKey)
      expect(itemsA.map((item) => item.WebhookReference)).toEqual(['WH-1', 'WH-2', 'WH-3'])
      expect(itemsB.map((item) => item.WebhookReference)).toEqual(['WH-1', 'WH-2', 'WH-3', 'WH-4'])
      for (const item of [...itemsA, ...itemsB]) expect(item.Data.Event.Reference).toBe(item.WebhookReference)
    })

    it('GetWebhooks by WebhookReference finds the caller’s own event of that number', async () => {
      const [ownA] = await list(a.apiKey, { KeyType: 'WebhookReference', Key: 'WH-1' })
      const [ownB] = await list(b.apiKey, { KeyType: 'WebhookReference', Key: ['WH-1'] })
      expect(ownA?.Data.Data.Invoice.Id).toBe(invoiceIdOf('a:WH-1'))
      expect(ownB?.Data.Data.Invoice.Id).toBe(invoiceIdOf('b:WH-1'))
      expect(await list(a.apiKey, { KeyType: 'WebhookReference', Key: ['WH-4', 'WH-99'] })).toEqual([])
      expect((await list(b.apiKey, { KeyType: 'WebhookReference', Key: ['WH-4', 'WH-99'] })).map((item) => item.WebhookReference)).toEqual(['WH-4'])
    })

    it('ResendWebhook of WH-1 by A resends A’s own WH-1, never B’s; a number A does not have is 404', async () => {
      const before = receiver.received.length
      receiver.secret = a.secret
      const resent = await t.call('POST', '/v2/ResendWebhook', a.apiKey, { Reference: 'WH-1' })
      expect(resent.status, JSON.stringify(resent.body)).toBe(200)
      expect(resent.body.Data.WebhookReference).toBe('WH-1')
      expect(resent.body.Data.Data.Data.Invoice.Id).toBe(invoiceIdOf('a:WH-1'))
      expect(receiver.received.slice(before).map((w) => [w.reference, w.headers['dawri-webhook-reference'], w.body.Data.Invoice.Id, w.signatureValid])).toEqual([
        ['WH-1', 'WH-1', invoiceIdOf('a:WH-1'), true],
      ])
      // B's WH-1 was not touched.
      const [untouched] = await list(b.apiKey, { KeyType: 'WebhookReference', Key: 'WH-1' })
      expect([untouched?.Status, untouched?.Attempts]).toEqual(['Waiting', []])
      const missing = await t.call('POST', '/v2/ResendWebhook', a.apiKey, { Reference: 'WH-4' })
      expect(missing.status).toBe(404)
      expect(receiver.received).toHaveLength(before + 1)
    })

    it('the console: a merchant opens its own WH-n; the operator’s URLs carry the merchant, a bare reference of several merchants lists them', async () => {
      const sessionB = await signIn(t.baseUrl, b.apiKey)
      const ownPage = await sessionB.get('/console/webhooks/WH-1')
      expect(ownPage.status).toBe(200)
      expect(ownPage.html).toContain(invoiceIdOf('b:WH-1'))
      expect(ownPage.html).not.toContain(invoiceIdOf('a:WH-1'))
      const log = await sessionB.get('/console/webhooks?q=WH-1')
      expect([...log.html.matchAll(/href="(\/console\/webhooks\/WH-[^"]*)"/g)].map((m) => m[1])).toEqual(['/console/webhooks/WH-1'])
      expect((await sessionB.get('/console/webhooks/WH-5')).status).toBe(404)

      const operator = await signIn(t.baseUrl, ADMIN_TOKEN, { operator: true })
      const search = await operator.get('/console/webhooks?q=WH-1')
      const links = [...search.html.matchAll(/href="(\/console\/webhooks\/WH-[^"]*)"/g)].map((m) => m[1]?.replace(/&amp;/g, '&'))
      expect(links.sort()).toEqual([`/console/webhooks/WH-1?merchant=${a.id}`, `/console/webhooks/WH-1?merchant=${b.id}`].sort())
      const pageA = await operator.get(`/console/webhooks/WH-1?merchant=${a.id}`)
      expect(pageA.status).toBe(200)
      expect(pageA.html).toContain(invoiceIdOf('a:WH-1'))
      expect(pageA.html).toContain(`action="/console/webhooks/WH-1/resend?merchant=${a.id}"`)
      const pageB = await operator.get(`/console/webhooks/WH-1?merchant=${b.id}`)
      expect(pageB.html).toContain(invoiceIdOf('b:WH-1'))
      // A bare reference: several merchants' events → their list; one merchant's → its page; none → 404.
      const several = await operator.get('/console/webhooks/WH-1')
      expect([several.status, several.location]).toEqual([303, '/console/webhooks?q=WH-1'])
      const single = await operator.get('/console/webhooks/wh-4')
      expect([single.status, single.location]).toEqual([303, `/console/webhooks/WH-4?merchant=${b.id}`])
      expect((await operator.get('/console/webhooks/WH-99')).status).toBe(404)

      // Resend from the operator's page acts on that merchant's event only; a bare reference of several sends nothing.
      const csrf = formToken(pageB.html)
      const before = receiver.received.length
      receiver.secret = b.secret
      const ambiguous = await operator.post('/console/webhooks/WH-1/resend', { csrf })
      expect([ambiguous.status, ambiguous.location]).toEqual([303, '/console/webhooks?q=WH-1'])
      expect(receiver.received).toHaveLength(before)
      const resent = await operator.post(`/console/webhooks/WH-1/resend?merchant=${b.id}`, { csrf })
      expect([resent.status, resent.location]).toEqual([303, `/console/webhooks/WH-1?merchant=${b.id}&done=resent`])
      expect(receiver.received.slice(before).map((w) => [w.reference, w.body.Data.Invoice.Id, w.signatureValid])).toEqual([['WH-1', invoiceIdOf('b:WH-1'), true]])
      // A merchant's session never reaches another's event through ?merchant=.
      expect((await sessionB.get(`/console/webhooks/WH-3?merchant=${a.id}`)).html).not.toContain(invoiceIdOf('a:WH-1'))
      expect((await consoleClient(t.baseUrl).get('/console/webhooks/WH-1')).status).toBe(303)
    })

    it('the console pages a merchant’s log by its own references', async () => {
      const operator = await signIn(t.baseUrl, ADMIN_TOKEN, { operator: true })
      const page = await operator.get(`/console/webhooks?merchant=${a.id}&before=WH-3`)
      const links = [...page.html.matchAll(/href="\/console\/webhooks\/(WH-\d+)/g)].map((m) => m[1])
      expect(links).toEqual(['WH-2', 'WH-1'])
    })

    it('the CLI resends one merchant’s WH-n: --merchant says whose; without it, a reference of several merchants is refused', async () => {
      const ambiguous = await runCli(['webhooks', 'resend', 'WH-2', ...database])
      expect(ambiguous.status).toBe(2)
      expect(ambiguous.stderr).toBe(
        `dawri: WH-2 names an event of several merchants (${a.id}, ${b.id}): say whose with --merchant ID (see \`dawri webhooks resend --help\`)\n`,
      )
      const before = receiver.received.length
      receiver.secret = b.secret
      const resentB = await runCliJson<{ MerchantId: number; WebhookReference: string; Data: any }>(['webhooks', 'resend', 'WH-2', '--merchant', String(b.id), ...database])
      expect([resentB.MerchantId, resentB.WebhookReference]).toEqual([b.id, 'WH-2'])
      // Only B has a WH-4: no --merchant needed.
      const sole = await runCli(['webhooks', 'resend', 'WH-4', ...database])
      expect(sole.status, sole.stderr).toBe(0)
      expect(sole.stdout).toBe(`WH-4 delivered to ${receiver.url}: 200; status Succeeded.\n`)
      expect(receiver.received.slice(before).map((w) => w.reference)).toEqual(['WH-2', 'WH-4'])
      const [, secondB] = await list(b.apiKey)
      expect(receiver.received[before]?.body).toEqual(secondB?.Data)
      const none = await runCli(['webhooks', 'resend', 'WH-4', '--merchant', String(a.id), ...database])
      expect([none.status, none.stderr]).toEqual([1, 'dawri: No webhook event WH-4\n'])
      const unknown = await runCli(['webhooks', 'resend', 'WH-99', ...database])
      expect([unknown.status, unknown.stderr]).toEqual([1, 'dawri: No webhook event WH-99\n'])
    })
  })

  describe(`${dialect}: migration 0012 on a database with events`, () => {
    it('keeps existing references (number = id) and continues each merchant’s count above them; a new merchant starts at 1', async () => {
      // Not createTestDatabase, which migrates to the latest: this one stops at 0011 first.
      const fresh = await createEmptyDatabase(dialect, 'dawri_test_0012')
      const store = createStore({ url: fresh.url })
      try {
        const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => listMigrations(dialect) } })
        const to0011 = await migrator.migrateTo('0011-merchant-reference-numbers')
        expect(to0011.error).toBeUndefined()
        const now = Date.now()
        const merchant = (name: string) =>
          sql<{ id: number }>`INSERT INTO merchants (name, country, currency, recurring_enabled, bypass_3ds_enabled, webhook_url, webhook_version, webhook_secret, clock_offset_ms, webhook_chaos, created_at)
            VALUES (${name}, 'KWT', 'KWD', 1, 0, NULL, 'v2', 'secret', 0, NULL, ${now}) RETURNING id`.execute(store.db)
        const [m1] = (await merchant('old one')).rows
        const [m2] = (await merchant('old two')).rows
        if (!m1 || !m2) throw new Error('merchants not inserted')
        const event = (merchantId: number) =>
          sql`INSERT INTO outbox_events (merchant_id, event_code, entity_key, body, webhook_version, target_url, status, attempt_count, next_attempt_at, created_at)
            VALUES (${merchantId}, 1, 'invoice:1', '{}', 'v2', NULL, 'skipped', 0, ${now}, ${now})`.execute(store.db)
        for (const merchantId of [m1.id, m2.id, m1.id, m1.id, m2.id]) await event(merchantId)

        await migrateToLatest(store)
        const rows = async () =>
          (await store.db.selectFrom('outbox_events').select(['id', 'merchant_id', 'reference_number']).orderBy('id').execute()).map((row) => ({
            id: Number(row.id),
            merchant: Number(row.merchant_id),
            number: Number(row.reference_number),
          }))
        const old = await rows()
        expect(old.map((row) => row.number)).toEqual(old.map((row) => row.id))
        const [m3] = (await merchant('new one')).rows
        if (!m3) throw new Error('merchant not inserted')
        for (const merchantId of [m2.id, m1.id, m3.id, m2.id, m3.id]) await event(merchantId)
        const after = (await rows()).slice(old.length)
        const highest = (merchantId: number) => Math.max(...old.filter((row) => row.merchant === merchantId).map((row) => row.id))
        expect(after.map((row) => [row.merchant, row.number])).toEqual([
          [m2.id, highest(m2.id) + 1],
          [m1.id, highest(m1.id) + 1],
          [m3.id, 1],
          [m2.id, highest(m2.id) + 2],
          [m3.id, 2],
        ])
      } finally {
        await store.close()
        await fresh.drop()
      }
    })
  })
}
