import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { countRows } from '../../src/store/table-inspection.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'

/**
 * Property-based hunt for 5xx: random and malformed bodies, wrong types, huge strings, unicode
 * and injection strings at every endpoint. Every answer must be a valid envelope, no 5xx, and a
 * refused request (4xx) must store nothing.
 */

const ENDPOINTS: ReadonlyArray<{ method: 'GET' | 'POST'; path: string }> = [
  { method: 'POST', path: '/v2/InitiatePayment' },
  { method: 'POST', path: '/v2/ExecutePayment' },
  { method: 'POST', path: '/v2/GetPaymentStatus' },
  { method: 'POST', path: '/v2/InitiateSession' },
  { method: 'GET', path: '/v2/GetRecurringPayment' },
  { method: 'POST', path: '/v2/CancelRecurringPayment?recurringId=RECUR1' },
  { method: 'POST', path: '/v2/ResumeRecurringPayment?recurringId=RECUR1' },
  { method: 'POST', path: '/v2/DirectPayment/abc/9' },
  { method: 'POST', path: '/v2/GetWebhooks' },
  { method: 'POST', path: '/v2/ResendWebhook' },
  { method: 'POST', path: '/v2/CancelToken?token=TKN-00000000-0000-4000-8000-000000000000' },
  { method: 'POST', path: '/v2/UpdateSession' },
  { method: 'POST', path: '/v2/RegisterApplePayDomain' },
  { method: 'POST', path: '/v2/SendPayment' },
  { method: 'GET', path: '/v2/sandbox/Notifications?PageSize=5' },
]

const FIELD_NAMES = [
  'InvoiceValue', 'invoicevalue', 'PaymentMethodId', 'SessionId', 'CustomerName', 'DisplayCurrencyIso',
  'MobileCountryCode', 'CustomerMobile', 'CustomerEmail', 'CallBackUrl', 'ErrorUrl', 'Language',
  'CustomerReference', 'UserDefinedField', 'ExpiryDate', 'InvoiceItems', 'ShippingMethod',
  'ShippingConsignee', 'Suppliers', 'RecurringModel', 'ProcessingDetails', 'WebhookUrl', 'Key',
  'KeyType', 'InvoiceAmount', 'CurrencyIso', 'CustomerIdentifier', 'SaveToken', 'IsRecurring',
  'PaymentType', 'Card', 'Token', 'Reference', 'Page', 'Start', 'End', '__proto__', 'constructor',
  'TokenType', 'SecurityCode', 'DomainName', 'NotificationOption', 'InvoicePaymentMethods',
]

const NASTY_STRINGS = fc.constantFrom(
  "'; DROP TABLE invoices; --",
  '" OR 1=1 --',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '\u0000',
  '٠١٢٣٤٥٦٧٨٩',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '0x10',
  '9'.repeat(400),
  '2.5000000000000000000001',
  'RECUR999999999999',
  'null',
  '',
  ' ',
)

const leaf = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  NASTY_STRINGS,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ minLength: 3000, maxLength: 6000 }),
)

const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.constantFrom(...FIELD_NAMES), tie('value'), { maxKeys: 6 }),
})).value

const body = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELD_NAMES), value, { maxKeys: 12 }).map((object) => JSON.stringify(object)),
  fc.jsonValue().map((json) => JSON.stringify(json)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('', 'null', '{', '[]', '"text"', '{"InvoiceValue": 1e999}', '{"a":'.repeat(50)),
)

const TABLES = ['invoices', 'recurrences', 'transactions', 'card_tokens', 'outbox_events', 'apple_pay_domains', 'notifications'] as const

for (const dialect of DIALECTS) {
  describe(`${dialect}: fuzzing every endpoint`, () => {
    let t: TestApp
    let apiKey: string

    beforeAll(async () => {
      t = await startTestApp(dialect)
      apiKey = (await t.createMerchant()).apiKey
    })
    afterAll(async () => t?.close())

    async function counts(): Promise<number[]> {
      return Promise.all(
        TABLES.map((table) => countRows(t.deps.store.db, table)),
      )
    }

    it('answers every random body with an envelope and never a 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...ENDPOINTS), body, async (endpoint, text) => {
          const before = await counts()
          const response = await fetch(t.baseUrl + endpoint.path, {
            method: endpoint.method,
            headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
            ...(endpoint.method === 'POST' ? { body: text } : {}),
          })
          const parsed = (await response.json()) as Record<string, unknown>
          expect(response.status, `${endpoint.path} ${text.slice(0, 200)}`).toBeLessThan(500)
          expect(typeof parsed.IsSuccess).toBe('boolean')
          expect('Data' in parsed && 'Message' in parsed && 'ValidationErrors' in parsed).toBe(true)
          if (response.status >= 400) {
            expect(parsed.IsSuccess).toBe(false)
            expect(await counts()).toEqual(before)
          }
        }),
        { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
      )
    })

    it('answers bad authorization headers with 401, never a 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(fc.string({ maxLength: 300 }), async (header) => {
          const response = await fetch(`${t.baseUrl}/v2/GetPaymentStatus`, {
            method: 'POST',
            headers: { authorization: header.replace(/[\r\n\0]/g, ''), 'content-type': 'application/json' },
            body: '{"Key":1,"KeyType":"InvoiceId"}',
          }).catch(() => undefined)
          if (response) expect(response.status).toBe(401)
        }),
        { numRuns: 100 },
      )
    })
  })
}
