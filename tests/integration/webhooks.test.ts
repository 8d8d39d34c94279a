import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

import { toInvoiceId, toRecurringId } from '../../src/domain/public-ids.js'
import { deliverDueWebhooks, startWebhookDispatcher } from '../../src/webhooks/dispatcher.js'
import { failPendingOutboxEvents, findNextOutboxAttemptAt, listOutboxEvents } from '../../src/store/outbox.repository.js'
import { listMerchantWebhookAttempts, listWebhookAttempts } from '../../src/store/webhook-attempt.repository.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import {
  emitPayment,
  emitRecurring,
  insertInvoice,
  insertRecurrence,
  startReceiver,
  type Receiver,
} from './webhooks-receiver.js'

const SECOND = 1000
const HOUR = 3_600_000

for (const dialect of DIALECTS) {
  describe(`${dialect}: webhook delivery`, () => {
    let app: TestApp
    let receiver: Receiver

    beforeAll(async () => {
      app = await startTestApp(dialect, { env: { DAWRI_WEBHOOK_TIMEOUT_MS: '500', DAWRI_POLL_INTERVAL_MS: '20' } })
    })
    afterAll(async () => {
      await app.close()
    })
    afterEach(async () => {
      await receiver?.close()
      // Events a test leaves pending would be delivered by a later test's background
      // dispatcher, possibly to a receiver that got the same port: settle them.
      await failPendingOutboxEvents(app.deps.store.db)
    })

    async function merchantWithReceiver(version: 'v1' | 'v2' = 'v2') {
      receiver = await startReceiver()
      const created = await app.createMerchant({ webhookUrl: receiver.url, webhookVersion: version })
      receiver.secret = created.merchant.webhookSecret
      return created.merchant
    }

    const events = (merchantId: number) => listOutboxEvents(app.deps.store.db, { merchantId })

    it('delivers v2 events that an independent MyFatoorah verifier accepts, with the documented headers', async () => {
      const merchant = await merchantWithReceiver('v2')
      const now = Date.now()
      const invoiceId = await insertInvoice(app.deps.store.db, merchant.id, { now, status: 'Paid', customerReference: 'order-1' })
      await emitPayment(app.deps, merchant.id, invoiceId, { now, status: 'Succss' })
      const { recurrenceId, initialInvoiceId } = await insertRecurrence(app.deps.store.db, merchant.id, { now })
      await emitRecurring(app.deps, merchant.id, recurrenceId, { now, charge: 'Succss' })

      const counts = await deliverDueWebhooks(app.deps, { merchantId: merchant.id, now })
      expect(counts).toEqual({ attempted: 2, delivered: 2, failed: 0 })
      expect(receiver.received).toHaveLength(2)
      const [payment, recurring] = receiver.received
      for (const webhook of receiver.received) {
        expect(webhook.signatureValid).toBe(true)
        expect(webhook.headers['content-type']).toBe('application/json')
        expect(webhook.headers['myfatoorah-webhook-version']).toBe('v2')
        expect(webhook.reference).toMatch(/^WH-\d+$/)
        expect(webhook.headers['dawri-webhook-reference']).toBe(webhook.reference)
      }
      expect(payment?.body.Event).toMatchObject({ Code: 1, Name: 'PAYMENT_STATUS_CHANGED', CountryIsoCode: 'KWT' })
      expect(payment?.body.Data.Invoice).toMatchObject({ Id: String(toInvoiceId(invoiceId, app.deps.ids)), Status: 'PAID' })
      expect(payment?.body.Data.Transaction).toMatchObject({ Status: 'SUCCESS', PaymentMethod: 'VISA/MASTER' })
      expect(recurring?.body.Event).toMatchObject({ Code: 5, Name: 'RECURRING_UPDATES' })
      expect(recurring?.body.Data.Recurring).toMatchObject({
        Id: toRecurringId(recurrenceId, app.deps.ids),
        Status: 'ACTIVE',
        InitialInvoiceId: String(toInvoiceId(initialInvoiceId, app.deps.ids)),
      })
      expect(recurring?.body.Data.Payment.Transaction.Status).toBe('SUCCESS')
      const stored = await events(merchant.id)
      expect(stored.map((e) => [e.status, e.attempt_count])).toEqual([
        ['delivered', 1],
        ['delivered', 1],
      ])
      expect(stored.map((e) => `WH-${e.reference_number}`)).toEqual([payment?.reference, recurring?.reference])
    })

    it('delivers v1 envelopes (TransactionsStatusChanged, RecurringStatusChanged) with valid v1 signatures', async () => {
      const merchant = await merchantWithReceiver('v1')
      const now = Date.now()
      const invoiceId = await insertInvoice(app.deps.store.db, merchant.id, { now, customerReference: 'order-v1' })
      await emitPayment(app.deps, merchant.id, invoiceId, { now, status: 'Failed' })
      const { recurrenceId } = await insertRecurrence(app.deps.store.db, merchant.id, { now })
      await emitRecurring(app.deps, merchant.id, recurrenceId, { now })

      await deliverDueWebhooks(app.deps, { merchantId: merchant.id, now })
      expect(receiver.received.map((w) => [w.version, w.body.EventType, w.body.Event, w.signatureValid])).toEqual([
        ['v1', 1, 'TransactionsStatusChanged', true],
        ['v1', 5, 'RecurringStatusChanged', true],
      ])
      const [payment, recurring] = receiver.received
      expect(payment?.body.DateTime).toMatch(/^\d{14}$/)
      expect(payment?.body.Data).toMatchObject({ TransactionStatus: 'FAILED', CustomerReference: 'order-v1', InvoiceValueInDisplayCurreny: '10.000' })
      expect(recurring?.body.Data).toMatchObject({ RecurringStatus: 'ACTIVE', InvoiceId: null, TransactionStatus: null })
      expect(recurring?.body.Data.NextPayDate).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00$/)
    })

    it('sends to the invoice WebhookUrl over the merchant URL, also for its recurring events, and skips events without a URL', async () => {
      receiver = await startReceiver()
      const other = await startReceiver()
      try {
        const created = await app.createMerchant({ webhookUrl: receiver.url })
        receiver.secret = other.secret = created.merchant.webhookSecret
        const merchantId = created.merchant.id
        const now = Date.now()
        const plain = await insertInvoice(app.deps.store.db, merchantId, { now })
        const overridden = await insertInvoice(app.deps.store.db, merchantId, { now, webhookUrl: other.url })
        await emitPayment(app.deps, merchantId, plain, { now })
        await emitPayment(app.deps, merchantId, overridden, { now })
        const { recurrenceId } = await insertRecurrence(app.deps.store.db, merchantId, { now, webhookUrl: other.url })
        await emitRecurring(app.deps, merchantId, recurrenceId, { now, charge: 'Failed' })
        await deliverDueWebhooks(app.deps, { merchantId, now })
        expect(receiver.received.map((w) => w.body.Event.Code)).toEqual([1])
        expect(other.received.map((w) => w.body.Event.Code)).toEqual([1, 5])
        expect([...receiver.received, ...other.received].every((w) => w.signatureValid)).toBe(true)

        const silent = await app.createMerchant({})
        const silentInvoice = await insertInvoice(app.deps.store.db, silent.merchant.id, { now })
        await emitPayment(app.deps, silent.merchant.id, silentInvoice, { now })
        expect(await deliverDueWebhooks(app.deps, { merchantId: silent.merchant.id, now })).toEqual({ attempted: 0, delivered: 0, failed: 0 })
        expect((await events(silent.merchant.id)).map((e) => [e.status, e.target_url])).toEqual([['skipped', null]])
      } finally {
        await other.close()
      }
    })

    it('receiver down, then up (clock-driven): every event delivered, in order per object, none lost', async () => {
      const merchant = await merchantWithReceiver('v2')
      await receiver.down()
      const start = Date.now()
      const invoiceA = await insertInvoice(app.deps.store.db, merchant.id, { now: start })
      const invoiceB = await insertInvoice(app.deps.store.db, merchant.id, { now: start })
      const { recurrenceId } = await insertRecurrence(app.deps.store.db, merchant.id, { now: start })
      const expected: string[] = []
      for (let i = 0; i < 3; i++) {
        await emitPayment(app.deps, merchant.id, invoiceA, { now: start + i, status: i < 2 ? 'Failed' : 'Succss' })
        await emitPayment(app.deps, merchant.id, invoiceB, { now: start + i, status: 'Failed' })
        await emitRecurring(app.deps, merchant.id, recurrenceId, { now: start + i, charge: i === 1 ? 'Succss' : 'Failed' })
      }
      expected.push(...(await events(merchant.id)).map((e) => `WH-${e.reference_number}`))

      // Six hours of outage, walked the way AdvanceClock walks it: to each due retry.
      let now = start
      let attempts = 0
      while (now < start + 6 * HOUR) {
        const counts = await deliverDueWebhooks(app.deps, { merchantId: merchant.id, now })
        expect(counts.delivered).toBe(0)
        attempts += counts.attempted
        const next = await findNextOutboxAttemptAt(app.deps.store.db, merchant.id, now)
        if (next === null) throw new Error('No retry is scheduled')
        now = next
      }
      // Only the first event of each object was tried; later ones wait behind it.
      expect(attempts).toBeGreaterThan(3 * 10)
      expect(new Set((await events(merchant.id)).filter((e) => e.attempt_count > 0).map((e) => e.entity_key)).size).toBe(3)
      expect(receiver.received).toHaveLength(0)

      await receiver.up()
      const counts = await deliverDueWebhooks(app.deps, { merchantId: merchant.id, now: start + 8 * HOUR })
      expect(counts).toMatchObject({ delivered: 9, failed: 0 })
      expect(receiver.received.map((w) => w.reference).sort()).toEqual([...expected].sort())
      expect(receiver.received.every((w) => w.signatureValid)).toBe(true)
      // In order per object: within each entity, references arrive in ascending id order.
      const byObject = new Map<string, number[]>()
      for (const webhook of receiver.received) {
        const key = webhook.body.Event.Code === 5 ? 'recurring' : webhook.body.Data.Invoice.Id
        byObject.set(key, [...(byObject.get(key) ?? []), Number(webhook.reference.slice(3))])
      }
      expect(byObject.size).toBe(3)
      for (const ids of byObject.values()) expect(ids).toEqual([...ids].sort((a, b) => a - b))
      expect((await events(merchant.id)).every((e) => e.status === 'delivered')).toBe(true)
    })

    it('retries a 500 and delivers on the next 200, logging both attempts', async () => {
      const merchant = await merchantWithReceiver()
      let calls = 0
      receiver.behaviour = () => (calls++ === 0 ? { status: 500, body: 'database is down' } : 200)
      const now = Date.now()
      const invoiceId = await insertInvoice(app.deps.store.db, merchant.id, { now })
      await emitPayment(app.deps, merchant.id, invoiceId, { now })
      expect(await deliverDueWebhooks(app.deps, { merchantId: merchant.id, now })).toEqual({ attempted: 1, delivered: 0, failed: 1 })
      const [pending] = await events(merchant.id)
      // First retry after 5–10 s (10 s with equal jitter).
      expect(pending?.next_attempt_at).toBeGreaterThanOrEqual(now + 5 * SECOND)
      expect(pending?.next_attempt_at).toBeLessThanOrEqual(now + 10 * SECOND)
      expect(await deliverDueWebhooks(app.deps, { merchantId: merchant.id, now: now + 4 * SECOND })).toEqual({ attempted: 0, delivered: 0, failed: 0 })
      expect(await deliverDueWebhooks(app.deps, { merchantId: merchant.id, now: now + 10 * SECOND })).toEqual({ attempted: 1, delivered: 1, failed: 0 })
      const attempts = await listWebhookAttempts(app.deps.store.db, [pending?.id ?? 0])
      expect(attempts.map((a) => [a.status_code, a.response_text])).toEqual([
        [500, 'database is down'],
        [200, 'ok'],
      ])
      expect(receiver.received[0]?.reference).toBe(receiver.received[1]?.reference)
    })

    it('times out a hanging receiver, and one dead endpoint does not delay another merchant', async () => {
      const slow = await merchantWithReceiver()
      receiver.behaviour = () => 'hang'
      const healthy = await startReceiver()
      try {
        const other = await app.createMerchant({ webhookUrl: healthy.url })
        healthy.secret = other.merchant.webhookSecret
        const now = Date.now()
        const started = performance.now()
        const invoiceId = await insertInvoice(app.deps.store.db, slow.id, { now })
        await emitPayment(app.deps, slow.id, invoiceId, { now })
        expect(await deliverDueWebhooks(app.deps, { merchantId: slow.id, now })).toEqual({ attempted: 1, delivered: 0, failed: 1 })
        expect(performance.now() - started).toBeLessThan(3_000)
        const [attempt] = await listWebhookAttempts(app.deps.store.db, [(await events(slow.id))[0]?.id ?? 0])
        expect(attempt?.status_code).toBeNull()
        expect(attempt?.error).toMatch(/Timed out after 500 ms/)
        expect(attempt?.duration_ms).toBeGreaterThanOrEqual(450)

        // Background dispatcher: 40 events of the hanging merchant, 20 of a healthy one.
        for (let i = 0; i < 40; i++) {
          const id = await insertInvoice(app.deps.store.db, slow.id, { now })
          await emitPayment(app.deps, slow.id, id, { now })
        }
        for (let i = 0; i < 20; i++) {
          const id = await insertInvoice(app.deps.store.db, other.merchant.id, { now })
          await emitPayment(app.deps, other.merchant.id, id, { now })
        }
        const stop = await startWebhookDispatcher(app.deps, { concurrency: 8, perMerchant: 4, perFailingMerchant: 1, pollIntervalMs: 20 })
        const begun = performance.now()
        try {
          await healthy.waitFor(20, 5_000)
          // Well under one timeout per healthy event: the hanging merchant holds at most 4 slots.
          expect(performance.now() - begun).toBeLessThan(2_000)
          expect(healthy.received.every((w) => w.signatureValid)).toBe(true)
        } finally {
          await stop()
        }
      } finally {
        await healthy.close()
      }
    })

    it('a backlog on a slow endpoint does not starve another merchant whose events come later', async () => {
      const busy = await merchantWithReceiver()
      receiver.behaviour = () => ({ status: 200, delayMs: 300 })
      const quick = await startReceiver()
      try {
        const other = await app.createMerchant({ webhookUrl: quick.url })
        quick.secret = other.merchant.webhookSecret
        const now = Date.now()
        for (let i = 0; i < 100; i++) {
          const id = await insertInvoice(app.deps.store.db, busy.id, { now })
          await emitPayment(app.deps, busy.id, id, { now })
        }
        // Later in the due order than the whole backlog (which takes 100 / 2 × 0.3 s = 15 s).
        const id = await insertInvoice(app.deps.store.db, other.merchant.id, { now: now + 1 })
        await emitPayment(app.deps, other.merchant.id, id, { now: now + 1 })
        const stop = await startWebhookDispatcher(app.deps, { concurrency: 8, perMerchant: 2, pollIntervalMs: 50 })
        try {
          await quick.waitFor(1, 3_000)
          expect(receiver.received.length).toBeLessThan(50)
        } finally {
          await stop()
        }
      } finally {
        await quick.close()
      }
    })

    it('gives up after the retry window and then releases later events of the same object', async () => {
      const merchant = await merchantWithReceiver()
      receiver.behaviour = (w) => (w.body.Data.Transaction.Status === 'FAILED' ? 503 : 200)
      const now = Date.now()
      const invoiceId = await insertInvoice(app.deps.store.db, merchant.id, { now })
      await emitPayment(app.deps, merchant.id, invoiceId, { now, status: 'Failed' })
      await emitPayment(app.deps, merchant.id, invoiceId, { now: now + 1, status: 'Succss' })
      expect(await deliverDueWebhooks(app.deps, { merchantId: merchant.id, now })).toEqual({ attempted: 1, delivered: 0, failed: 1 })
      expect((await events(merchant.id)).map((e) => e.status)).toEqual(['pending', 'pending'])
      // The window (72 h by default) counts from the first attempt; the attempt at its end is
      // the last one, and the failed event no longer holds the next one back.
      const counts = await deliverDueWebhooks(app.deps, { merchantId: merchant.id, now: now + 72 * HOUR })
      expect(counts).toEqual({ attempted: 2, delivered: 1, failed: 1 })
      expect((await events(merchant.id)).map((e) => [e.status, e.attempt_count])).toEqual([
        ['failed', 2],
        ['delivered', 1],
      ])
    })

    it('keeps order per object under the background dispatcher, reads at most 4 KiB of a response and follows no redirect', async () => {
      const merchant = await merchantWithReceiver()
      receiver.behaviour = (w) =>
        w.body.Data.Transaction.Status === 'FAILED'
          ? { status: 302, headers: { location: `${receiver.url}/elsewhere` } }
          : { status: 200, body: 'x'.repeat(10_000) }
      const now = Date.now()
      const invoiceId = await insertInvoice(app.deps.store.db, merchant.id, { now })
      for (let i = 0; i < 15; i++) await emitPayment(app.deps, merchant.id, invoiceId, { now, status: 'Succss' })
      const redirected = await insertInvoice(app.deps.store.db, merchant.id, { now })
      await emitPayment(app.deps, merchant.id, redirected, { now, status: 'Failed' })
      const stop = await startWebhookDispatcher(app.deps, { pollIntervalMs: 20 })
      try {
        await receiver.waitFor(16)
        await new Promise((resolve) => setTimeout(resolve, 100))
      } finally {
        await stop()
      }
      const sent = receiver.received.filter((w) => w.body.Data.Transaction.Status === 'SUCCESS').map((w) => Number(w.reference.slice(3)))
      expect(sent).toHaveLength(15)
      expect(sent).toEqual([...sent].sort((a, b) => a - b))
      expect(receiver.received).toHaveLength(16)
      const attempts = await listMerchantWebhookAttempts(app.deps.store.db, merchant.id)
      expect(attempts.filter((a) => a.status_code === 200).every((a) => a.response_text?.length === 4096)).toBe(true)
      expect(attempts.filter((a) => a.status_code === 302)).toHaveLength(1)
    })
  })
}
