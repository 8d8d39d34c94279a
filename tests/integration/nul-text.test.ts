import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { countRows } from '../../src/store/table-inspection.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'

/**
 * NUL (U+0000) in text: PostgreSQL cannot store it, and SQLite would. One rule for both
 * databases: every text field refuses it with a 400 naming the field, and nothing is stored.
 */

const NUL = 'a\u0000b'
const CARD = { Number: '5123450000000008', ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100' }

for (const dialect of DIALECTS) {
  describe(`${dialect}: NUL in text fields`, () => {
    let app: TestApp
    let apiKey: string

    beforeAll(async () => {
      app = await startTestApp(dialect)
      apiKey = (await app.createMerchant({ bypass3ds: true })).apiKey
    })
    afterAll(async () => app?.close())

    const expectRefused = async (response: { status: number; body: any }, field: string) => {
      expect(response.status, JSON.stringify(response.body)).toBe(400)
      expect(response.body.IsSuccess).toBe(false)
      expect(response.body.ValidationErrors).toContainEqual({ Name: field, Error: `${field.split('.').at(-1)} must not contain the NUL character` })
    }

    it('ExecutePayment refuses NUL in every text field and stores nothing', async () => {
      const invoicesBefore = await countRows(app.deps.store.db, 'invoices')
      for (const field of ['CustomerName', 'CustomerReference', 'UserDefinedField', 'CustomerCivilId', 'CallBackUrl']) {
        const response = await app.call('POST', '/v2/ExecutePayment', apiKey, { PaymentMethodId: 2, InvoiceValue: 10, [field]: NUL })
        await expectRefused(response, field)
      }
      expect(await countRows(app.deps.store.db, 'invoices')).toBe(invoicesBefore)
    })

    it('look-ups, sessions and card holders refuse NUL too', async () => {
      await expectRefused(await app.call('POST', '/v2/GetPaymentStatus', apiKey, { KeyType: 'CustomerReference', Key: NUL }), 'Key')
      await expectRefused(await app.call('POST', '/v2/InitiateSession', apiKey, { CustomerIdentifier: NUL }), 'CustomerIdentifier')
      const created = await app.call('POST', '/v2/ExecutePayment', apiKey, { PaymentMethodId: 9, InvoiceValue: 10 })
      const direct = await app.call('POST', new URL(created.body.Data.PaymentURL).pathname, apiKey, {
        PaymentType: 'card',
        Bypass3DS: true,
        Card: { ...CARD, HolderName: NUL },
      })
      await expectRefused(direct, 'Card.HolderName')
      const session = await app.call('POST', '/v2/InitiateSession', apiKey, {})
      const submitted = await app.call('POST', '/cardview/submit', null, { SessionId: session.body.Data.SessionId, Card: { ...CARD, HolderName: NUL } })
      await expectRefused(submitted, 'Card.HolderName')
      await expectRefused(await app.call('POST', '/v2/GetWebhooks', apiKey, { KeyType: 'CustomerReference', Key: [NUL] }), 'Key')
    })

    it('a NUL in the path names nothing: 404 on every route with a path parameter', async () => {
      const paths = [
        ['GET', '/KWT/ie/%00'],
        ['GET', '/En/KWT/ie/%00'],
        ['GET', '/En/KWT/ie/a%00b'],
        ['GET', '/En/%00/PayInvoice/Result'],
        ['GET', '/cardview/%00/session.js'],
        ['GET', '/console/invoices/%00'],
        ['GET', '/console/recurrences/a%00'],
        ['GET', '/console/webhooks/%00'],
        ['POST', '/v2/DirectPayment/%00/2'],
      ] as const
      for (const [method, path] of paths) {
        const response = await app.call(method, path, apiKey, method === 'POST' ? {} : undefined)
        expect(response.status, `${method} ${path}`).toBe(404)
      }
    })

    it('GetWebhooks refuses a Key list longer than its bound instead of failing', async () => {
      const keys = Array.from({ length: 32_766 }, (_, i) => String(i + 1))
      const response = await app.call('POST', '/v2/GetWebhooks', apiKey, { KeyType: 'InvoiceId', Key: keys })
      expect(response.status, JSON.stringify(response.body).slice(0, 200)).toBe(400)
      expect(response.body.ValidationErrors).toContainEqual({ Name: 'Key', Error: 'Key must not list more than 500 values' })
      const allowed = await app.call('POST', '/v2/GetWebhooks', apiKey, { KeyType: 'InvoiceId', Key: keys.slice(0, 500) })
      expect(allowed.status).toBe(200)
    })
  })
}
