import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { MyFatoorahClient, parseWebhookEvent, verifyWebhookSignature, WebhookParseError, type WebhookEvent } from '../../src/sdk/index.js'
import { startWebhookDispatcher } from '../../src/webhooks/dispatcher.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'

/**
 * verifyWebhookSignature and parseWebhookEvent on deliveries from dawri's real dispatcher, v1
 * and v2: payments, renewals, recurring updates and refunds, received raw on loopback as a
 * merchant's endpoint gets them; then the same deliveries tampered with.
 */

interface RawDelivery {
  readonly raw: Buffer
  readonly headers: IncomingHttpHeaders
}

/** A webhook endpoint keeping each request's bytes and headers untouched. */
async function startRawReceiver(): Promise<{ url: string; deliveries: RawDelivery[]; close(): Promise<void> }> {
  const deliveries: RawDelivery[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      deliveries.push({ raw: Buffer.concat(chunks), headers: req.headers })
      res.writeHead(200).end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    deliveries,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

const CARD = { Number: '5123450000000008', ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100' } as const

/** The value of a dotted path in a parsed body, for tampering. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const steps = path.split('.')
  let node = target
  for (const step of steps.slice(0, -1)) node = node[step] as Record<string, unknown>
  node[steps[steps.length - 1] as string] = value
}

/** One signed field per event, as a path in the body, for each version. */
function signedPathOf(event: WebhookEvent): string {
  if (event.version === 'v2') return { payment: 'Data.Invoice.Status', refund: 'Data.Refund.Status', recurring: 'Data.Recurring.Status' }[event.kind]
  return { payment: 'Data.TransactionStatus', refund: 'Data.RefundStatus', recurring: 'Data.RecurringStatus' }[event.kind]
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: verifyWebhookSignature and parseWebhookEvent on real deliveries`, () => {
    let app: TestApp
    let stopDispatcher: () => Promise<void>
    const endpoints: Array<{ version: 'v1' | 'v2'; secret: string; receiver: Awaited<ReturnType<typeof startRawReceiver>> }> = []

    beforeAll(async () => {
      app = await startTestApp(dialect)
      stopDispatcher = await startWebhookDispatcher(app.deps, { pollIntervalMs: 50 })
      for (const version of ['v1', 'v2'] as const) {
        const receiver = await startRawReceiver()
        const { merchant, apiKey } = await app.createMerchant({ bypass3ds: true, webhookUrl: receiver.url, webhookVersion: version })
        endpoints.push({ version, secret: merchant.webhookSecret, receiver })
        const client = new MyFatoorahClient({ apiKey, baseUrl: app.baseUrl })
        // A first payment (payment + recurring events), a renewal a day later, and a refund.
        const created = await client.executePayment({ PaymentMethodId: 9, InvoiceValue: 10, RecurringModel: { RecurringType: 'Daily', Iteration: 2, RetryCount: 1 } })
        await client.directPayment(created.PaymentURL, { PaymentType: 'card', Bypass3DS: true, Card: CARD })
        await client.sandbox.advanceClock({ Days: 2 }) // the first renewal, whatever the time of day
        await client.makeRefund({ KeyType: 'InvoiceId', Key: created.InvoiceId, Amount: 2, Comment: 'goodwill' })
      }
      await until(() => endpoints.every((e) => new Set(e.receiver.deliveries.map((d) => parseWebhookEvent(d.raw).kind)).size === 3), 'payment, recurring and refund deliveries of both versions')
    })
    afterAll(async () => {
      await stopDispatcher?.()
      for (const endpoint of endpoints) await endpoint.receiver.close()
      await app?.close()
    })

    it('accepts every delivery, v1 and v2, from raw bytes, text, Node headers and fetch Headers', () => {
      for (const { version, secret, receiver } of endpoints) {
        expect(receiver.deliveries.length).toBeGreaterThanOrEqual(4)
        for (const delivery of receiver.deliveries) {
          expect(delivery.headers['myfatoorah-webhook-version']).toBe(version)
          expect(verifyWebhookSignature(delivery.raw, delivery.headers, secret)).toBe(true)
          expect(verifyWebhookSignature(delivery.raw.toString('utf8'), delivery.headers, secret)).toBe(true)
          const fetchHeaders = new Headers()
          for (const [name, value] of Object.entries(delivery.headers)) if (typeof value === 'string') fetchHeaders.set(name, value)
          expect(verifyWebhookSignature(new Uint8Array(delivery.raw), fetchHeaders, secret)).toBe(true)
          // Without the version header the body's shape says which version it is.
          const { ['myfatoorah-webhook-version']: _version, ...withoutVersion } = delivery.headers
          expect(verifyWebhookSignature(delivery.raw, withoutVersion, secret)).toBe(true)
        }
      }
    })

    it('parses every delivery into a typed event of the right kind and version', () => {
      for (const { version, receiver } of endpoints) {
        const events = receiver.deliveries.map((d) => parseWebhookEvent(d.raw))
        expect(new Set(events.map((e) => e.kind))).toEqual(new Set(['payment', 'recurring', 'refund']))
        for (const event of events) {
          expect(event.version).toBe(version)
          // Narrowing works on kind, then version.
          if (event.kind === 'payment' && event.version === 'v2') expect(event.body.Data.Transaction.Status).toMatch(/^[A-Z]+$/)
          if (event.kind === 'payment' && event.version === 'v1') expect(typeof event.body.Data.InvoiceId).toBe('number')
          if (event.kind === 'recurring' && event.version === 'v2') expect(event.body.Data.Recurring.Id).toMatch(/^RECUR/)
          if (event.kind === 'recurring' && event.version === 'v1') expect(event.body.Data.RecurringId).toMatch(/^RECUR/)
          if (event.kind === 'refund' && event.version === 'v2') expect(event.body.Data.Refund.Comment).toBe('goodwill')
          if (event.kind === 'refund' && event.version === 'v1') expect(event.body.Data.Comments).toBe('goodwill')
        }
      }
    })

    it('rejects tampered deliveries: a changed signed field, signature, secret or version, a missing or repeated header, a body that is not JSON', () => {
      for (const { version, secret, receiver } of endpoints) {
        for (const delivery of receiver.deliveries) {
          const headers = delivery.headers
          const body = JSON.parse(delivery.raw.toString('utf8')) as Record<string, unknown>
          const event = parseWebhookEvent(delivery.raw)
          setPath(body, signedPathOf(event), 'CANCELED-BY-ATTACKER')
          expect(verifyWebhookSignature(JSON.stringify(body), headers, secret), `${version} ${event.kind} with a changed signed field`).toBe(false)

          const signature = String(headers['myfatoorah-signature'])
          const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1)
          expect(verifyWebhookSignature(delivery.raw, { ...headers, 'myfatoorah-signature': flipped }, secret)).toBe(false)
          expect(verifyWebhookSignature(delivery.raw, headers, `${secret}x`)).toBe(false)
          expect(verifyWebhookSignature(delivery.raw, headers, '')).toBe(false)
          expect(verifyWebhookSignature(delivery.raw, { ...headers, 'myfatoorah-webhook-version': version === 'v1' ? 'v2' : 'v1' }, secret)).toBe(false)
          const { ['myfatoorah-signature']: _signature, ...unsigned } = headers
          expect(verifyWebhookSignature(delivery.raw, unsigned, secret)).toBe(false)
          expect(verifyWebhookSignature(delivery.raw, { ...unsigned, 'MyFatoorah-Signature': [signature, signature] }, secret)).toBe(false)
          expect(verifyWebhookSignature(delivery.raw.subarray(1), headers, secret)).toBe(false)
        }
      }
    })

    it('parseWebhookEvent throws WebhookParseError on malformed bodies', () => {
      const [sample] = endpoints.find((e) => e.version === 'v2')!.receiver.deliveries
      const good = JSON.parse(sample!.raw.toString('utf8')) as Record<string, unknown>
      const broken = (change: (body: Record<string, any>) => void) => {
        const copy = structuredClone(good) as Record<string, any>
        change(copy)
        return JSON.stringify(copy)
      }
      const cases = [
        '{not json',
        '[]',
        '{}',
        broken((b) => delete b.Data),
        broken((b) => (b.Event.Code = 3)),
        broken((b) => (b.Event.Name = 'SOMETHING_ELSE')),
        broken((b) => (b.Event.Reference = 42)),
        broken((b) => (b.Data = 'text')),
      ]
      for (const text of cases) expect(() => parseWebhookEvent(text), text.slice(0, 60)).toThrow(WebhookParseError)
      expect(() => parseWebhookEvent(JSON.stringify(good))).not.toThrow()
    })
  })
}
