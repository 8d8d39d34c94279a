import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { Database } from '../../src/store/database.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import {
  countRequest,
  deepValue,
  expectEnvelope,
  FUZZ_SECONDS,
  fuzzParameters,
  fuzzSummary,
  fuzzTimeout,
  heapAfterGc,
  hostileLeaf,
  NASTY_STRINGS,
  requestCounts,
  rowCounts,
  send,
  tableNames,
} from './fuzz-support.js'
import { openMerchantWorld, type MerchantWorld } from './security-fixtures.js'

/**
 * Fuzzer of every page and every route outside /v2: the hosted checkout, OTP and result pages,
 * the invoice page, the Card View (library, frame, JSON submit), the landing page, health,
 * readiness, metrics, OpenAPI and Swagger. Paths, queries and form bodies are random around real
 * identifiers; forms are sometimes posted with a valid CSRF token and the server's own origin so
 * that they reach the payment code. Every answer: no 5xx; JSON where JSON is promised; after a
 * 4xx every table holds the rows it held before.
 */

const LANGS = ['En', 'Ar', 'en', 'AR', 'fr', '', '..', '%00', 'x'.repeat(300)]
const COUNTRIES = ['KWT', 'SAU', 'kwt', 'XXX', '', '%2F']
const APPROVED = ['5123450000000008', '4508750015741019']
const CARD_NUMBERS = [...APPROVED, '4000000000000002', '4000000000000069', '4000000000000127', '4000000000002016', '8888880000000001', '4111111111111112', '0000000000000000', '1'.repeat(40)]

/** Page routes as templates; `{…}` is filled from the world or at random. */
const PAGE_ROUTES: ReadonlyArray<{ method: 'GET' | 'POST'; path: string; query: readonly string[]; form: boolean }> = [
  { method: 'GET', path: '/', query: [], form: false },
  { method: 'GET', path: '/health', query: [], form: false },
  { method: 'GET', path: '/ready', query: [], form: false },
  { method: 'GET', path: '/metrics', query: [], form: false },
  { method: 'GET', path: '/openapi.json', query: [], form: false },
  { method: 'GET', path: '/swagger', query: [], form: false },
  { method: 'GET', path: '/pages/checkout.css', query: [], form: false },
  { method: 'GET', path: '/cardview/frame.js', query: [], form: false },
  { method: 'GET', path: '/cardview/frame.css', query: [], form: false },
  { method: 'GET', path: '/cardview/{version}/session.js', query: [], form: false },
  { method: 'GET', path: '/cardview/frame', query: ['sessionId', 'language'], form: false },
  { method: 'POST', path: '/cardview/submit', query: [], form: true },
  { method: 'GET', path: '/{lang}/{country}/PayInvoice/Checkout', query: ['invoiceKey', 'paymentGatewayId'], form: false },
  { method: 'POST', path: '/{lang}/{country}/PayInvoice/Checkout', query: ['invoiceKey', 'paymentGatewayId'], form: true },
  { method: 'GET', path: '/{lang}/{country}/PayInvoice/MpgsAuthentication', query: ['paymentId', 'sessionId'], form: false },
  { method: 'POST', path: '/{lang}/{country}/PayInvoice/MpgsAuthentication', query: ['paymentId', 'sessionId'], form: true },
  { method: 'GET', path: '/{lang}/{country}/PayInvoice/Result', query: ['paymentId'], form: false },
  { method: 'GET', path: '/{country}/ie/{invoiceKey}', query: [], form: false },
  { method: 'GET', path: '/{lang}/{country}/ie/{invoiceKey}', query: [], form: false },
  // The operators' console: signed out, and signed in with the merchant's key (a cookie).
  { method: 'GET', path: '/console', query: [], form: false },
  { method: 'GET', path: '/console/sign-in', query: ['to'], form: false },
  { method: 'POST', path: '/console/sign-in', query: ['to'], form: true },
  { method: 'POST', path: '/console/sign-out', query: [], form: true },
  { method: 'GET', path: '/console/language', query: ['to', 'back'], form: false },
  { method: 'GET', path: '/console/invoices', query: ['q', 'status', 'before'], form: false },
  { method: 'GET', path: '/console/invoices/{invoiceKey}', query: ['done'], form: false },
  { method: 'POST', path: '/console/invoices/{invoiceKey}/refund', query: [], form: true },
  { method: 'POST', path: '/console/invoices/{invoiceKey}/capture', query: [], form: true },
  { method: 'POST', path: '/console/invoices/{invoiceKey}/release', query: [], form: true },
  { method: 'GET', path: '/console/recurrences', query: ['q', 'status', 'before'], form: false },
  { method: 'GET', path: '/console/recurrences/{invoiceKey}', query: ['done'], form: false },
  { method: 'POST', path: '/console/recurrences/{invoiceKey}/cancel', query: [], form: true },
  { method: 'POST', path: '/console/recurrences/{invoiceKey}/resume', query: [], form: true },
  { method: 'GET', path: '/console/webhooks', query: ['status', 'event', 'before'], form: false },
  { method: 'GET', path: '/console/webhooks/{invoiceKey}', query: ['resent'], form: false },
  { method: 'POST', path: '/console/webhooks/{invoiceKey}/resend', query: [], form: true },
  { method: 'GET', path: '/console/sandbox', query: ['ok'], form: false },
  { method: 'POST', path: '/console/sandbox/advance', query: [], form: true },
  { method: 'POST', path: '/console/sandbox/chaos', query: [], form: true },
]

