import http from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { setMerchantWebhookUrl } from '../../src/store/merchant.repository.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { openRecurringContext } from './recurring-fixtures.js'

/** A webhook endpoint on loopback that records what it receives and answers `status`. */
interface Receiver {
  readonly url: string
  status: number
  readonly received: Array<{ status: number; body: any }>
  close(): Promise<void>
}

async function startReceiver(): Promise<Receiver> {
  const received: Receiver['received'] = []
  const receiver = { status: 200, received } as Receiver & { status: number }
  const server = http.createServer((request, response) => {
    let text = ''
    request.on('data', (chunk) => (text += chunk))
    request.on('end', () => {
      received.push({ status: receiver.status, body: JSON.parse(text) })
      response.writeHead(receiver.status).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hook`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  })
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: sandbox clock`, () => {
    let app: TestApp
    let receiver: Receiver

    beforeAll(async () => {
      receiver = await startReceiver()
      app = await startTestApp(dialect)
    })
    afterAll(async () => {
      await app?.close()
      await receiver?.close()
    })

    /** A merchant whose webhooks go to the receiver. */
    async function openHookedContext() {
      const ctx = await openRecurringContext(app)
      await setMerchantWebhookUrl(app.deps.store.db, ctx.merchantId, receiver.url)
      return ctx
    }

    const recurringEvents = (recurringId: string) =>
      receiver.received.filter((r) => r.status === 200 && r.body?.Event?.Code === 5 && r.body?.Data?.Recurring?.Id === recurringId)

    it('returns only after every charge and webhook due up to the new time has run', async () => {
      const ctx = await openHookedContext()
      const id = await ctx.createActive({ RecurringType: 'Daily', Iteration: 2 })
      const result = await ctx.advance({ Days: 2 })
      expect(result).toMatchObject({ Charges: 2, Approved: 2, StatusChanges: 1 })
      expect(result.WebhookAttempts).toBeGreaterThanOrEqual(4)
      expect(result.WebhooksFailed).toBe(0)
      // Activation, then one update per charge, the last one announcing Completed.
      const statuses = recurringEvents(id).map((r) => r.body.Data.Recurring.Status)
      expect(statuses).toEqual(['ACTIVE', 'ACTIVE', 'COMPLETED'])
      const payments = recurringEvents(id).flatMap((r) => (r.body.Data.Payment ? [r.body.Data.Payment.Transaction.Status] : []))
      expect(payments).toEqual(['SUCCESS', 'SUCCESS'])
    })

    it('drives webhook retries: an endpoint down for a day gets every event, in order, once it is back', async () => {
      const ctx = await openHookedContext()
      const id = await ctx.createActive({ RecurringType: 'Daily', Iteration: 0, RetryCount: 1 }, '4000000000000341')
      receiver.status = 500
      try {
        const down = await ctx.advance({ Days: 2 })
        expect(down).toMatchObject({ Charges: 2, Declined: 2, StatusChanges: 1 })
        expect(down.WebhooksDelivered).toBe(0)
        expect(down.WebhooksFailed).toBeGreaterThan(0)
      } finally {
        receiver.status = 200
      }
      const up = await ctx.advance({ Days: 4 })
      expect(up.Charges).toBe(0)
      expect(up.WebhooksDelivered).toBeGreaterThan(0)
      const references = recurringEvents(id).map((r) => r.body.Event.Reference)
      expect(new Set(references).size).toBe(references.length)
      expect(recurringEvents(id).map((r) => r.body.Data.Recurring.Status)).toEqual(['ACTIVE', 'ACTIVE', 'UNCOMPLETED'])
      const numbers = references.map((reference: string) => Number(reference.replace('WH-', '')))
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b))
    })

    it('keeps each merchant on its own clock', async () => {
      const ahead = await openRecurringContext(app)
      const behind = await openRecurringContext(app)
      const aheadId = await ahead.createActive({ RecurringType: 'Daily', Iteration: 0 })
      const behindId = await behind.createActive({ RecurringType: 'Daily', Iteration: 0 })
      await ahead.advance({ Days: 5 })
      expect(await ahead.get(aheadId)).toMatchObject({ ExecutedTimes: 5 })
      expect(await behind.get(behindId)).toMatchObject({ ExecutedTimes: 0 })
    })

    it('is not there in production mode', async () => {
      const production = await startTestApp(dialect, { env: { DAWRI_MODE: 'production', DAWRI_VAULT_KEY: Buffer.alloc(32, 7).toString('base64') } })
      try {
        const { apiKey } = await production.createMerchant()
        const response = await production.call('POST', '/v2/sandbox/AdvanceClock', apiKey, { Days: 1 })
        expect(response.status).toBe(404)
      } finally {
        await production.close()
      }
    })
  })
}
