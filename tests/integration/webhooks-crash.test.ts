import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { Deps } from '../../src/deps.js'
import { createStore } from '../../src/store/create-database.js'
import { listOutboxEvents } from '../../src/store/outbox.repository.js'
import { defaultTransport, deliveryHeaders, leaseMsOf } from '../../src/webhooks/deliver-event.js'
import { deliverDueWebhooks, startWebhookDispatcher } from '../../src/webhooks/dispatcher.js'
import type { WebhookTransport } from '../../src/webhooks/deliver.js'
import { claimDueEvents } from '../../src/webhooks/queue.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { emitPayment, insertInvoice, startReceiver } from './webhooks-receiver.js'

for (const dialect of DIALECTS) {
  describe(`${dialect}: webhook delivery survives crashes`, () => {
    let app: TestApp
    let realNow = Date.now()

    beforeAll(async () => {
      app = await startTestApp(dialect, {
        clock: { now: () => realNow },
        env: { DAWRI_WEBHOOK_TIMEOUT_MS: '500', DAWRI_POLL_INTERVAL_MS: '20' },
      })
    })
    afterAll(async () => {
      await app.close()
    })

    const eventRows = (merchantId: number) => listOutboxEvents(app.deps.store.db, { merchantId })

    it('sent but never recorded (the process died): the lease expires and the event is sent again with the same Reference', async () => {
      const receiver = await startReceiver()
      try {
        const created = await app.createMerchant({ webhookUrl: receiver.url })
        receiver.secret = created.merchant.webhookSecret
        const merchantId = created.merchant.id
        const invoiceId = await insertInvoice(app.deps.store.db, merchantId, { now: realNow })
        await emitPayment(app.deps, merchantId, invoiceId, { now: realNow })

        // What a dispatcher does up to the moment it dies: lease, send — and no record.
        const [event] = await claimDueEvents(app.deps.store.db, app.deps.store.adapter, {
          realNow,
          leaseMs: leaseMsOf(app.deps),
          limit: 10,
          merchant: { id: merchantId, now: realNow },
        })
        if (!event?.targetUrl) throw new Error('no event claimed')
        const sent = await defaultTransport(app.deps)({
          url: event.targetUrl,
          headers: deliveryHeaders(event, created.merchant.webhookSecret),
          body: event.body,
          timeoutMs: 500,
        })
        expect(sent.statusCode).toBe(200)

        // While the lease holds nobody else sends it (AdvanceClock waits a moment, then gives up).
        expect(await deliverDueWebhooks(app.deps, { merchantId, now: realNow })).toEqual({ attempted: 0, delivered: 0, failed: 0 })
        realNow += leaseMsOf(app.deps) + 1
        expect(await deliverDueWebhooks(app.deps, { merchantId, now: realNow })).toEqual({ attempted: 1, delivered: 1, failed: 0 })

        expect(receiver.received.map((w) => [w.reference, w.signatureValid])).toEqual([
          [event.reference, true],
          [event.reference, true],
        ])
        expect(receiver.received[0]?.body).toEqual(receiver.received[1]?.body)
        expect((await eventRows(merchantId)).map((e) => [e.status, e.attempt_count])).toEqual([['delivered', 1]])
      } finally {
        await receiver.close()
      }
    })

    it('kill -9 of a worker process between send and record: another dispatcher re-sends with the same Reference', async () => {
      realNow = Date.now()
      const receiver = await startReceiver()
      receiver.behaviour = () => 'hang'
      const dataDir = mkdtempSync(join(tmpdir(), 'dawri-worker-'))
      const child = spawn(process.execPath, ['dist/cli/main.js', 'serve', '--role', 'worker', '--port', '0', '--database', app.database.url], {
        env: {
          ...process.env,
          DAWRI_DATA_DIR: dataDir,
          DAWRI_WEBHOOK_TIMEOUT_MS: '1000',
          DAWRI_POLL_INTERVAL_MS: '20',
          LOG_LEVEL: 'silent',
        },
        stdio: 'ignore',
      })
      let stop: (() => Promise<void>) | undefined
      try {
        const created = await app.createMerchant({ webhookUrl: receiver.url })
        receiver.secret = created.merchant.webhookSecret
        const invoiceId = await insertInvoice(app.deps.store.db, created.merchant.id, { now: realNow })
        await emitPayment(app.deps, created.merchant.id, invoiceId, { now: realNow })

        await receiver.waitFor(1, 20_000)
        child.kill('SIGKILL')
        await new Promise((resolve) => child.once('exit', resolve))
        expect((await eventRows(created.merchant.id)).map((e) => [e.status, e.attempt_count])).toEqual([['pending', 0]])

        receiver.behaviour = () => 200
        const sharedClock = { now: () => Date.now() }
        stop = await startWebhookDispatcher({ ...app.deps, clock: sharedClock }, { pollIntervalMs: 50 })
        // The dead worker's lease (2 × 1 s timeout + 5 s) must run out first.
        await receiver.waitFor(2, 20_000)
        const [first, second] = receiver.received
        expect(second?.reference).toBe(first?.reference)
        expect(second?.body).toEqual(first?.body)
        expect(receiver.received.every((w) => w.signatureValid)).toBe(true)
        await stop()
        stop = undefined
        expect((await eventRows(created.merchant.id)).map((e) => [e.status, e.attempt_count])).toEqual([['delivered', 1]])
      } finally {
        child.kill('SIGKILL')
        await stop?.()
        await receiver.close()
        rmSync(dataDir, { recursive: true, force: true })
      }
    }, 60_000)

    // Several dispatchers need a database that several connections write at once; SQLite runs
    // one dispatcher in one process (capabilities.concurrentWriters is false).
    it('two dispatchers with their own connection pools share the work: each event once, in order', async (ctx) => {
      if (!app.deps.store.adapter.concurrentWriters) ctx.skip()
      realNow = Date.now()
      const receiver = await startReceiver()
      receiver.behaviour = () => ({ status: 200, delayMs: Math.floor(Math.random() * 5) })
      const secondStore = createStore({ url: app.database.url, poolSize: 5 })
      const stops: Array<() => Promise<void>> = []
      try {
        const created = await app.createMerchant({ webhookUrl: receiver.url })
        receiver.secret = created.merchant.webhookSecret
        const invoices: number[] = []
        for (let i = 0; i < 20; i++) invoices.push(await insertInvoice(app.deps.store.db, created.merchant.id, { now: realNow }))
        for (let round = 0; round < 10; round++) {
          for (const invoiceId of invoices) await emitPayment(app.deps, created.merchant.id, invoiceId, { now: realNow })
        }
        const sent = [0, 0]
        const counting = (index: 0 | 1): WebhookTransport => {
          const inner = defaultTransport(app.deps)
          return async (request) => {
            sent[index] = (sent[index] ?? 0) + 1
            return inner(request)
          }
        }
        const realClock = { now: () => Date.now() }
        const first: Deps = { ...app.deps, clock: realClock }
        const second: Deps = { ...app.deps, clock: realClock, store: secondStore }
        stops.push(await startWebhookDispatcher(first, { pollIntervalMs: 10, perMerchant: 8, transport: counting(0) }))
        stops.push(await startWebhookDispatcher(second, { pollIntervalMs: 10, perMerchant: 8, transport: counting(1) }))
        await receiver.waitFor(200, 30_000)
        await new Promise((resolve) => setTimeout(resolve, 200))
        for (const stop of stops.splice(0)) await stop()

        const references = receiver.received.map((w) => w.reference)
        expect(references).toHaveLength(200)
        expect(new Set(references).size).toBe(200)
        expect(sent[0]).toBeGreaterThan(0)
        expect(sent[1]).toBeGreaterThan(0)
        const perInvoice = new Map<string, number[]>()
        for (const webhook of receiver.received) {
          const key = String(webhook.body.Data.Invoice.Id)
          perInvoice.set(key, [...(perInvoice.get(key) ?? []), Number(webhook.reference.slice(3))])
        }
        for (const ids of perInvoice.values()) expect(ids).toEqual([...ids].sort((a, b) => a - b))
        expect((await eventRows(created.merchant.id)).every((e) => e.status === 'delivered' && e.attempt_count === 1)).toBe(true)
      } finally {
        for (const stop of stops) await stop()
        await secondStore.close()
        await receiver.close()
      }
    })
  })
}