/** Routes promising JSON (an envelope when refused). */
const JSON_ROUTES = new Set(['/cardview/submit'])

interface PageTarget {
  readonly url: string
  /** CSRF token of the form at `url`, when it renders one. */
  readonly csrf: string | undefined
}

/** encodeURIComponent that accepts lone surrogates (as a client's broken text may hold). */
const encode = (text: string) => encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '\ufffd'))

async function targetOf(url: string, cookie?: string): Promise<PageTarget> {
  const html = await (await fetch(url, { headers: cookie === undefined ? {} : { cookie } })).text()
  return { url, csrf: /name="csrf" value="([^"]+)"/.exec(html)?.[1] }
}

/** Signs in to the console with an API key; the session cookie. */
async function consoleCookie(baseUrl: string, apiKey: string): Promise<string> {
  const { csrf } = await targetOf(`${baseUrl}/console/sign-in`)
  const response = await fetch(`${baseUrl}/console/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: baseUrl },
    body: new URLSearchParams({ csrf: csrf ?? '', apiKey }).toString(),
  })
  const cookie = response.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ')
  expect(cookie, `console sign-in answered ${response.status}`).not.toBe('')
  return cookie
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: fuzzing every page`, () => {
    let app: TestApp
    let world: MerchantWorld
    let tables: Array<keyof Database>
    let targets: PageTarget[]
    let cookie = ''
    let consoleCsrf = ''
    let heapBefore = 0
    const label = `${dialect} pages`

    beforeAll(async () => {
      // The form limit is tested by security-rate-limits.test.ts; here it would only hide handlers.
      app = await startTestApp(dialect, { env: { DAWRI_RATE_LIMIT_FORMS_PER_IP: '0' } })
      world = await openMerchantWorld(app, 'pages')
      tables = await tableNames(app)
      // Fresh invoices and payments at their forms, so that valid posts reach the charge.
      const more: string[] = []
      for (let i = 0; i < 3; i++) {
        const created = await app.call('POST', '/v2/ExecutePayment', world.apiKey, { PaymentMethodId: 2, InvoiceValue: 5 + i })
        more.push(created.body.Data.PaymentURL)
        const knet = await app.call('POST', '/v2/ExecutePayment', world.apiKey, { PaymentMethodId: 1, InvoiceValue: 5 + i })
        more.push(knet.body.Data.PaymentURL)
        const direct = await app.call('POST', '/v2/ExecutePayment', world.apiKey, { PaymentMethodId: 9, InvoiceValue: 5 + i })
        const otp = await app.call('POST', new URL(direct.body.Data.PaymentURL).pathname, world.apiKey, { PaymentType: 'card', Card: { Number: APPROVED[0], ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100' } })
        more.push(otp.body.Data.PaymentURL)
      }
      targets = await Promise.all([world.checkoutUrl, world.otpUrl, world.invoicePageUrl, ...more].map((url) => targetOf(url)))
      cookie = await consoleCookie(app.baseUrl, world.apiKey)
      // The console's forms carry a token bound to the session.
      consoleCsrf = (await targetOf(`${app.baseUrl}/console/sandbox`, cookie)).csrf ?? ''
      heapBefore = heapAfterGc()
    })
    afterAll(async () => {
      console.log(fuzzSummary(label, FUZZ_SECONDS))
      await app?.close()
    })

    it('answers random requests to every page with no 5xx, storing nothing on a 4xx', async () => {
      const worldValues = [String(world.pendingInvoiceId), String(world.authorizedInvoiceId), String(world.paidInvoiceId), world.webhookReference, world.sessionId, world.otpPaymentId, world.paidPaymentId, world.recurringId, ...targets.flatMap((t) => [...new URL(t.url).searchParams.values()])]
      const text = fc.oneof(fc.constantFrom(...worldValues), fc.constantFrom(...NASTY_STRINGS), fc.string({ maxLength: 30 }))
      const formValue = fc.oneof(
        { arbitrary: fc.constantFrom(...CARD_NUMBERS, '01', '1', '12', '13', '39', '2039', '00', '100', '1234', '123456', '000000', 'Holder'), weight: 5 },
        { arbitrary: text, weight: 3 },
        { arbitrary: fc.constant('9'.repeat(20_000)), weight: 1 },
      )
      const form = fc.dictionary(fc.constantFrom('csrf', 'holderName', 'number', 'expiryMonth', 'expiryYear', 'securityCode', 'otp', 'pin', 'SessionId', 'x', 'apiKey', 'adminToken', 'amount', 'comment', 'days', 'merchant'), formValue, { maxKeys: 8 })
      const cardViewBody = fc.record({
        SessionId: fc.oneof(fc.constant(world.sessionId), text),
        Card: fc.oneof(
          fc.record({ Number: fc.constantFrom(...CARD_NUMBERS), ExpiryMonth: fc.constantFrom('01', '13', 'x'), ExpiryYear: fc.constantFrom('39', '20', ''), SecurityCode: fc.constantFrom('100', '1', ''), HolderName: text }, { requiredKeys: [] }),
          hostileLeaf,
          deepValue,
        ),
      }, { requiredKeys: [] })
      const request = fc.record({
        route: fc.constantFrom(...PAGE_ROUTES),
        target: fc.constantFrom(...targets),
        useTarget: fc.boolean(),
        lang: fc.constantFrom(...LANGS),
        country: fc.constantFrom(...COUNTRIES),
        pathValue: text,
        query: fc.array(fc.tuple(fc.constantFrom('invoiceKey', 'paymentGatewayId', 'paymentId', 'sessionId', 'language', 'x'), text), { maxLength: 3 }),
        form,
        cardView: cardViewBody,
        encoding: fc.constantFrom('form', 'form', 'json', 'garbage', 'invalid-utf8', 'none'),
        withCsrf: fc.boolean(),
        origin: fc.constantFrom('same', 'same', 'none', 'evil', 'null'),
        signedIn: fc.boolean(),
      })
      let counts = await rowCounts(app, tables)
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          let url: string
          if (r.useTarget && !r.route.path.startsWith('/console') && r.route.path.includes('PayInvoice') === /PayInvoice/.test(r.target.url) && r.route.path.includes('/ie/') === r.target.url.includes('/ie/')) {
            url = new URL(r.target.url).pathname + new URL(r.target.url).search
            if (r.route.path.includes('/Result')) url = url.replace('MpgsAuthentication', 'Result')
          } else {
            url = r.route.path
              .replace('{lang}', encode(r.lang))
              .replace('{country}', encode(r.country))
              .replace('{invoiceKey}', encode(r.pathValue))
              .replace('{version}', encode(r.pathValue))
            const search = new URLSearchParams(r.query).toString()
            if (search !== '') url += `?${search}`
          }
          const headers: Record<string, string> = {}
          if (r.origin === 'same') headers.origin = app.baseUrl
          if (r.origin === 'evil') headers.origin = 'https://evil.example.test'
          if (r.origin === 'null') headers.origin = 'null'
          const isConsole = r.route.path.startsWith('/console')
          if (isConsole && r.signedIn) headers.cookie = cookie
          let body: string | Buffer | undefined
          if (r.route.method === 'POST') {
            const csrf = isConsole ? consoleCsrf : r.target.csrf
            const fields = { ...r.form, ...(r.withCsrf && csrf !== undefined ? { csrf } : {}) }
            const json = r.route.path === '/cardview/submit' ? r.cardView : fields
            if (r.encoding === 'form') {
              headers['content-type'] = 'application/x-www-form-urlencoded'
              body = new URLSearchParams(fields).toString()
            } else if (r.encoding === 'json') {
              headers['content-type'] = 'application/json'
              body = JSON.stringify(json)
            } else if (r.encoding === 'garbage') {
              headers['content-type'] = r.route.path === '/cardview/submit' ? 'application/json' : 'application/x-www-form-urlencoded'
              body = '{"SessionId":' + '%'.repeat(5) + '&&&=%zz'
            } else if (r.encoding === 'invalid-utf8') {
              headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8'
              body = Buffer.concat([Buffer.from('holderName='), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x00]), Buffer.from('&number=5123450000000008')])
            }
          }
          const answer = await send(app.baseUrl, r.route.method, url, headers, body)
          countRequest(label, answer.status)
          const context = `${r.route.method} ${url} ${String(body ?? '').slice(0, 200)} → ${answer.status} ${answer.text.slice(0, 200)}`
          expect(answer.status, context).toBeGreaterThan(0)
          expect(answer.status, context).toBeLessThan(500)
          if (JSON_ROUTES.has(r.route.path) && answer.status >= 400 && !url.includes('PayInvoice')) expectEnvelope(answer, context)
          const after = await rowCounts(app, tables)
          if (answer.status >= 400) expect(after, context).toEqual(counts)
          counts = after
        }),
        fuzzParameters(),
      )
      expect(requestCounts.get(label) ?? 0).toBeGreaterThan(PAGE_ROUTES.length)
    }, fuzzTimeout())

    it('keeps its heap bounded over the run', () => {
      const growth = heapAfterGc() - heapBefore
      console.log(`fuzz ${label}: heap growth ${(growth / 1024 / 1024).toFixed(1)} MiB`)
      expect(growth).toBeLessThan(64 * 1024 * 1024)
    })
  })
}
