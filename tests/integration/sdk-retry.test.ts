import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'

import { MyFatoorahClient, MyFatoorahConnectionError, MyFatoorahError } from '../../src/sdk/index.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'

/**
 * Retries, idempotency and timeouts over real sockets: a loopback proxy in front of the real
 * server drops connections, answers 503, loses the server's answer, or never answers, for
 * chosen requests. No fetch is mocked.
 */

/** What the proxy does with one request. */
type Fault =
  | 'forward'
  /** Closes the connection before the server sees the request. */
  | 'drop'
  /** Forwards, waits for the server's answer, then closes the connection instead of passing it on. */
  | 'lose-answer'
  /** Answers 503 with an envelope without forwarding. */
  | '503'
  /** Never answers. */
  | 'hang'

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  /** Status and headers the server answered, when forwarded. */
  upstream?: { status: number; headers: IncomingHttpHeaders; body: string }
}

interface FaultyProxy {
  readonly url: string
  readonly seen: Seen[]
  /** Faults for the next requests, in order; then `forward`. */
  faults: Fault[]
  close(): Promise<void>
}

async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const upstream = new URL(target)
  const proxy: FaultyProxy = { url: '', seen: [], faults: [], close: async () => undefined }
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const seen: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers }
      proxy.seen.push(seen)
      const fault = proxy.faults.shift() ?? 'forward'
      if (fault === 'drop') return req.socket.destroy()
      if (fault === 'hang') return
      if (fault === '503') {
        return res
          .writeHead(503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ IsSuccess: false, Message: 'Service Unavailable', ValidationErrors: null, Data: null }))
      }
      const forwarded = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (answer) => {
          const parts: Buffer[] = []
          answer.on('data', (chunk: Buffer) => parts.push(chunk))
          answer.on('end', () => {
            const body = Buffer.concat(parts)
            seen.upstream = { status: answer.statusCode ?? 0, headers: answer.headers, body: body.toString('utf8') }
            if (fault === 'lose-answer') return req.socket.destroy()
            res.writeHead(answer.statusCode ?? 502, answer.headers).end(body)
          })
        },
      )
      forwarded.end(Buffer.concat(chunks))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return Object.assign(proxy, {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  })
}

