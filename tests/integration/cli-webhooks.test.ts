import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { runCli, runCliJson } from './cli-support.js'
import { emitPayment, insertInvoice, startReceiver, type Receiver } from './webhooks-receiver.js'

for (const dialect of DIALECTS) {
  describe(`${dialect}: dawri webhooks`, () => {
    let t: TestApp
    let receiver: Receiver
    let db: string[]
    let merchantId: number
    beforeAll(async () => {
      t = await startTestApp(dialect)
      receiver = await startReceiver()
      db = ['--database', t.database.url]
      const { merchant } = await t.createMerchant({ webhookUrl: receiver.url })
      receiver.secret = merchant.webhookSecret
      merchantId = merchant.id
      // Two payment events, written as services write them; no worker runs, so they wait.
      for (const status of ['Failed', 'Succss'] as const) {
        const invoiceId = await insertInvoice(t.deps.store.db, merchant.id, { now: Date.now(), webhookUrl: receiver.url })
        await emitPayment(t.deps, merchant.id, invoiceId, { now: Date.now(), status })
      }
    })
    afterAll(async () => {
      await receiver?.close()
      await t?.close()
    })

    it('lists the events as GetWebhooks does, as a table and as JSON', async () => {
      const listed = await runCliJson<Array<Record<string, any>>>(['webhooks', 'list', '--merchant', String(merchantId), ...db])
      expect(listed).toHaveLength(2)
      expect(listed.map((item) => [item.MerchantId, item.EventName, item.Status, item.EndPoint])).toEqual([
        [merchantId, 'PAYMENT_STATUS_CHANGED', 'Waiting', receiver.url],
        [merchantId, 'PAYMENT_STATUS_CHANGED', 'Waiting', receiver.url],
      ])
      expect(listed[0]?.Data?.Event?.Name).toBe('PAYMENT_STATUS_CHANGED')

      const table = await runCli(['webhooks', 'list', '--merchant', String(merchantId), ...db])
      expect(table.status, table.stderr).toBe(0)
      const lines = table.stdout.trimEnd().split('\n')
      expect(lines[0]).toMatch(/^MERCHANT\s+REFERENCE\s+EVENT\s+ABOUT\s+STATUS\s+ATTEMPTS\s+LAST\s+CREATED$/)
      expect(lines.slice(1)).toEqual(listed.map((item) => expect.stringMatching(new RegExp(`^${merchantId}\\s+${item.WebhookReference}\\s+PAYMENT_STATUS_CHANGED\\s+${item.EventEntityId}\\s+Waiting\\s+0\\s+-\\s+\\d{4}-`))))
      expect(await runCliJson(['webhooks', 'list', '--status', 'Failed', ...db])).toEqual([])
      const limited = await runCli(['webhooks', 'list', '--limit', '1', ...db])
      expect(limited.stdout.trimEnd().split('\n')).toHaveLength(2)
      expect(limited.stderr).toBe('dawri: showing the first 1; --limit shows more\n')
    })

    it('resend delivers an event now, signed, and exits 1 when the merchant does not accept it', async () => {
      const [first, second] = await runCliJson<Array<{ WebhookReference: string }>>(['webhooks', 'list', '--merchant', String(merchantId), ...db])
      if (!first || !second) throw new Error('two events expected')

      const sent = await runCli(['webhooks', 'resend', first.WebhookReference, ...db])
      expect(sent.status, sent.stderr).toBe(0)
      expect(sent.stdout).toBe(`${first.WebhookReference} delivered to ${receiver.url}: 200; status Succeeded.\n`)
      expect(receiver.received).toHaveLength(1)
      expect(receiver.received[0]).toMatchObject({ reference: first.WebhookReference, signatureValid: true })

      receiver.behaviour = () => 500
      const again = await runCli(['webhooks', 'resend', second.WebhookReference, ...db])
      expect(again.status).toBe(1)
      expect(again.stdout).toBe(`${second.WebhookReference} not delivered to ${receiver.url}: 500; status Running.\n`)
      expect(receiver.received).toHaveLength(2)
      receiver.behaviour = () => 200
    })

    it('an unknown or another merchant’s event exits 1; a malformed reference exits 2', async () => {
      const { merchant: other } = await t.createMerchant()
      const [first] = await runCliJson<Array<{ WebhookReference: string }>>(['webhooks', 'list', '--merchant', String(merchantId), ...db])
      const before = receiver.received.length
      for (const args of [['webhooks', 'resend', 'WH-99999999'], ['webhooks', 'resend', first?.WebhookReference ?? '', '--merchant', String(other.id)]]) {
        const result = await runCli([...args, ...db])
        expect(result.status, args.join(' ')).toBe(1)
        expect(result.stderr).toMatch(/^dawri: No webhook event WH-\d+\n$/)
      }
      expect(receiver.received).toHaveLength(before)
      for (const args of [['webhooks', 'resend', 'hook-1'], ['webhooks', 'resend'], ['webhooks', 'list', '--status', 'Lost'], ['webhooks', 'list', '--merchant', '0']]) {
        const result = await runCli([...args, ...db])
        expect(result.status, args.join(' ')).toBe(2)
        expect(result.stderr.trim().split('\n')).toHaveLength(1)
      }
    })
  })
}
