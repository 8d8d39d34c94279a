import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { TestApp } from '../support/start-test-app.js'
import { type MerchantSite, openBrowserShop, screenshot } from './browser-support.js'

describe('SendPayment invoice link in Chromium', () => {
  let app: TestApp
  let apiKey: string
  let merchant: MerchantSite
  let browser: Browser
  let close: (() => Promise<void>) | undefined

  beforeAll(async () => {
    ;({ app, apiKey, merchant, browser, close } = await openBrowserShop({ merchantName: 'Dawri Fitness Club' }))
  })
  afterAll(async () => close?.())

  it('the link from the e-mail opens the invoice page; card, OTP, CallBackUrl; then a full refund is Refunded', async () => {
    const sent = await app.call('POST', '/v2/SendPayment', apiKey, {
      InvoiceValue: 12.5,
      CustomerName: 'Sara Al-Sabah',
      NotificationOption: 'EML',
      CustomerEmail: 'sara@example.test',
      InvoicePaymentMethods: [2, 1],
      CallBackUrl: `${merchant.url}/callback`,
      ErrorUrl: `${merchant.url}/error`,
      InvoiceItems: [{ ItemName: 'Monthly membership', Quantity: 1, UnitPrice: 12.5 }],
    })
    expect(sent.status, JSON.stringify(sent.body)).toBe(200)
    const { InvoiceId, InvoiceURL } = sent.body.Data as { InvoiceId: number; InvoiceURL: string }

    // The link the customer would have received, as a test reads it.
    const outbox = await app.call('GET', `/v2/sandbox/Notifications?InvoiceId=${InvoiceId}`, apiKey)
    const link = /https?:\/\/\S+/.exec(outbox.body.Data.Notifications[0].Body)?.[0]
    expect(link).toBe(InvoiceURL)

    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } })
    const violations: string[] = []
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text())
    })
    await page.goto(link ?? '')
    await expect.poll(() => page.title()).toBe('Invoice')
    expect(await page.getByRole('link', { name: 'KNET' }).count()).toBe(1)
    await screenshot(page, 'invoice-page.png')
    await page.getByRole('link', { name: 'VISA/MASTER' }).click()
    await page.waitForURL(/PayInvoice\/Checkout\?invoiceKey=.+&paymentGatewayId=2$/)
    await page.getByLabel('Name on card').fill('Sara Al-Sabah')
    await page.getByLabel('Card number').fill('5123450000000008')
    await page.getByLabel('Expiry month (MM)').fill('01')
    await page.getByLabel('Expiry year (YY)').fill('39')
    await page.getByLabel('Security code (CVV)').fill('100')
    await page.getByRole('button', { name: /Pay 12\.500 KWD/ }).click()
    await page.waitForURL(/MpgsAuthentication/)
    await page.getByLabel('Verification code').fill('123456')
    await page.getByRole('button', { name: 'Confirm payment' }).click()
    await page.waitForURL(`${merchant.url}/callback?**`)
    const paymentId = new URL(page.url()).searchParams.get('paymentId') ?? ''
    expect(paymentId).toMatch(/^0707\d{10}$/)
    expect(violations).toEqual([])
    await page.close()

    const status = await app.call('POST', '/v2/GetPaymentStatus', apiKey, { Key: InvoiceId, KeyType: 'InvoiceId' })
    expect(status.body.Data.InvoiceStatus).toBe('Paid')

    const refund = await app.call('POST', '/v2/MakeRefund', apiKey, { KeyType: 'PaymentId', Key: paymentId, Amount: 12.5, Comment: 'cancelled order' })
    expect(refund.status, JSON.stringify(refund.body)).toBe(200)
    const refunds = await app.call('POST', '/v2/GetRefundStatus', apiKey, { KeyType: 'InvoiceId', Key: InvoiceId })
    expect(refunds.status, JSON.stringify(refunds.body)).toBe(200)
    expect(refunds.body.Data.RefundStatusResult).toHaveLength(1)
    expect(refunds.body.Data.RefundStatusResult[0]).toMatchObject({ RefundStatus: 'Refunded', InvoiceId, Amount: 12.5 })
  })
})