const CARD = { Number: '5123450000000008', ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100' } as const

for (const dialect of DIALECTS) {
  describe(`${dialect}: SDK retries, idempotency and timeouts over a faulty loopback proxy`, () => {
    let app: TestApp
    let proxy: FaultyProxy
    let apiKey: string
    let client: MyFatoorahClient

    beforeAll(async () => {
      app = await startTestApp(dialect)
      proxy = await startFaultyProxy(app.baseUrl)
      ;({ apiKey } = await app.createMerchant({ bypass3ds: true }))
      client = new MyFatoorahClient({ apiKey, baseUrl: proxy.url, retries: 2, retryDelayMs: 20, timeoutMs: 5_000 })
    })
    afterAll(async () => {
      await proxy?.close()
      await app?.close()
    })
    beforeEach(() => {
      proxy.seen.length = 0
      proxy.faults = []
    })

    const keysOf = (seen: readonly Seen[]) => seen.map((s) => s.headers['idempotency-key'])

    it('a dropped connection is retried with the same Idempotency-Key; one invoice results', async () => {
      proxy.faults = ['drop']
      const reference = `drop-${dialect}`
      const created = await client.executePayment({ PaymentMethodId: 9, InvoiceValue: 10, CustomerReference: reference })
      expect(proxy.seen).toHaveLength(2)
      const [key] = keysOf(proxy.seen)
      expect(key).toMatch(/^[0-9a-f-]{36}$/)
      expect(keysOf(proxy.seen)).toEqual([key, key])
      const status = await client.getPaymentStatus({ Key: reference, KeyType: 'CustomerReference' })
      expect(status.InvoiceId).toBe(created.InvoiceId)
    })

    it('an answer lost after the server acted is replayed on the retry, not done twice', async () => {
      proxy.faults = ['lose-answer']
      const created = await client.executePayment({ PaymentMethodId: 9, InvoiceValue: 10, CustomerReference: `lost-${dialect}` })
      expect(proxy.seen).toHaveLength(2)
      const [first, second] = proxy.seen
      expect(first?.headers['idempotency-key']).toBe(second?.headers['idempotency-key'])
      // The server created the invoice on the first attempt and replayed that answer on the second.
      expect(first?.upstream?.status).toBe(200)
      expect(second?.upstream?.headers['idempotent-replayed']).toBe('true')
      expect(JSON.parse(first!.upstream!.body).Data.InvoiceId).toBe(created.InvoiceId)

      // A payment whose answer is lost is not charged twice either.
      proxy.faults = ['lose-answer']
      const paid = await client.directPayment(created.PaymentURL, { PaymentType: 'card', Bypass3DS: true, Card: CARD })
      expect(paid.Status).toBe('SUCCESS')
      const status = await client.getPaymentStatus({ Key: created.InvoiceId, KeyType: 'InvoiceId' })
      expect(status.InvoiceTransactions.filter((t) => t.TransactionStatus === 'Succss')).toHaveLength(1)
    })

    it('a 503 is retried (same key), a 400 is not', async () => {
      proxy.faults = ['503']
      const data = await client.initiatePayment({ InvoiceAmount: 5 })
      expect(data.PaymentMethods.length).toBeGreaterThan(0)
      expect(proxy.seen).toHaveLength(2)
      expect(new Set(keysOf(proxy.seen)).size).toBe(1)

      proxy.seen.length = 0
      await expect(client.initiatePayment({ InvoiceAmount: -5 })).rejects.toBeInstanceOf(MyFatoorahError)
      expect(proxy.seen).toHaveLength(1)
    })

    it('gives up after `retries` and throws the last error; every call gets its own key', async () => {
      proxy.faults = ['503', '503', '503']
      const error = await client.initiatePayment({ InvoiceAmount: 5 }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(MyFatoorahError)
      expect((error as MyFatoorahError).status).toBe(503)
      expect((error as MyFatoorahError).message).toBe('Service Unavailable')
      expect(proxy.seen).toHaveLength(3)

      proxy.faults = ['drop', 'drop', 'drop']
      const lost = await client.initiatePayment({ InvoiceAmount: 5 }).catch((e: unknown) => e)
      expect(lost).toBeInstanceOf(MyFatoorahConnectionError)
      expect((lost as MyFatoorahConnectionError).attempts).toBe(3)
      expect((lost as MyFatoorahConnectionError).timedOut).toBe(false)
      expect((lost as MyFatoorahConnectionError).idempotencyKey).toBe(proxy.seen[3]?.headers['idempotency-key'])
      expect(new Set(keysOf(proxy.seen)).size).toBe(2)
    })

    it('a GET is retried too, without an Idempotency-Key; a caller-chosen key is sent as given', async () => {
      proxy.faults = ['drop']
      const list = await client.getRecurringPayment()
      expect(Array.isArray(list.RecurringPayment)).toBe(true)
      expect(proxy.seen.map((s) => s.method)).toEqual(['GET', 'GET'])
      expect(keysOf(proxy.seen)).toEqual([undefined, undefined])

      proxy.seen.length = 0
      const key = `order-${dialect}-42`
      const first = await client.executePayment({ PaymentMethodId: 9, InvoiceValue: 3 }, { idempotencyKey: key })
      const again = await client.executePayment({ PaymentMethodId: 9, InvoiceValue: 3 }, { idempotencyKey: key })
      expect(again.InvoiceId).toBe(first.InvoiceId)
      expect(keysOf(proxy.seen)).toEqual([key, key])
      const conflict = await client.executePayment({ PaymentMethodId: 9, InvoiceValue: 4 }, { idempotencyKey: key }).catch((e: unknown) => e)
      expect((conflict as MyFatoorahError).status).toBe(409)
    })

    it('times out an attempt that never answers, and retries it', async () => {
      proxy.faults = ['hang']
      const quick = new MyFatoorahClient({ apiKey, baseUrl: proxy.url, timeoutMs: 300, retries: 0 })
      const started = Date.now()
      const error = await quick.initiatePayment({ InvoiceAmount: 1 }).catch((e: unknown) => e)
      const elapsed = Date.now() - started
      expect(error).toBeInstanceOf(MyFatoorahConnectionError)
      expect((error as MyFatoorahConnectionError).timedOut).toBe(true)
      expect(elapsed).toBeGreaterThanOrEqual(290)
      expect(elapsed).toBeLessThan(3_000)

      proxy.seen.length = 0
      proxy.faults = ['hang']
      const retried = new MyFatoorahClient({ apiKey, baseUrl: proxy.url, timeoutMs: 300, retries: 1, retryDelayMs: 10 })
      const data = await retried.initiatePayment({ InvoiceAmount: 1 })
      expect(data.PaymentMethods.length).toBeGreaterThan(0)
      expect(proxy.seen).toHaveLength(2)
      expect(new Set(keysOf(proxy.seen)).size).toBe(1)
    })

    it("stops at once when the caller's signal aborts", async () => {
      proxy.faults = ['hang']
      const controller = new AbortController()
      setTimeout(() => controller.abort(new Error('user gave up')), 100)
      const error = await client.initiatePayment({}, { signal: controller.signal }).catch((e: unknown) => e)
      expect((error as Error).message).toBe('user gave up')
      expect(proxy.seen).toHaveLength(1)
    })
  })
}
