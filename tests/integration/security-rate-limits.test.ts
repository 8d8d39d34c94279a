import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { loadConfig } from '../../src/config.js'
import { classifyRequest, clientAddressKey, MAX_BUCKETS, RATE_LIMIT_MESSAGE, RateLimiter } from '../../src/http/rate-limit.js'
import type { Database } from '../../src/store/database.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { rowCounts, send, tableNames } from './fuzz-support.js'

/** Rate limits (src/http/rate-limit.ts, docs/security.md): per key and per address on /v2, per address on the forms. */

describe('token buckets', () => {
  it('allow a burst of `capacity`, then one request per 1/perSecond, with Retry-After in whole seconds', () => {
    const limiter = new RateLimiter(2)
    expect(limiter.take('a', 0)).toEqual({ allowed: true })
    expect(limiter.take('a', 0)).toEqual({ allowed: true })
    expect(limiter.take('a', 0)).toEqual({ allowed: false, retryAfterSeconds: 1 })
    // Another bucket is untouched.
    expect(limiter.take('b', 0)).toEqual({ allowed: true })
    expect(limiter.take('a', 499)).toMatchObject({ allowed: false })
    expect(limiter.take('a', 500)).toEqual({ allowed: true })
    const slow = new RateLimiter(0.1, 1)
    slow.take('x', 0)
    expect(slow.take('x', 0)).toEqual({ allowed: false, retryAfterSeconds: 10 })
  })

  it('keep at most MAX_BUCKETS buckets, dropping refilled ones first', () => {
    const limiter = new RateLimiter(1000)
    // None has refilled at the same instant: the oldest tenth goes.
    for (let i = 0; i < MAX_BUCKETS + 500; i++) limiter.take(`client-${i}`, 0)
    expect(limiter.size).toBeLessThanOrEqual(MAX_BUCKETS)
    for (let i = 0; limiter.size < MAX_BUCKETS; i++) limiter.take(`more-${i}`, 0)
    // All of those refill in 1 ms: the next newcomer finds them full and forgets them.
    limiter.take('late', 10)
    expect(limiter.size).toBe(1)
  })

  it('classify /v2 (any case, repeated slashes) as API and the card, OTP and Card View posts as forms', () => {
    expect(classifyRequest('GET', '/v2/GetRecurringPayment?x=1')).toBe('api')
    expect(classifyRequest('POST', '//V2//ExecutePayment')).toBe('api')
    expect(classifyRequest('POST', '/En/KWT/PayInvoice/Checkout?invoiceKey=a')).toBe('form')
    expect(classifyRequest('POST', '/ar/sau/payinvoice/MPGSAUTHENTICATION?paymentId=1')).toBe('form')
    expect(classifyRequest('POST', '/cardview/submit')).toBe('form')
    expect(classifyRequest('GET', '/En/KWT/PayInvoice/Checkout?invoiceKey=a')).toBe('other')
    expect(classifyRequest('GET', '/health')).toBe('other')
  })

  it('limit IPv6 clients by their /64 and IPv4 clients by their address', () => {
    expect(clientAddressKey('2001:db8:1:2:aaaa::1')).toBe(clientAddressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'))
    expect(clientAddressKey('2001:db8:1:2::1')).not.toBe(clientAddressKey('2001:db8:1:3::1'))
    expect(clientAddressKey('10.0.0.1')).toBe('10.0.0.1')
    expect(clientAddressKey('::ffff:10.0.0.1')).toBe('::ffff:10.0.0.1')
  })

  it('defaults never trip the benchmark (~5k requests a second of one key from one address); 0 turns a limit off', () => {
    const config = loadConfig({}, {})
    expect(config.rateLimitPerKey).toBeGreaterThanOrEqual(10_000)
    expect(config.rateLimitPerIp).toBeGreaterThanOrEqual(10_000)
    expect(config.rateLimitFormsPerIp).toBeGreaterThan(0)
    const off = loadConfig({}, { DAWRI_RATE_LIMIT_PER_KEY: '0', DAWRI_RATE_LIMIT_PER_IP: '0', DAWRI_RATE_LIMIT_FORMS_PER_IP: '0' })
    expect([off.rateLimitPerKey, off.rateLimitPerIp, off.rateLimitFormsPerIp]).toEqual([0, 0, 0])
    expect(() => loadConfig({}, { DAWRI_RATE_LIMIT_PER_KEY: '-1' })).toThrow(/DAWRI_RATE_LIMIT_PER_KEY/)
  })
})

/** Fires `count` requests at once and returns their answers. */
async function burst(count: number, make: (i: number) => Promise<{ status: number; headers: Headers; text: string }>) {
  return Promise.all(Array.from({ length: count }, (_, i) => make(i)))
}

async function fetchAnswer(url: string, init: RequestInit) {
  const response = await fetch(url, { ...init, redirect: 'manual' })
  return { status: response.status, headers: response.headers, text: await response.text() }
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: rate limits on a running server`, () => {
    let app: TestApp
    let tables: Array<keyof Database>

    beforeAll(async () => {
      app = await startTestApp(dialect, {
        env: { DAWRI_RATE_LIMIT_PER_KEY: '2', DAWRI_RATE_LIMIT_PER_IP: '12', DAWRI_RATE_LIMIT_FORMS_PER_IP: '4' },
      })
      tables = await tableNames(app)
    })
    afterAll(async () => app?.close())

    const api = (key: string, body: unknown = { InvoiceAmount: 1, CurrencyIso: 'KWD' }) =>
      fetchAnswer(`${app.baseUrl}/v2/InitiatePayment`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })

    it('per key: past the burst a key gets 429 with the envelope and Retry-After; another key is unaffected; nothing is stored', async () => {
      await new Promise((resolve) => setTimeout(resolve, 2500))
      const first = await app.createMerchant()
      const second = await app.createMerchant()
      const before = await rowCounts(app, tables)
      const answers = await burst(10, () => api(first.apiKey))
      const refused = answers.filter((answer) => answer.status === 429)
      // A burst of 2; a slow machine refills a token or two while the burst is under way.
      expect(answers.filter((answer) => answer.status === 200).length).toBeGreaterThanOrEqual(2)
      expect(refused.length).toBeGreaterThanOrEqual(4)
      expect(refused.length + answers.filter((answer) => answer.status === 200).length).toBe(10)
      for (const answer of refused) {
        expect(JSON.parse(answer.text)).toEqual({ IsSuccess: false, Message: RATE_LIMIT_MESSAGE, ValidationErrors: null, Data: null })
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      }
      expect((await api(second.apiKey)).status).toBe(200)
      // InitiatePayment stores nothing either way; the refusals added nothing.
      expect(await rowCounts(app, tables)).toEqual(before)
      // After Retry-After, the key works again.
      await new Promise((resolve) => setTimeout(resolve, 1000 * Math.max(...refused.map((answer) => Number(answer.headers.get('retry-after'))))))
      expect((await api(first.apiKey)).status).toBe(200)
    })

    it('per address: guessing keys from one address is cut off before authentication', async () => {
      // Its own server with a small address limit, so that a slow machine cannot refill it mid-burst.
      const strict = await startTestApp(dialect, { env: { DAWRI_RATE_LIMIT_PER_IP: '2' } })
      try {
        const answers = await burst(20, (i) =>
          fetchAnswer(`${strict.baseUrl}/v2/InitiatePayment`, { method: 'POST', headers: { authorization: `Bearer guess_${i}_0123456789abcdef`, 'content-type': 'application/json' }, body: '{}' }),
        )
        const statuses = answers.map((answer) => answer.status)
        expect(statuses.filter((status) => status === 401).length).toBeGreaterThanOrEqual(2)
        expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(10)
        expect(statuses.every((status) => status === 401 || status === 429)).toBe(true)
      } finally {
        await strict.close()
      }
    })

    it('card-form and OTP-form posts: past the burst, 429 with Retry-After and a page that cannot be framed', async () => {
      await new Promise((resolve) => setTimeout(resolve, 2500))
      const { apiKey } = await app.createMerchant()
      const created = await app.call('POST', '/v2/ExecutePayment', apiKey, { PaymentMethodId: 2, InvoiceValue: 3 })
      const checkout = created.body.Data.PaymentURL as string
      const form = new URLSearchParams({ csrf: 'x', number: '5123450000000008', expiryMonth: '01', expiryYear: '39', securityCode: '100' }).toString()
      const post = (url: string) => fetchAnswer(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: app.baseUrl }, body: form })
      const answers = await burst(6, () => post(checkout))
      const refused = answers.filter((answer) => answer.status === 429)
      expect(refused.length).toBeGreaterThanOrEqual(1)
      expect(answers.filter((answer) => answer.status === 403).length).toBeGreaterThanOrEqual(4)
      expect(answers.every((answer) => answer.status === 403 || answer.status === 429)).toBe(true)
      for (const answer of refused) {
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
        expect(answer.headers.get('x-frame-options')).toBe('DENY')
        expect(answer.headers.get('content-type')).toContain('text/html')
        expect(answer.text).toContain('Too many attempts')
      }
      // The OTP form counts against the same bucket.
      const otpUrl = checkout.replace('/Checkout?', '/MpgsAuthentication?').replace('invoiceKey', 'paymentId')
      expect((await burst(6, () => post(otpUrl))).some((answer) => answer.status === 429)).toBe(true)
      // The Card View's JSON submit answers with the envelope.
      const cardViews = await burst(6, () => fetchAnswer(`${app.baseUrl}/cardview/submit`, { method: 'POST', headers: { 'content-type': 'application/json', origin: app.baseUrl }, body: '{}' }))
      const cardView = cardViews.find((answer) => answer.status === 429)
      expect(cardView).toBeDefined()
      expect(JSON.parse(cardView?.text ?? '')).toMatchObject({ IsSuccess: false, Message: RATE_LIMIT_MESSAGE })
      // Viewing pages is not limited.
      expect((await send(app.baseUrl, 'GET', new URL(checkout).pathname + new URL(checkout).search, {}, undefined)).status).toBe(200)
    })
  })
}
