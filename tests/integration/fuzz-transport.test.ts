import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { Database } from '../../src/store/database.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import {
  countRequest,
  FUZZ_SECONDS,
  fuzzParameters,
  fuzzSummary,
  fuzzTimeout,
  heapAfterGc,
  requestCounts,
  rowCounts,
  send,
  sendRaw,
  tableNames,
} from './fuzz-support.js'
import { openMerchantWorld, type MerchantWorld } from './security-fixtures.js'

/**
 * Fuzzer below JSON: raw HTTP/1.1 bytes on sockets — broken request lines and framing,
 * duplicate, huge and odd headers, bad authorization, invalid UTF-8 and NUL in bodies, oversized
 * and deeply nested bodies — and slow clients that drip headers and bodies. Pass: no 5xx, the
 * server keeps answering, nothing stored after a 4xx, stalled sockets are closed in time.
 */

/** Short timeouts so that stalled requests end within the test. */
const TIMEOUTS = { DAWRI_REQUEST_TIMEOUT_MS: '3000', DAWRI_HEADERS_TIMEOUT_MS: '1500', DAWRI_RATE_LIMIT_FORMS_PER_IP: '0' }

const PATHS = [
  '/v2/ExecutePayment', '/v2/GetPaymentStatus', '/v2/InitiatePayment', '/v2/MakeRefund', '/v2/UpdatePaymentStatus', '/v2/GetWebhooks',
  '/v2/sandbox/AdvanceClock', '/v2/GetRecurringPayment?recurringId=RECUR1', '/v2/SendPayment', '/v2/DirectPayment/x/9', '/cardview/submit',
  '/En/KWT/PayInvoice/Checkout?invoiceKey=x&paymentGatewayId=2', '/En/KWT/PayInvoice/MpgsAuthentication?paymentId=1&sessionId=2',
  '/', '/health', '/openapi.json', '/v2//ExecutePayment', '/V2/EXECUTEPAYMENT', '/v2/ExecutePayment/', '*', 'http://evil/v2/ExecutePayment',
  '/v2/%00', '/%ZZ', '/' + 'a'.repeat(20_000),
]

const bytes = (...parts: Array<string | Buffer>) => Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : part)))

