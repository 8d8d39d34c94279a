import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { toInvoiceId } from '../../src/domain/public-ids.js'
import { deliverDueWebhooks } from '../../src/webhooks/dispatcher.js'
import { listOutboxEvents } from '../../src/store/outbox.repository.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { emitPayment, emitRecurring, insertInvoice, insertRecurrence, startReceiver, type Receiver } from './webhooks-receiver.js'

const SECOND = 1000

for (const dialect of DIALECTS) {
  describe(`${dialect}: GetWebhooks, ResendWebhook, WebhookChaos`, () => {
    let app: TestApp
    let receiver: Receiver
    let apiKey: string
    let merchantId: number
    const now = Date.now()
    const refs: Record<string, string> = {}
    let invoiceA = 0
    let invoiceB = 0

    beforeAll(async () => {
      app = await startTestApp(dialect, { env: { DAWRI_WEBHOOK_TIMEOUT_MS: '500' } })
      receiver = await startReceiver()
      const created = await app.createMerchant({ webhookUrl: receiver.url })
      receiver.secret = created.merchant.webhookSecret
      apiKey = created.apiKey
      merchantId = created.merchant.id
      const db = app.deps.store.db
      // A: failed then paid (both delivered); B: paid, receiver answers 500 (Running);
      // recurring: two updates, never attempted (Waiting); another merchant's event is invisible.
      invoiceA = await insertInvoice(db, merchantId, { now, customerReference: 'order-A' })
      await emitPayment(app.deps, merchantId, invoiceA, { now, status: 'Failed' })
      await emitPayment(app.deps, merchantId, invoiceA, { now: now + 1, status: 'Succss' })
      await deliverDueWebhooks(app.deps, { merchantId, now: now + 1 })
      receiver.behaviour = () => ({ status: 500, body: 'nope' })
      invoiceB = await insertInvoice(db, merchantId, { now: now + 2 * SECOND, customerReference: 'order-B' })
      await emitPayment(app.deps, merchantId, invoiceB, { now: now + 2 * SECOND })
      await deliverDueWebhooks(app.deps, { merchantId, now: now + 2 * SECOND })
      receiver.behaviour = () => 200
      const { recurrenceId } = await insertRecurrence(db, merchantId, { now })
      await emitRecurring(app.deps, merchantId, recurrenceId, { now: now + 3 * SECOND, charge: 'Succss' })
      await emitRecurring(app.deps, merchantId, recurrenceId, { now: now + 4 * SECOND })
      const other = await app.createMerchant({ webhookUrl: receiver.url })
      await emitPayment(app.deps, other.merchant.id, await insertInvoice(db, other.merchant.id, { now }), { now })
      const rows = await listOutboxEvents(db, { merchantId })
      ;['a1', 'a2', 'b1', 'r1', 'r2'].forEach((name, i) => (refs[name] = `WH-${rows[i]?.reference_number}`))
    })
    afterAll(async () => {
      await receiver.close()
      await app.close()
    })

    const list = async (body: unknown) => {
      const response = await app.call('POST', '/v2/GetWebhooks', apiKey, body)
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      return response.body.Data as { Items: any[]; Pagination: any }
    }
    const referencesOf = (data: { Items: any[] }) => data.Items.map((item) => item.WebhookReference)

    it('lists every event of the merchant with attempts, status and a verifiable Signature', async () => {
      const data = await list({})
      expect(referencesOf(data)).toEqual([refs.a1, refs.a2, refs.b1, refs.r1, refs.r2])
      expect(data.Pagination).toEqual({ PageSize: 500, PageNumber: 1, PagesCount: 1, ItemsCount: 5 })
      const [a1, , b1, r1] = data.Items
      expect(a1).toMatchObject({
        EventCode: 1,
        EventName: 'PAYMENT_STATUS_CHANGED',
        EventEntityId: String(toInvoiceId(invoiceA, app.deps.ids)),
        EndPoint: receiver.url,
        Status: 'Succeeded',
        Attempts: [{ Status: 200, ResponseMessage: 'ok' }],
      })
      expect(a1.Data.Event.Reference).toBe(refs.a1)
      expect(a1.Signature).toBe(receiver.received.find((w) => w.reference === refs.a1)?.headers['myfatoorah-signature'])
      expect(a1.Attempts[0].Date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/)
      expect(typeof a1.Attempts[0].Duration).toBe('number')
      expect(b1).toMatchObject({ Status: 'Running', Attempts: [{ Status: 500, ResponseMessage: 'nope' }] })
      expect(r1).toMatchObject({ EventCode: 5, EventName: 'RECURRING_UPDATES', Status: 'Waiting', Attempts: [] })
      expect(r1.EventEntityId).toMatch(/^RECUR\d+$/)
    })

    it('filters by Status, EventType, Key/KeyType and Start/End, and pages', async () => {
      expect(referencesOf(await list({ Status: 'Succeeded' }))).toEqual([refs.a1, refs.a2])
      expect(referencesOf(await list({ Status: 'running' }))).toEqual([refs.b1])
      expect(referencesOf(await list({ Status: 'Waiting' }))).toEqual([refs.r1, refs.r2])
      expect(referencesOf(await list({ Status: 'Failed' }))).toEqual([])
      expect(referencesOf(await list({ EventType: 'RECURRING_UPDATES' }))).toEqual([refs.r1, refs.r2])
      expect(referencesOf(await list({ EventType: 'TransactionsStatusChanged' }))).toEqual([refs.a1, refs.a2, refs.b1])
      const invoiceKey = toInvoiceId(invoiceB, app.deps.ids)
      expect(referencesOf(await list({ KeyType: 'InvoiceId', Key: [invoiceKey] }))).toEqual([refs.b1])
      expect(referencesOf(await list({ KeyType: 'CustomerReference', Key: ['order-A', 'order-B'] }))).toEqual([refs.a1, refs.a2, refs.b1])
      expect(referencesOf(await list({ KeyType: 'WebhookReference', Key: [refs.r2, 'WH-999999999', 'junk'] }))).toEqual([refs.r2])
      const iso = (ms: number) => new Date(ms).toISOString()
      expect(referencesOf(await list({ Start: iso(now + 2 * SECOND), End: iso(now + 3 * SECOND) }))).toEqual([refs.b1, refs.r1])
      const page2 = await list({ PageSize: 2, Page: 2 })
      expect(referencesOf(page2)).toEqual([refs.b1, refs.r1])
      expect(page2.Pagination).toEqual({ PageSize: 2, PageNumber: 2, PagesCount: 3, ItemsCount: 5 })
    })

    it('rejects bad filters with every field listed, and requires a key', async () => {
      const bad = await app.call('POST', '/v2/GetWebhooks', apiKey, { Status: 'Done', Start: 'yesterday', Key: ['1'], EventType: 'NOPE' })
      expect(bad.status).toBe(400)
      expect(bad.body.ValidationErrors.map((e: { Name: string }) => e.Name).sort()).toEqual(['EventType', 'KeyType', 'Start', 'Status'])
      expect((await app.call('POST', '/v2/GetWebhooks', null, {})).status).toBe(401)
    })

    it('ResendWebhook delivers one event again now, with the same body and Reference', async () => {
      const before = receiver.received.length
      const response = await app.call('POST', '/v2/ResendWebhook', apiKey, { Reference: refs.b1 })
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      expect(response.body.Data).toMatchObject({ WebhookReference: refs.b1, Status: 'Succeeded' })
      expect(response.body.Data.Attempts.map((a: { Status: number }) => a.Status)).toEqual([500, 200])
      const resent = receiver.received.slice(before)
      expect(resent.map((w) => [w.reference, w.signatureValid])).toEqual([[refs.b1, true]])
      expect(resent[0]?.body).toEqual(receiver.received.find((w) => w.reference === refs.b1)?.body)

      const again = await app.call('POST', '/v2/ResendWebhook', apiKey, { reference: (refs.a1 ?? '').toLowerCase() })
      expect(again.body.Data.Attempts).toHaveLength(2)
      const missing = await app.call('POST', '/v2/ResendWebhook', apiKey, { Reference: 'WH-999999999' })
      expect(missing.status).toBe(404)
      expect((await app.call('POST', '/v2/ResendWebhook', apiKey, {})).status).toBe(400)
    })

    it('WebhookChaos: duplicate, drop, delay and reorder, and validation', async () => {
      const set = (body: unknown) => app.call('POST', '/v2/sandbox/WebhookChaos', apiKey, body)
      const invalid = await set({ DropProbability: 2, MaxDelaySeconds: -1 })
      expect(invalid.status).toBe(400)
      expect(invalid.body.ValidationErrors.map((e: { Name: string }) => e.Name).sort()).toEqual(['DropProbability', 'MaxDelaySeconds'])
      const t = now + 60 * SECOND
      const fresh = async (at: number) => insertInvoice(app.deps.store.db, merchantId, { now: at })
      const newest = async () => {
        const [row] = await listOutboxEvents(app.deps.store.db, { merchantId }, { newestFirst: true, limit: 1 })
        if (!row) throw new Error('No outbox event')
        return row
      }

      // Deliver what is still waiting, so that only the chaos events below are in flight.
      await deliverDueWebhooks(app.deps, { merchantId, now: t })

      // Duplicate: the same delivery arrives twice.
      expect((await set({ DuplicateProbability: 1 })).body.Data).toMatchObject({ DuplicateProbability: 1, Enabled: true })
      await emitPayment(app.deps, merchantId, await fresh(t), { now: t })
      const duplicated = (await newest()).reference_number
      let before = receiver.received.length
      await deliverDueWebhooks(app.deps, { merchantId, now: t })
      expect(receiver.received.slice(before).map((w) => w.reference)).toEqual([`WH-${duplicated}`, `WH-${duplicated}`])

      // Drop: nothing is sent, the attempt is logged and retried.
      await set({ DropProbability: 1 })
      await emitPayment(app.deps, merchantId, await fresh(t), { now: t })
      before = receiver.received.length
      expect(await deliverDueWebhooks(app.deps, { merchantId, now: t })).toMatchObject({ attempted: 1, delivered: 0 })
      expect(receiver.received.length).toBe(before)
      const dropped = (await list({ KeyType: 'WebhookReference', Key: [`WH-${(await newest()).reference_number}`] })).Items[0]
      expect(dropped).toMatchObject({ Status: 'Running', Attempts: [{ Status: null, ResponseMessage: expect.stringMatching(/Dropped/) }] })

      // Delay: the first attempt waits up to MaxDelaySeconds of merchant time.
      expect((await set({ DelayProbability: 1, MaxDelaySeconds: 60 })).body.Data).toMatchObject({ DropProbability: 0, MaxDelaySeconds: 60 })
      await emitPayment(app.deps, merchantId, await fresh(t), { now: t })
      const delayed = await newest()
      expect(delayed.next_attempt_at).toBeGreaterThanOrEqual(t)
      expect(delayed.next_attempt_at).toBeLessThanOrEqual(t + 60 * SECOND)
      await deliverDueWebhooks(app.deps, { merchantId, now: t + 61 * SECOND })
      expect(receiver.received.at(-1)?.reference).toBe(`WH-${delayed.reference_number}`)

      // Reorder: the first event of an invoice is held back and the second overtakes it.
      await set({ ReorderProbability: 1, MaxDelaySeconds: 30 })
      const invoice = await fresh(t)
      await emitPayment(app.deps, merchantId, invoice, { now: t, status: 'Failed' })
      const held = await newest()
      await set({})
      await emitPayment(app.deps, merchantId, invoice, { now: t, status: 'Succss' })
      const overtaking = await newest()
      before = receiver.received.length
      await deliverDueWebhooks(app.deps, { merchantId, now: t + 200 })
      await deliverDueWebhooks(app.deps, { merchantId, now: t + 31 * SECOND })
      expect(receiver.received.slice(before).map((w) => w.reference)).toEqual([
        `WH-${overtaking.reference_number}`,
        `WH-${held.reference_number}`,
      ])
      expect((await set({})).body.Data).toMatchObject({ Enabled: false })
      expect(receiver.received.every((w) => w.signatureValid)).toBe(true)
    })
  })

  describe(`${dialect}: webhooks in production mode`, () => {
    let app: TestApp
    beforeAll(async () => {
      app = await startTestApp(dialect, { env: { DAWRI_MODE: 'production', DAWRI_WEBHOOK_TIMEOUT_MS: '500' } })
    })
    afterAll(async () => {
      await app.close()
    })

    it('has no WebhookChaos route, and refuses http and loopback webhook targets', async () => {
      const receiver = await startReceiver()
      try {
        const created = await app.createMerchant({ webhookUrl: receiver.url })
        expect((await app.call('POST', '/v2/sandbox/WebhookChaos', created.apiKey, { DropProbability: 1 })).status).toBe(404)
        const now = Date.now()
        const https = await insertInvoice(app.deps.store.db, created.merchant.id, { now, webhookUrl: 'https://localhost:1/hook' })
        await emitPayment(app.deps, created.merchant.id, await insertInvoice(app.deps.store.db, created.merchant.id, { now }), { now })
        await emitPayment(app.deps, created.merchant.id, https, { now })
        await deliverDueWebhooks(app.deps, { merchantId: created.merchant.id, now })
        expect(receiver.received).toHaveLength(0)
        const data = (await app.call('POST', '/v2/GetWebhooks', created.apiKey, {})).body.Data
        expect(data.Items.map((item: any) => item.Attempts[0].ResponseMessage)).toEqual([
          'Webhook URLs must use https in production',
          expect.stringMatching(/^Refused: localhost resolves to a loopback address/),
        ])
      } finally {
        await receiver.close()
      }
    })
  })
}
