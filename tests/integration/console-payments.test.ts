import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { formToken, signIn, type ConsoleClient } from './console-support.js'

const CARD = { Number: '5123450000000008', ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100', HolderName: 'Test Holder' }

for (const dialect of DIALECTS) {
  describe(`${dialect}: refund, capture and release from the console`, () => {
    let t: TestApp
    let apiKey: string
    let session: ConsoleClient

    beforeAll(async () => {
      t = await startTestApp(dialect)
      apiKey = (await t.createMerchant({ bypass3ds: true, authorizeCapture: true })).apiKey
      session = await signIn(t.baseUrl, apiKey)
    })
    afterAll(async () => t?.close())

    /** An invoice paid over DirectPayment with Bypass3DS; `capture: false` only authorises it. */
    const paid = async (value: number, capture = true): Promise<number> => {
      const created = await t.call('POST', '/v2/ExecutePayment', apiKey, {
        PaymentMethodId: 9,
        InvoiceValue: value,
        CustomerReference: `console-${value}`,
        ...(capture ? {} : { ProcessingDetails: { AutoCapture: false } }),
      })
      expect(created.status, JSON.stringify(created.body)).toBe(200)
      const payment = await t.call('POST', new URL(created.body.Data.PaymentURL).pathname, apiKey, { PaymentType: 'card', Bypass3DS: true, Card: CARD })
      expect(payment.body.Data.Status, JSON.stringify(payment.body)).toBe('SUCCESS')
      return created.body.Data.InvoiceId
    }
    const paymentStatus = async (invoiceId: number) =>
      (await t.call('POST', '/v2/GetPaymentStatus', apiKey, { Key: invoiceId, KeyType: 'InvoiceId' })).body.Data

    it('finds a paid invoice by CustomerReference and refunds part of it through MakeRefund', async () => {
      const invoiceId = await paid(5.25)
      const list = await session.get('/console/invoices?q=console-5.25')
      expect(list.html).toContain(`>${invoiceId}<`)
      const page = await session.get(`/console/invoices/${invoiceId}`)
      expect(page.html).toContain('5.250 KWD')
      expect(page.html).toContain('512345xxxxxx0008')
      const refund = await session.post(`/console/invoices/${invoiceId}/refund`, { csrf: formToken(page.html), amount: '2.125', comment: 'goodwill' })
      expect(refund.status, refund.html.slice(0, 500)).toBe(303)
      const after = await session.get(`/console/invoices/${invoiceId}?done=refunded`)
      expect(after.html).toContain('The refund was sent.')
      expect(after.html).toContain('2.125 KWD')
      expect(after.html).toContain('goodwill')
      // More than is left: the service's refusal, shown on the page; nothing more refunded.
      const tooMuch = await session.post(`/console/invoices/${invoiceId}/refund`, { csrf: formToken(after.html), amount: '4' })
      expect(tooMuch.status).toBe(400)
      expect(tooMuch.html).toContain('Amount must not be more than what is left to refund: 3.125 KWD')
    })

    it('captures part of an authorised payment through UpdatePaymentStatus, and releases another', async () => {
      const invoiceId = await paid(8, false)
      expect((await paymentStatus(invoiceId)).InvoiceTransactions[0].TransactionStatus).toBe('Authorize')
      const page = await session.get(`/console/invoices/${invoiceId}`)
      const capture = await session.post(`/console/invoices/${invoiceId}/capture`, { csrf: formToken(page.html), amount: '6.500' })
      expect(capture.status, capture.html.slice(0, 500)).toBe(303)
      const captured = await paymentStatus(invoiceId)
      expect(captured.InvoiceStatus).toBe('Paid')
      expect(captured.InvoiceTransactions[0].TransactionStatus).toBe('Succss')
      expect((await session.get(`/console/invoices/${invoiceId}?done=captured`)).html).toContain('6.500 KWD')

      const other = await paid(3, false)
      const otherPage = await session.get(`/console/invoices/${other}`)
      const release = await session.post(`/console/invoices/${other}/release`, { csrf: formToken(otherPage.html) })
      expect(release.status, release.html.slice(0, 500)).toBe(303)
      const released = await paymentStatus(other)
      expect(released.InvoiceTransactions[0].TransactionStatus).not.toBe('Authorize')
    })
  })
}
