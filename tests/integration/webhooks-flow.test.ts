import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { startReceiver, type Receiver } from './webhooks-receiver.js'

const CARD = { Number: '5123450000000008', ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100', HolderName: 'Test Holder' }

/**
 * End to end through the public API: a customer pays a recurring invoice, the sandbox clock
 * runs the renewals while the merchant's endpoint is down, and every event arrives once it is
 * back, in order per object, each signature accepted by an independent verifier.
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: webhooks of real payments, driven by the sandbox clock`, () => {
    let app: TestApp
    let receiver: Receiver

    beforeAll(async () => {
      app = await startTestApp(dialect, { env: { DAWRI_WEBHOOK_TIMEOUT_MS: '500' } })
      receiver = await startReceiver()
    })
    afterAll(async () => {
      await receiver.close()
      await app.close()
    })

    it('endpoint down for the renewals, then up: every event delivered in order, none lost', async () => {
      const created = await app.createMerchant({ webhookUrl: receiver.url, bypass3ds: true })
      receiver.secret = created.merchant.webhookSecret
      const key = created.apiKey
      const invoice = await app.call('POST', '/v2/ExecutePayment', key, {
        InvoiceValue: 5,
        PaymentMethodId: 9,
        CustomerReference: 'sub-42',
        RecurringModel: { RecurringType: 'Daily', Iteration: 3, RetryCount: 0 },
      })
      expect(invoice.status, JSON.stringify(invoice.body)).toBe(200)
      const { PaymentURL, RecurringId } = invoice.body.Data
      const paid = await app.call('POST', new URL(PaymentURL).pathname, key, { PaymentType: 'card', Card: CARD, Bypass3DS: true })
      expect(paid.status, JSON.stringify(paid.body)).toBe(200)

      // Deliver what the first payment produced, then take the endpoint down.
      await app.call('POST', '/v2/sandbox/AdvanceClock', key, { Until: new Date(Date.now() + 60_000).toISOString() })
      const early = receiver.received.length
      expect(early).toBeGreaterThanOrEqual(1)
      await receiver.down()
      // Two renewals fall in a two-day outage (within the 72-hour retry window).
      const outage = await app.call('POST', '/v2/sandbox/AdvanceClock', key, { Days: 2 })
      expect(outage.status, JSON.stringify(outage.body)).toBe(200)
      expect(outage.body.Data.WebhooksDelivered).toBe(0)
      expect(outage.body.Data.WebhookAttempts).toBeGreaterThan(3)
      const waiting = (await app.call('POST', '/v2/GetWebhooks', key, { Status: 'Running' })).body.Data
      expect(waiting.Pagination.ItemsCount).toBeGreaterThan(0)

      await receiver.up()
      const recovery = await app.call('POST', '/v2/sandbox/AdvanceClock', key, { Days: 2 })
      expect(recovery.status, JSON.stringify(recovery.body)).toBe(200)

      const log = (await app.call('POST', '/v2/GetWebhooks', key, {})).body.Data
      const references: string[] = log.Items.map((item: { WebhookReference: string }) => item.WebhookReference)
      expect(log.Items.every((item: { Status: string }) => item.Status === 'Succeeded')).toBe(true)
      // None lost: every event of the log reached the endpoint, every delivery verified.
      expect(new Set(receiver.received.map((w) => w.reference))).toEqual(new Set(references))
      expect(receiver.received.every((w) => w.signatureValid)).toBe(true)
      // Three renewals: a payment event each, and recurring updates up to COMPLETED.
      const recurring = receiver.received.filter((w) => w.body.Event.Code === 5)
      expect(recurring.every((w) => w.body.Data.Recurring.Id === RecurringId)).toBe(true)
      expect(recurring.at(-1)?.body.Data.Recurring.Status).toBe('COMPLETED')
      const renewals = receiver.received.filter((w) => w.body.Event.Code === 1 && w.body.Data.Transaction.Status === 'SUCCESS')
      expect(new Set(renewals.map((w) => w.body.Data.Invoice.Id)).size).toBe(4)
      // In order per object: first arrivals of each object's events are in reference order.
      const firstArrival = new Map<string, { object: string; id: number }>()
      for (const w of receiver.received) {
        const object = w.body.Event.Code === 5 ? 'recurring' : `invoice ${w.body.Data.Invoice.Id}`
        if (!firstArrival.has(w.reference)) firstArrival.set(w.reference, { object, id: Number(w.reference.slice(3)) })
      }
      const byObject = new Map<string, number[]>()
      for (const { object, id } of firstArrival.values()) byObject.set(object, [...(byObject.get(object) ?? []), id])
      for (const ids of byObject.values()) expect(ids).toEqual([...ids].sort((a, b) => a - b))
    })
  })
}
