import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { countRows as countTableRows } from '../../src/store/table-inspection.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'

/** The seed request of issue 2: a recurring card invoice (Custom, 1 day, 3 iterations, 5 retries). */
export const SEED_EXECUTE_PAYMENT = {
  PaymentMethodId: 2,
  InvoiceValue: 10,
  CustomerName: 'Fatima Ali',
  CustomerEmail: 'fatima@example.com',
  MobileCountryCode: '+965',
  CustomerMobile: '12345678',
  CallBackUrl: 'https://merchant.example.com/callback',
  ErrorUrl: 'https://merchant.example.com/error',
  Language: 'en',
  CustomerReference: 'order-1',
  RecurringModel: { RecurringType: 'Custom', IntervalDays: 1, Iteration: 3, RetryCount: 5 },
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: core /v2 API`, () => {
    let t: TestApp
    let apiKey: string
    let otherKey: string

    beforeAll(async () => {
      t = await startTestApp(dialect)
      apiKey = (await t.createMerchant()).apiKey
      otherKey = (await t.createMerchant()).apiKey
    })
    afterAll(async () => t?.close())

    it('creates a recurring invoice from the seed sample and reports it Pending', async () => {
      const created = await t.call('POST', '/v2/ExecutePayment', apiKey, SEED_EXECUTE_PAYMENT)
      expect(created.status).toBe(200)
      expect(created.body).toMatchObject({ IsSuccess: true, Message: 'Invoice Created Successfully!', ValidationErrors: null })
      const data = created.body.Data
      expect(Number.isInteger(data.InvoiceId)).toBe(true)
      expect(data.IsDirectPayment).toBe(false)
      expect(data.RecurringId).toMatch(/^RECUR\d+$/)
      expect(data.CustomerReference).toBe('order-1')
      expect(data.PaymentURL).toBe(
        `${t.baseUrl}/En/KWT/PayInvoice/Checkout?invoiceKey=${new URL(data.PaymentURL).searchParams.get('invoiceKey')}&paymentGatewayId=2`,
      )

      const status = await t.call('POST', '/v2/GetPaymentStatus', apiKey, { Key: data.InvoiceId, KeyType: 'InvoiceId' })
      expect(status.status).toBe(200)
      expect(status.body.IsSuccess).toBe(true)
      expect(status.body.Message).toBe('')
      const invoice = status.body.Data
      expect(invoice).toMatchObject({
        InvoiceId: data.InvoiceId,
        InvoiceStatus: 'Pending',
        CustomerReference: 'order-1',
        InvoiceValue: 10,
        InvoiceDisplayValue: '10.000 KWD',
        CustomerName: 'Fatima Ali',
        CustomerMobile: '+96512345678',
        InvoiceTransactions: [],
        RecurringId: data.RecurringId,
      })
      expect(invoice.CreatedDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/)
      expect(invoice.ExpiryDate).toMatch(/^[A-Z][a-z]+ \d{1,2}, \d{4}$/)
      expect(invoice.ExpiryTime).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3}$/)
      expect(invoice.InvoiceReference).toMatch(/^\d{10}$/)

      const byReference = await t.call('POST', '/v2/getPaymentStatus', apiKey, { key: 'order-1', keyType: 'customerreference' })
      expect(byReference.body.Data.InvoiceId).toBe(data.InvoiceId)
    })

    it('accepts what real clients send: camelCase, numeric strings, empty optional strings, case-insensitive routes', async () => {
      const created = await t.call('POST', '/v2/executepayment', apiKey, {
        paymentMethodId: '2',
        invoiceValue: '2.500',
        customerEmail: '',
        customerMobile: '',
        userDefinedField: '',
        customerCivilId: '',
        SupplierCode: 0,
        SourceInfo: 'MyFatoorah PHP Library 2.2',
        InvoiceItems: [{ ItemName: 'Box', Quantity: '2', UnitPrice: '1.250' }],
      })
      expect(created.status).toBe(200)
      expect(created.body.Data.RecurringId).toBe('')
      const status = await t.call('POST', '/v2/GetPaymentStatus', apiKey, { Key: String(created.body.Data.InvoiceId), KeyType: 'invoiceid' })
      expect(status.body.Data.InvoiceValue).toBe(2.5)
      expect(status.body.Data.InvoiceItems).toEqual([
        { ItemName: 'Box', Quantity: 2, UnitPrice: 1.25, Weight: null, Width: null, Height: null, Depth: null },
      ])
      expect(status.body.Data).not.toHaveProperty('RecurringId')
    })

    it('lists every bad field at once with a 400 envelope and stores nothing', async () => {
      const before = await countRows(t, 'invoices')
      const recurrencesBefore = await countRows(t, 'recurrences')
      const response = await t.call('POST', '/v2/ExecutePayment', apiKey, {
        invoiceValue: 0,
        PaymentMethodId: 2,
        SessionId: '36201229-25ce-4360-9afc-5d901715b3a3',
        CustomerMobile: '+9651234567890',
        CallBackUrl: 'not a url',
        UserDefinedField: 'x'.repeat(501),
        DisplayCurrencyIso: 'USD',
        RecurringModel: { RecurringType: 'Custom', IntervalDays: 181, Iteration: -1, RetryCount: 6 },
      })
      expect(response.status).toBe(400)
      expect(response.body).toMatchObject({ IsSuccess: false, Message: 'Invalid data', Data: null })
      const names = response.body.ValidationErrors.map((error: { Name: string }) => error.Name)
      expect(names).toEqual(
        expect.arrayContaining([
          'invoiceValue',
          'SessionId',
          'CustomerMobile',
          'CallBackUrl',
          'UserDefinedField',
          'DisplayCurrencyIso',
          'RecurringModel.IntervalDays',
          'RecurringModel.Iteration',
          'RecurringModel.RetryCount',
        ]),
      )
      expect(response.body.ValidationErrors.find((e: { Name: string }) => e.Name === 'invoiceValue').Error).toBe(
        'Invoice value must be more than 0',
      )
      expect(await countRows(t, 'invoices')).toBe(before)
      expect(await countRows(t, 'recurrences')).toBe(recurrencesBefore)
    })

    it('enforces the recurring rules: card methods only, approved merchants only', async () => {
      const knet = await t.call('POST', '/v2/ExecutePayment', apiKey, { ...SEED_EXECUTE_PAYMENT, PaymentMethodId: 1 })
      expect(knet.status).toBe(400)
      expect(knet.body.ValidationErrors[0].Name).toBe('RecurringModel')
      const notApproved = await t.createMerchant({ recurring: false })
      const refused = await t.call('POST', '/v2/ExecutePayment', notApproved.apiKey, SEED_EXECUTE_PAYMENT)
      expect(refused.status).toBe(400)
      expect(refused.body.ValidationErrors).toEqual([{ Name: 'RecurringModel', Error: 'Recurring payments are not enabled for this account' }])
    })

    it('the base URL says where the API and its documentation are', async () => {
      const response = await t.call('GET', '/', null)
      expect(response.status).toBe(200)
      expect(response.body).toMatchObject({ name: 'dawri', api: `${t.baseUrl}/v2/`, documentation: `${t.baseUrl}/swagger`, health: `${t.baseUrl}/health` })
    })

    it('answers 401 with the reference texts for a missing or wrong key', async () => {
      const missing = await t.call('POST', '/v2/ExecutePayment', null, SEED_EXECUTE_PAYMENT)
      expect(missing.status).toBe(401)
      expect(missing.body).toEqual({ IsSuccess: false, Message: 'Authorization has been denied for this request.', ValidationErrors: null, Data: null })
      const wrong = await t.call('POST', '/v2/GetPaymentStatus', 'SK_KWT_not-a-real-key', { Key: 1, KeyType: 'InvoiceId' })
      expect(wrong.status).toBe(401)
      expect(wrong.body.Message).toBe('The token is not valid or it is expired!')
    })

    it("never shows one merchant another merchant's invoice", async () => {
      const created = await t.call('POST', '/v2/ExecutePayment', apiKey, { ...SEED_EXECUTE_PAYMENT, CustomerReference: 'private-1' })
      const invoiceId = created.body.Data.InvoiceId
      for (const [key, keyType] of [
        [invoiceId, 'InvoiceId'],
        ['private-1', 'CustomerReference'],
      ] as const) {
        const response = await t.call('POST', '/v2/GetPaymentStatus', otherKey, { Key: key, KeyType: keyType })
        expect(response.status).toBe(404)
        expect(response.body).toMatchObject({ IsSuccess: false, Message: 'No data match the provided values', Data: null })
      }
      const unknown = await t.call('POST', '/v2/GetPaymentStatus', apiKey, { Key: 99, KeyType: 'InvoiceId' })
      expect(unknown.status).toBe(404)
    })

    it('tolerates empty, null and malformed bodies without a 5xx', async () => {
      const empty = await t.call('POST', '/v2/InitiatePayment', apiKey, '')
      expect(empty.status).toBe(200)
      expect(empty.body.Data.PaymentMethods.map((m: { PaymentMethodId: number }) => m.PaymentMethodId)).toEqual([1, 2, 9, 20])
      expect(empty.body.Data.PaymentMethods.some((m: { IsDirectPayment: boolean }) => m.IsDirectPayment)).toBe(true)
      const nullBody = await t.call('POST', '/v2/InitiateSession', apiKey, 'null')
      expect(nullBody.status).toBe(200)
      const broken = await t.call('POST', '/v2/ExecutePayment', apiKey, '{"InvoiceValue":')
      expect(broken.status).toBe(400)
      expect(broken.body.Message).toBe('Invalid data')
      const arrayBody = await t.call('POST', '/v2/ExecutePayment', apiKey, [])
      expect(arrayBody.status).toBe(400)
    })

    it('prices every method in InitiatePayment', async () => {
      const response = await t.call('POST', '/v2/InitiatePayment', apiKey, { InvoiceAmount: 100, CurrencyIso: 'KWD' })
      expect(response.body.Message).toBe('Initiated Successfully!')
      const visa = response.body.Data.PaymentMethods.find((m: { PaymentMethodId: number }) => m.PaymentMethodId === 2)
      expect(visa).toMatchObject({ PaymentMethodEn: 'VISA/MASTER', PaymentMethodCode: 'vm', ServiceCharge: 2.5, TotalAmount: 100, CurrencyIso: 'KWD' })
      const bad = await t.call('POST', '/v2/InitiatePayment', apiKey, { InvoiceAmount: 'abc', CurrencyIso: 'XXX' })
      expect(bad.status).toBe(400)
      expect(bad.body.ValidationErrors.map((e: { Name: string }) => e.Name).sort()).toEqual(['CurrencyIso', 'InvoiceAmount'])
    })

    it('issues single-use sessions and refuses SaveToken with IsRecurring', async () => {
      const session = await t.call('POST', '/v2/InitiateSession', apiKey, { CustomerIdentifier: 'cust-1' })
      expect(session.body).toMatchObject({ IsSuccess: true, Message: 'Initiated Successfully!', Data: { CountryCode: 'KWT', CustomerTokens: [] } })
      expect(session.body.Data.SessionId).toMatch(/^[0-9a-f-]{36}$/)
      const both = await t.call('POST', '/v2/InitiateSession', apiKey, { SaveToken: true, IsRecurring: true, CustomerIdentifier: 'c' })
      expect(both.status).toBe(400)
      expect(both.body.ValidationErrors[0].Name).toBe('SaveToken')
      // Without a card submitted through the Card View, the session cannot pay yet.
      const execute = await t.call('POST', '/v2/ExecutePayment', apiKey, { SessionId: session.body.Data.SessionId, InvoiceValue: 1 })
      expect(execute.status).toBe(400)
      expect(execute.body.ValidationErrors[0].Name).toBe('SessionId')
      const otherMerchant = await t.call('POST', '/v2/ExecutePayment', otherKey, { SessionId: session.body.Data.SessionId, InvoiceValue: 1 })
      expect(otherMerchant.body.ValidationErrors[0]).toEqual({ Name: 'SessionId', Error: 'SessionId is not valid' })
    })

    it('replays a POST with the same Idempotency-Key and refuses the key with another body', async () => {
      const headers = { 'Idempotency-Key': `key-${dialect}-1` }
      const first = await t.call('POST', '/v2/ExecutePayment', apiKey, SEED_EXECUTE_PAYMENT, headers)
      const again = await t.call('POST', '/v2/ExecutePayment', apiKey, SEED_EXECUTE_PAYMENT, headers)
      expect(again.status).toBe(200)
      expect(again.body).toEqual(first.body)
      expect(again.headers.get('idempotent-replayed')).toBe('true')
      const conflict = await t.call('POST', '/v2/ExecutePayment', apiKey, { ...SEED_EXECUTE_PAYMENT, InvoiceValue: 11 }, headers)
      expect(conflict.status).toBe(409)
      expect(conflict.body.IsSuccess).toBe(false)
      // Keys belong to one merchant: another merchant may use the same text.
      const otherMerchant = await t.call('POST', '/v2/ExecutePayment', otherKey, SEED_EXECUTE_PAYMENT, headers)
      expect(otherMerchant.body.Data.InvoiceId).not.toBe(first.body.Data.InvoiceId)
    })

    it('runs concurrent requests with one Idempotency-Key once', async () => {
      const headers = { 'Idempotency-Key': `key-${dialect}-concurrent` }
      const before = await countRows(t, 'invoices')
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => t.call('POST', '/v2/ExecutePayment', apiKey, SEED_EXECUTE_PAYMENT, headers)),
      )
      expect(await countRows(t, 'invoices')).toBe(before + 1)
      for (const response of responses) expect([200, 409]).toContain(response.status)
    })

    it('answers 404 in the envelope for unknown routes and 413 for bodies over 1 MiB', async () => {
      const unknown = await t.call('GET', '/v2/NoSuchEndpoint', apiKey)
      expect(unknown.status).toBe(404)
      expect(unknown.body.Message).toContain("No HTTP resource was found that matches the request URI '/v2/NoSuchEndpoint'")
      const huge = await t.call('POST', '/v2/ExecutePayment', apiKey, { ...SEED_EXECUTE_PAYMENT, Comments: 'x'.repeat(1024 * 1024) })
      expect(huge.status).toBe(413)
      expect(huge.body.IsSuccess).toBe(false)
    })

    it('publishes the OpenAPI document and Swagger UI', async () => {
      const spec = await t.call('GET', '/openapi.json', null)
      expect(spec.status).toBe(200)
      expect(Object.keys(spec.body.paths)).toEqual(expect.arrayContaining(['/v2/ExecutePayment', '/v2/GetPaymentStatus']))
      const ui = await fetch(`${t.baseUrl}/swagger/`)
      expect(ui.status).toBe(200)
    })

    it('the OpenAPI examples of the core routes work as sent', async () => {
      const spec = (await t.call('GET', '/openapi.json', null)).body
      const exampleOf = (path: string) => {
        const body = spec.paths[path].post.requestBody.content['application/json']
        return body.example ?? body.schema.example
      }
      // ExecutePayment first: GetPaymentStatus's example looks up its CustomerReference.
      for (const path of ['/v2/ExecutePayment', '/v2/GetPaymentStatus', '/v2/InitiatePayment', '/v2/InitiateSession']) {
        const example = exampleOf(path)
        expect(example, path).toBeDefined()
        const response = await t.call('POST', path, apiKey, example)
        expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(200)
      }
    })
  })
}

async function countRows(t: TestApp, table: 'invoices' | 'recurrences'): Promise<number> {
  return countTableRows(t.deps.store.db, table)
}
