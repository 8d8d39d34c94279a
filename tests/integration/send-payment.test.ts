import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { csrfOf, getPage, payHosted, paymentIdOf, paymentStatus, postForm } from './checkout-support.js'

const CALLBACK = 'https://merchant.example.test/paid?order=9'
const ERROR = 'https://merchant.example.test/failed'

/** The checkout links of an invoice page, by method id. */
function methodLinks(html: string): Map<number, string> {
  const links = new Map<number, string>()
  for (const match of html.matchAll(/<a class="button" href="([^"]+)" data-method-id="(\d+)">/g)) {
    links.set(Number(match[2]), (match[1] ?? '').replaceAll('&amp;', '&'))
  }
  return links
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: SendPayment and the invoice page`, () => {
    let app: TestApp
    let apiKey: string
    let otherKey: string

    beforeAll(async () => {
      app = await startTestApp(dialect)
      apiKey = (await app.createMerchant()).apiKey
      otherKey = (await app.createMerchant({ name: 'Other Shop' })).apiKey
    })
    afterAll(async () => app?.close())

    const send = (body: Record<string, unknown>, key = apiKey) =>
      app.call('POST', '/v2/SendPayment', key, { InvoiceValue: 10, CustomerName: 'Fatima', CallBackUrl: CALLBACK, ErrorUrl: ERROR, ...body })
    const sent = async (body: Record<string, unknown>) => {
      const response = await send(body)
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      return response.body.Data as { InvoiceId: number; InvoiceURL: string; CustomerReference: string | null; UserDefinedField: string | null }
    }
    const notifications = async (query = '', key = apiKey) => {
      const response = await app.call('GET', `/v2/sandbox/Notifications${query}`, key)
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      return response.body.Data as { Notifications: any[]; NextBefore: number | null }
    }
    const namesOf = (body: any) => (body.ValidationErrors as Array<{ Name: string }>).map((error) => error.Name).sort()

    it('LNK answers the documented Data with an InvoiceURL on /{country}/ie/{key}, and writes no notification', async () => {
      const before = await notifications()
      // The PHP library's spelling, with a null e-mail.
      const response = await send({ NotificationOption: 'Lnk', CustomerEmail: null, CustomerReference: 'order-1001', UserDefinedField: 'udf' })
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      expect(response.body).toMatchObject({ IsSuccess: true, Message: 'Invoice Created Successfully!', ValidationErrors: null })
      const data = response.body.Data
      expect(Object.keys(data).sort()).toEqual(['CustomerReference', 'InvoiceId', 'InvoiceURL', 'UserDefinedField'])
      expect(data.InvoiceURL).toMatch(new RegExp(`^${app.baseUrl}/KWT/ie/[\\w-]+$`))
      expect(data).toMatchObject({ CustomerReference: 'order-1001', UserDefinedField: 'udf' })
      expect(typeof data.InvoiceId).toBe('number')
      expect((await notifications()).Notifications).toEqual(before.Notifications)

      const status = await app.call('POST', '/v2/GetPaymentStatus', apiKey, { Key: data.InvoiceId, KeyType: 'InvoiceId' })
      expect(status.status).toBe(200)
      expect(status.body.Data).toMatchObject({ InvoiceId: data.InvoiceId, InvoiceStatus: 'Pending', InvoiceTransactions: [] })
    })

    it('EML needs CustomerEmail and writes one e-mail holding the link', async () => {
      const missing = await send({ NotificationOption: 'eml' })
      expect(missing.status).toBe(400)
      expect(missing.body).toMatchObject({ IsSuccess: false, Message: 'Invalid data', Data: null })
      expect(namesOf(missing.body)).toEqual(['CustomerEmail'])

      const data = await sent({ NotificationOption: 'EML', CustomerEmail: 'fatima@example.test' })
      const [mail, ...rest] = (await notifications(`?InvoiceId=${data.InvoiceId}`)).Notifications
      expect(rest).toEqual([])
      expect(mail).toMatchObject({ InvoiceId: data.InvoiceId, Channel: 'EML', Recipient: 'fatima@example.test', InvoiceURL: data.InvoiceURL, Language: 'EN' })
      expect(mail.Subject).toContain('Test Merchant')
      expect(mail.Body).toContain(data.InvoiceURL)
      expect(mail.Body).toContain('10.000 KWD')
    })

    it('SMS needs CustomerMobile and writes one SMS to the number with its country code', async () => {
      const missing = await send({ NotificationOption: 'sms', CustomerEmail: 'x@example.test' })
      expect(missing.status).toBe(400)
      expect(namesOf(missing.body)).toEqual(['CustomerMobile'])

      const data = await sent({ NotificationOption: 'SMS', CustomerMobile: '55512345', Language: 'ar' })
      const list = (await notifications(`?InvoiceId=${data.InvoiceId}`)).Notifications
      expect(list).toHaveLength(1)
      expect(list[0]).toMatchObject({ Channel: 'SMS', Recipient: '+96555512345', Subject: null, Language: 'AR' })
      expect(list[0].Body).toContain(data.InvoiceURL)
    })

    it('ALL needs both, names both at once, and writes an e-mail and an SMS', async () => {
      const missing = await send({ NotificationOption: 'all' })
      expect(missing.status).toBe(400)
      expect(namesOf(missing.body)).toEqual(['CustomerEmail', 'CustomerMobile'])

      const data = await sent({ NotificationOption: 'ALL', CustomerEmail: 'f@example.test', MobileCountryCode: '+966', CustomerMobile: '501234567' })
      const list = (await notifications(`?InvoiceId=${data.InvoiceId}`)).Notifications
      expect(list.map((n) => n.Channel).sort()).toEqual(['EML', 'SMS'])
      expect(list.find((n) => n.Channel === 'SMS').Recipient).toBe('+966501234567')
    })

    it('lists every bad field at once, binds names case-insensitively and numeric strings, never a 5xx', async () => {
      const bad = await app.call('POST', '/v2/SendPayment', apiKey, {
        invoicevalue: 0,
        NotificationOption: 'FAX',
        CustomerMobile: 'abc',
        InvoicePaymentMethods: [2, 99],
        ExpiryDate: '2001-01-01T00:00:00',
        RecurringModel: { RecurringType: 'Daily' },
        CallBackUrl: 'not a url',
      })
      expect(bad.status).toBe(400)
      expect(namesOf(bad.body)).toEqual(
        ['CallBackUrl', 'CustomerMobile', 'CustomerName', 'ExpiryDate', 'InvoicePaymentMethods', 'NotificationOption', 'RecurringModel', 'invoicevalue'].sort(),
      )
      const good = await app.call('POST', '/v2/SendPayment', apiKey, {
        invoiceVALUE: '2.500',
        customername: 'Sara',
        notificationoption: 'lnk',
        invoicepaymentmethods: ['2'],
      })
      expect(good.status, JSON.stringify(good.body)).toBe(200)
      const status = await app.call('POST', '/v2/GetPaymentStatus', apiKey, { Key: good.body.Data.InvoiceId, KeyType: 'InvoiceId' })
      expect(status.body.Data.InvoiceValue).toBe(2.5)

      for (const body of [[], 'text', 42, { InvoiceValue: 1, CustomerName: 'A', NotificationOption: 'LNK', InvoicePaymentMethods: '2' }, { InvoiceValue: 1, CustomerName: 'A', NotificationOption: 'LNK', InvoicePaymentMethods: [{}] }, { InvoiceValue: {}, CustomerName: [], NotificationOption: 7 }]) {
        const response = await app.call('POST', '/v2/SendPayment', apiKey, body)
        expect(response.status, JSON.stringify(body)).toBe(400)
        expect(response.body.IsSuccess).toBe(false)
      }
      const noKey = await app.call('POST', '/v2/SendPayment', null, { InvoiceValue: 1, CustomerName: 'A', NotificationOption: 'LNK' })
      expect(noKey.status).toBe(401)
    })

    it('an Idempotency-Key replays the first answer and writes its notifications once', async () => {
      const body = { InvoiceValue: 3, CustomerName: 'Fatima', NotificationOption: 'EML', CustomerEmail: 'once@example.test' }
      const headers = { 'Idempotency-Key': `send-${dialect}-1` }
      const first = await app.call('POST', '/v2/SendPayment', apiKey, body, headers)
      const again = await app.call('POST', '/v2/SendPayment', apiKey, body, headers)
      expect(first.status).toBe(200)
      expect(again.headers.get('idempotent-replayed')).toBe('true')
      expect(again.body).toEqual(first.body)
      expect((await notifications(`?InvoiceId=${first.body.Data.InvoiceId}`)).Notifications).toHaveLength(1)
    })

    it('the sandbox outbox: newest first, bounded pages, and another merchant never sees them', async () => {
      const first = await sent({ NotificationOption: 'EML', CustomerEmail: 'one@example.test' })
      const second = await sent({ NotificationOption: 'EML', CustomerEmail: 'two@example.test' })
      const page = await notifications('?PageSize=1')
      expect(page.Notifications).toHaveLength(1)
      expect(page.Notifications[0].InvoiceId).toBe(second.InvoiceId)
      expect(page.NextBefore).toBe(page.Notifications[0].NotificationId)
      const next = await notifications(`?PageSize=1&Before=${page.NextBefore}`)
      expect(next.Notifications[0].InvoiceId).toBe(first.InvoiceId)
      const all = (await notifications('?PageSize=100')).Notifications
      const ids = all.map((n) => n.NotificationId)
      expect(ids).toEqual([...ids].sort((a, b) => b - a))
      expect((await notifications()).Notifications.length).toBeLessThanOrEqual(20)

      for (const query of ['?PageSize=0', '?PageSize=101', '?PageSize=x', '?Before=-1']) {
        const response = await app.call('GET', `/v2/sandbox/Notifications${query}`, apiKey)
        expect(response.status, query).toBe(400)
        expect(response.body.IsSuccess).toBe(false)
      }
      expect((await notifications('', otherKey)).Notifications).toEqual([])
      expect((await notifications(`?InvoiceId=${second.InvoiceId}`, otherKey)).Notifications).toEqual([])
      expect((await app.call('GET', '/v2/sandbox/Notifications', null)).status).toBe(401)
    })

    it('the invoice page lists only the chosen methods, in EN and AR, under the pages’ CSP', async () => {
      const chosen = await sent({ NotificationOption: 'LNK', InvoicePaymentMethods: [2], InvoiceItems: [{ ItemName: 'Gym <pass>', Quantity: 2, UnitPrice: 5 }] })
      const page = await getPage(chosen.InvoiceURL)
      expect(page.status).toBe(200)
      expect(page.html).toContain('<html lang="en" dir="ltr">')
      expect(page.html).toContain('Test Merchant')
      expect(page.html).toContain('10.000 KWD')
      expect(page.html).toContain('Gym &lt;pass&gt;')
      expect(page.html).not.toContain('<script')
      const csp = page.headers.get('content-security-policy') ?? ''
      expect(csp).toContain("default-src 'none'")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(page.headers.get('x-frame-options')).toBe('DENY')
      const links = methodLinks(page.html)
      expect([...links.keys()]).toEqual([2])
      expect(links.get(2)).toMatch(/\/En\/KWT\/PayInvoice\/Checkout\?invoiceKey=[\w-]+&paymentGatewayId=2$/)
      expect(page.html).toContain('>VISA/MASTER</a>')

      const arabic = await getPage(chosen.InvoiceURL.replace('/KWT/ie/', '/Ar/KWT/ie/'))
      expect(arabic.status).toBe(200)
      expect(arabic.html).toContain('<html lang="ar" dir="rtl">')
      expect(arabic.html).toContain('اختر طريقة الدفع')
      expect(arabic.html).toContain('فيزا / ماستر')
      expect([...methodLinks(arabic.html).values()][0]).toContain('/Ar/KWT/PayInvoice/Checkout?')
      // An ExecutePayment checkout has no invoice page to go back to.
      const executed = await app.call('POST', '/v2/ExecutePayment', apiKey, { InvoiceValue: 1, PaymentMethodId: 2 })
      expect((await getPage(executed.body.Data.PaymentURL)).html).not.toContain('Choose another payment method')
      expect(page.html).toContain(`href="/Ar/KWT/ie/`)

      // Language AR picks the page's language when the URL names none.
      const inArabic = await sent({ NotificationOption: 'LNK', Language: 'AR' })
      expect((await getPage(inArabic.InvoiceURL)).html).toContain('dir="rtl"')

      const all = await sent({ NotificationOption: 'LNK' })
      expect([...methodLinks((await getPage(all.InvoiceURL)).html).keys()]).toEqual([1, 2])

      // A method the invoice does not offer has no checkout.
      const notOffered = (links.get(2) ?? '').replace('paymentGatewayId=2', 'paymentGatewayId=1')
      expect((await getPage(notOffered)).status).toBe(404)
      expect((await getPage((links.get(2) ?? '').replace('paymentGatewayId=2', 'paymentGatewayId=x'))).status).toBe(404)
    })

    it('pays by card through the invoice page (OTP), lands on CallBackUrl, and the page then says paid', async () => {
      const data = await sent({ NotificationOption: 'LNK', InvoicePaymentMethods: [1, 2] })
      const links = methodLinks((await getPage(data.InvoiceURL)).html)
      const checkout = await getPage(links.get(2) ?? '')
      expect(checkout.html).toContain(`<a href="${data.InvoiceURL.replace('/KWT/ie/', '/En/KWT/ie/')}">Choose another payment method</a>`)
      const landed = await payHosted(links.get(2) ?? '', { number: '5123450000000008' })
      expect(landed.startsWith(`${CALLBACK}&paymentId=`)).toBe(true)
      const status = await paymentStatus(app, apiKey, paymentIdOf(landed))
      expect(status).toMatchObject({ InvoiceId: data.InvoiceId, InvoiceStatus: 'Paid' })
      expect(status.InvoiceTransactions).toHaveLength(1)
      expect(status.InvoiceTransactions[0]).toMatchObject({ TransactionStatus: 'Succss', PaymentGateway: 'VISA/MASTER' })
      const after = await getPage(data.InvoiceURL)
      expect(after.status).toBe(200)
      expect(methodLinks(after.html).size).toBe(0)
    })

    it('a declined card lands on ErrorUrl and leaves the link usable; KNET then pays it', async () => {
      const data = await sent({ NotificationOption: 'LNK', InvoicePaymentMethods: [2, 1] })
      const links = methodLinks((await getPage(data.InvoiceURL)).html)
      const declined = await payHosted(links.get(2) ?? '', { number: '4000000000000002' })
      expect(declined.startsWith(`${ERROR}?paymentId=`)).toBe(true)
      expect((await getPage(data.InvoiceURL)).status).toBe(200)

      const knet = links.get(1) ?? ''
      const form = await getPage(knet)
      expect(form.status).toBe(200)
      const paid = await postForm(knet, { csrf: csrfOf(form.html), number: '8888880000000001', expiryMonth: '09', expiryYear: '30', pin: '1234' })
      expect(paid.status, paid.html.slice(0, 300)).toBe(303)
      expect(paid.location?.startsWith(`${CALLBACK}&paymentId=`)).toBe(true)
      const status = await paymentStatus(app, apiKey, paymentIdOf(paid.location ?? ''))
      expect(status.InvoiceStatus).toBe('Paid')
      expect(status.InvoiceTransactions.map((t: any) => t.TransactionStatus)).toEqual(['Failed', 'Succss'])
      expect(status.InvoiceTransactions[1].PaymentGateway).toBe('KNET')
    })

    it('documents SendPayment and the outbox in the OpenAPI document; its example body creates an invoice', async () => {
      const spec = (await app.call('GET', '/openapi.json', null)).body
      // The generator keeps the example beside the schema or inside it, depending on the schema.
      const content = spec.paths['/v2/SendPayment'].post.requestBody.content['application/json']
      const example = content.example ?? content.schema.example
      expect(example).toMatchObject({ NotificationOption: 'ALL' })
      expect(spec.paths['/v2/sandbox/Notifications'].get).toBeDefined()
      const response = await app.call('POST', '/v2/SendPayment', apiKey, example)
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      const list = (await notifications(`?InvoiceId=${response.body.Data.InvoiceId}`)).Notifications
      expect(list.map((n) => n.Channel).sort()).toEqual(['EML', 'SMS'])
    })

    it('another merchant cannot reach the invoice; wrong keys and countries are 404 pages', async () => {
      const data = await sent({ NotificationOption: 'LNK' })
      const key = data.InvoiceURL.split('/ie/')[1] ?? ''
      const foreign = await app.call('POST', '/v2/GetPaymentStatus', otherKey, { Key: data.InvoiceId, KeyType: 'InvoiceId' })
      expect(foreign.status).toBe(404)
      const direct = await app.call('POST', `/v2/DirectPayment/${key}/9`, otherKey, { PaymentType: 'card', Card: { Number: '5123450000000008', ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100' } })
      expect(direct.status).toBe(404)
      const refund = await app.call('POST', '/v2/MakeRefund', otherKey, { KeyType: 'InvoiceId', Key: data.InvoiceId, Amount: 1 })
      // MakeRefund answers an unknown or foreign key with a 400 naming Key (docs/refunds.md).
      expect(refund.status).toBe(400)
      expect(refund.body.ValidationErrors[0].Name).toBe('Key')
      expect((await getPage(`${app.baseUrl}/KWT/ie/${key}x`)).status).toBe(404)
      expect((await getPage(`${app.baseUrl}/SAU/ie/${key}`)).status).toBe(404)
      expect((await getPage(`${app.baseUrl}/Fr/KWT/ie/${key}`)).status).toBe(404)
      // An ExecutePayment invoice has no invoice page.
      const executed = await app.call('POST', '/v2/ExecutePayment', apiKey, { InvoiceValue: 1, PaymentMethodId: 2 })
      const executedKey = new URL(executed.body.Data.PaymentURL).searchParams.get('invoiceKey')
      expect((await getPage(`${app.baseUrl}/KWT/ie/${executedKey}`)).status).toBe(404)
    })
  })
}

describe('SendPayment in production mode', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp(DIALECTS[0] ?? 'sqlite', { env: { DAWRI_MODE: 'production', DAWRI_VAULT_KEY: Buffer.alloc(32, 7).toString('base64') } })
  })
  afterAll(async () => app?.close())

  it('stores no notification and has no outbox route', async () => {
    const { apiKey } = await app.createMerchant()
    const response = await app.call('POST', '/v2/SendPayment', apiKey, {
      InvoiceValue: 5, CustomerName: 'Fatima', NotificationOption: 'ALL', CustomerEmail: 'f@example.test', CustomerMobile: '55512345',
    })
    expect(response.status, JSON.stringify(response.body)).toBe(200)
    expect(response.body.Data.InvoiceURL).toContain('/KWT/ie/')
    expect((await app.call('GET', '/v2/sandbox/Notifications', apiKey)).status).toBe(404)
    const { countRows } = await import('../../src/store/table-inspection.js')
    expect(await countRows(app.deps.store.db, 'notifications')).toBe(0)
  })
})