for (const dialect of DIALECTS) {
  describe(`${dialect}: fuzzing the HTTP transport`, () => {
    let app: TestApp
    let world: MerchantWorld
    let tables: Array<keyof Database>
    let heapBefore = 0
    const label = `${dialect} transport`

    beforeAll(async () => {
      app = await startTestApp(dialect, { env: TIMEOUTS })
      world = await openMerchantWorld(app, 'transport')
      tables = await tableNames(app)
      heapBefore = heapAfterGc()
    })
    afterAll(async () => {
      console.log(fuzzSummary(label, FUZZ_SECONDS))
      await app?.close()
    })

    const healthy = async () => {
      const started = Date.now()
      const answer = await send(app.baseUrl, 'GET', '/health', {}, undefined)
      expect(answer.status).toBe(200)
      return Date.now() - started
    }

    it('answers random raw requests with no 5xx and stays up, storing nothing on a 4xx', async () => {
      const validBody = JSON.stringify({ InvoiceValue: 5, PaymentMethodId: 2, CustomerName: 'raw' })
      const body = fc.oneof(
        fc.constant(Buffer.from(validBody)),
        fc.constant(Buffer.from(`{"CustomerName":"a\u0000b","InvoiceValue":5,"PaymentMethodId":2}`)),
        fc.constant(bytes('{"CustomerName":"', Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xff]), '","InvoiceValue":5,"PaymentMethodId":2}')),
        fc.constant(Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from(validBody)])),
        fc.constant(Buffer.from('\ufeff\ufeff' + validBody, 'utf16le')),
        fc.constant(Buffer.from('['.repeat(50_000) + ']'.repeat(50_000))),
        fc.constant(Buffer.from('{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000))),
        fc.constant(Buffer.alloc(1024 * 1024 + 10, 0x20)),
        fc.uint8Array({ maxLength: 200 }).map((array) => Buffer.from(array)),
        fc.constant(Buffer.alloc(0)),
      )
      const header = fc.oneof(
        fc.constantFrom(
          'Content-Type: application/json', 'Content-Type: application/json', 'Content-Type: text/plain', 'Content-Type: application/x-www-form-urlencoded',
          'Content-Type: application/json; charset=utf-16', 'Content-Type: ', 'Content-Type: */*', 'Content-Type: application/json\r\nContent-Type: text/html',
          `Authorization: Bearer ${world.apiKey}`, `Authorization: Bearer ${world.apiKey}`, `Authorization: Bearer ${world.apiKey}\r\nAuthorization: Bearer other`,
          'Authorization: Bearer', 'Authorization: Basic Zm9vOmJhcg==', `Authorization: Bearer ${'x'.repeat(10_000)}`,
          'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip, chunked', 'Content-Encoding: gzip', 'Content-Length: -1', 'Content-Length: 99999999999',
          'Content-Length: 5\r\nContent-Length: 6', 'Expect: 100-continue', 'Connection: close', 'Connection: keep-alive, Upgrade', 'Upgrade: websocket',
          'Origin: null', 'X-Forwarded-For: 6.6.6.6', 'X-Forwarded-Host: evil.example.test', 'Idempotency-Key: k', 'X-Request-Id: "><script>',
          `X-Huge: ${'h'.repeat(20_000)}`, 'Bad Header: x', 'X-Nul: a\u0000b', 'X-Latin: \u00ff\u00fe', ': empty-name',
        ),
        fc.string({ maxLength: 40 }).map((text) => `X-Random: ${text.replace(/[\r\n]/g, '')}`),
      )
      const request = fc.record({
        method: fc.constantFrom('POST', 'POST', 'GET', 'PUT', 'HEAD', 'OPTIONS', 'DELETE', 'TRACE', 'CONNECT', 'BREW', 'post', ''),
        path: fc.constantFrom(...PATHS),
        version: fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x', ''),
        host: fc.constantFrom('Host: x\r\n', 'Host: x\r\n', '', 'Host: x\r\nHost: y\r\n'),
        headers: fc.array(header, { maxLength: 5 }),
        body,
        framing: fc.constantFrom('length', 'length', 'length', 'none', 'chunked', 'bad-chunk', 'short-length'),
      })
      let counts = await rowCounts(app, tables)
      let sinceHealthCheck = 0
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const framing =
            r.framing === 'length' ? `Content-Length: ${r.body.length}\r\n`
              : r.framing === 'short-length' ? `Content-Length: ${r.body.length + 10}\r\n`
                : r.framing === 'none' ? '' : 'Transfer-Encoding: chunked\r\n'
          const payload = r.framing === 'chunked' ? bytes(r.body.length.toString(16), '\r\n', r.body, '\r\n0\r\n\r\n')
            : r.framing === 'bad-chunk' ? bytes('zz\r\n', r.body, '\r\n0\r\n\r\n') : r.body
          const head = `${r.method} ${r.path} ${r.version}\r\n${r.host}${r.headers.map((line) => `${line}\r\n`).join('')}${framing}Connection: close\r\n\r\n`
          const answer = await sendRaw(app.baseUrl, [bytes(head, payload)], { waitMs: 8000 })
          countRequest(label, answer.status)
          const context = `${head.slice(0, 300).replace(/\r\n/g, ' | ')} body ${payload.subarray(0, 80).toString('latin1')} → ${answer.text.slice(0, 300)}`
          // A connection closed without an answer (0) is how Node ends hopeless framing; never a 5xx.
          expect(answer.status === 0 || (answer.status >= 100 && answer.status < 500), context).toBe(true)
          const after = await rowCounts(app, tables)
          if (answer.status >= 400 || answer.status === 0) expect({ ...after, idempotency_keys: 0 }, context).toEqual({ ...counts, idempotency_keys: 0 })
          counts = after
          if (++sinceHealthCheck >= 20) {
            sinceHealthCheck = 0
            await healthy()
          }
        }),
        fuzzParameters(),
      )
      await healthy()
      expect(requestCounts.get(label) ?? 0).toBeGreaterThan(20)
    }, fuzzTimeout())

    it('answers a request whose headers and body are drip-fed within the timeouts', async () => {
      const body = JSON.stringify({ Key: world.pendingInvoiceId, KeyType: 'InvoiceId' })
      const text = `POST /v2/GetPaymentStatus HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${world.apiKey}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
      const chunks = text.match(/[\s\S]{1,12}/g) ?? []
      // ~24 chunks 40 ms apart: about a second, inside the headers and request timeouts.
      const answer = await sendRaw(app.baseUrl, chunks, { gapMs: 40 })
      countRequest(label, answer.status)
      expect(answer.status, answer.text.slice(0, 300)).toBe(200)
      expect(answer.text).toContain('"IsSuccess":true')
    })

    it('closes 40 sockets that drip forever within the timeouts, answering others meanwhile, storing nothing', async () => {
      const before = await rowCounts(app, tables)
      const headerDrip = Array.from({ length: 200 }, (_, i) => (i === 0 ? 'POST /v2/ExecutePayment HTTP/1.1\r\nX-Slow: ' : 'a'))
      const bodyHead = `POST /v2/ExecutePayment HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${world.apiKey}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{`
      const bodyDrip = [bodyHead, ...Array.from({ length: 200 }, () => ' ')]
      const started = Date.now()
      const slow = Array.from({ length: 40 }, (_, i) => sendRaw(app.baseUrl, i % 2 === 0 ? headerDrip : bodyDrip, { gapMs: 100, waitMs: 15_000 }))
      // While they drip, the server answers others at once.
      const latencies: number[] = []
      for (let i = 0; i < 10; i++) {
        latencies.push(await healthy())
        const created = await app.call('POST', '/v2/ExecutePayment', world.apiKey, { PaymentMethodId: 2, InvoiceValue: 1 })
        expect(created.status).toBe(200)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const ends = await Promise.all(slow)
      const elapsed = Date.now() - started
      for (const end of ends) {
        countRequest(label, end.status)
        expect(end.status === 0 || end.status === 408, end.text.slice(0, 200)).toBe(true)
      }
      // Closed by the request timeout (3 s) and Node's check interval, long before they would end (20 s).
      expect(elapsed).toBeLessThan(12_000)
      expect(Math.max(...latencies)).toBeLessThan(1000)
      const after = await rowCounts(app, tables)
      // The ten ExecutePayments made meanwhile are the only new invoices.
      expect(after.invoices).toBe((before.invoices ?? 0) + 10)
    }, 60_000)

    it('refuses oversized requests with 4xx: a body past 1 MiB, a 64 KiB header, a 100 KiB URL', async () => {
      const big = await send(app.baseUrl, 'POST', '/v2/ExecutePayment', { authorization: `Bearer ${world.apiKey}`, 'content-type': 'application/json' }, JSON.stringify({ CustomerName: 'x'.repeat(1024 * 1024) }))
      expect(big.status).toBe(413)
      expect(JSON.parse(big.text)).toMatchObject({ IsSuccess: false, Data: null })
      const header = await sendRaw(app.baseUrl, [`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(64 * 1024)}\r\n\r\n`])
      expect(header.status).toBe(431)
      const url = await sendRaw(app.baseUrl, [`GET /v2/GetRecurringPayment?recurringId=${'r'.repeat(100 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`])
      expect(url.status).toBe(431)
      for (const status of [big.status, header.status, url.status]) countRequest(label, status)
      await healthy()
    })

    it('keeps its heap bounded over the run', () => {
      const growth = heapAfterGc() - heapBefore
      console.log(`fuzz ${label}: heap growth ${(growth / 1024 / 1024).toFixed(1)} MiB`)
      expect(growth).toBeLessThan(64 * 1024 * 1024)
    })
  })
}
