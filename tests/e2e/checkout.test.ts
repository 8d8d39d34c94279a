import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { TestApp } from '../support/start-test-app.js'
import { type MerchantSite, openBrowserShop, screenshot } from './browser-support.js'

/** Browser-side expression: ids of visible inputs without a label (strings keep DOM types out of tsconfig). */
const UNLABELLED_INPUTS = "[...document.querySelectorAll('input:not([type=hidden])')].filter((input) => input.labels.length === 0).map((input) => input.id)"

describe('hosted checkout in Chromium', () => {
  let app: TestApp
  let apiKey: string
  let merchant: MerchantSite
  let browser: Browser
  let close: (() => Promise<void>) | undefined

  beforeAll(async () => {
    ;({ app, apiKey, merchant, browser, close } = await openBrowserShop({ merchantName: 'Dawri Fitness Club' }))
  })
  afterAll(async () => close?.())

  const invoice = async (body: Record<string, unknown> = {}) => {
    const response = await app.call('POST', '/v2/ExecutePayment', apiKey, {
      InvoiceValue: 12.5,
      PaymentMethodId: 2,
      CustomerName: 'Sara Al-Sabah',
      CallBackUrl: `${merchant.url}/callback`,
      ErrorUrl: `${merchant.url}/error`,
      InvoiceItems: [
        { ItemName: 'Monthly membership', Quantity: 1, UnitPrice: 10 },
        { ItemName: 'Towel service', Quantity: 1, UnitPrice: 2.5 },
      ],
      ...body,
    })
    expect(response.status, JSON.stringify(response.body)).toBe(200)
    return response.body.Data as { PaymentURL: string; InvoiceId: number }
  }

  const status = async (paymentId: string) =>
    (await app.call('POST', '/v2/GetPaymentStatus', apiKey, { Key: paymentId, KeyType: 'PaymentId' })).body.Data

  const fillCard = async (page: Page, number: string) => {
    await page.getByLabel('Name on card').fill('Sara Al-Sabah')
    await page.getByLabel('Card number').fill(number)
    await page.getByLabel('Expiry month (MM)').fill('01')
    await page.getByLabel('Expiry year (YY)').fill('39')
    await page.getByLabel('Security code (CVV)').fill('100')
  }

  it('approved card: OTP step, then the merchant callback with paymentId', async () => {
    const { PaymentURL } = await invoice()
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } })
    const violations: string[] = []
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text())
    })
    await page.goto(PaymentURL)
    await expect.poll(() => page.title()).toBe('Pay invoice')
    await screenshot(page, 'checkout-en.png')
    await fillCard(page, '5123 4500 0000 0008')
    await page.getByRole('button', { name: /Pay 12\.500 KWD/ }).click()
    await page.waitForURL(/MpgsAuthentication/)
    await page.getByLabel('Verification code').fill('123456')
    await screenshot(page, 'otp.png')
    await page.getByRole('button', { name: 'Confirm payment' }).click()
    await page.waitForURL(`${merchant.url}/callback?**`)
    const url = new URL(page.url())
    const paymentId = url.searchParams.get('paymentId') ?? ''
    expect(paymentId).toMatch(/^0707\d{10}$/)
    expect(url.searchParams.get('Id')).toBe(paymentId)
    expect(await page.textContent('#payment')).toBe(paymentId)
    const data = await status(paymentId)
    expect(data.InvoiceStatus).toBe('Paid')
    expect(data.InvoiceTransactions[0].TransactionStatus).toBe('Succss')
    expect(violations).toEqual([])
    await page.close()
  })

  it('declined card goes to the ErrorUrl', async () => {
    const { PaymentURL } = await invoice()
    const page = await browser.newPage()
    await page.goto(PaymentURL)
    await fillCard(page, '4000000000000002')
    await page.getByRole('button', { name: /Pay/ }).click()
    await page.getByLabel('Verification code').fill('123456')
    await page.getByRole('button', { name: 'Confirm payment' }).click()
    await page.waitForURL(`${merchant.url}/error?**`)
    const paymentId = new URL(page.url()).searchParams.get('paymentId') ?? ''
    expect((await status(paymentId)).InvoiceTransactions[0]).toMatchObject({ TransactionStatus: 'Failed', ErrorCode: 'MF002' })
    await page.close()
  })

  it('wrong OTP goes to the ErrorUrl and GetPaymentStatus shows MF001', async () => {
    const { PaymentURL } = await invoice()
    const page = await browser.newPage()
    await page.goto(PaymentURL)
    await fillCard(page, '5123450000000008')
    await page.getByRole('button', { name: /Pay/ }).click()
    await page.getByLabel('Verification code').fill('111111')
    await page.getByRole('button', { name: 'Confirm payment' }).click()
    await page.waitForURL(`${merchant.url}/error?**`)
    const paymentId = new URL(page.url()).searchParams.get('paymentId') ?? ''
    const data = await status(paymentId)
    expect(data.InvoiceStatus).toBe('Pending')
    expect(data.InvoiceTransactions[0]).toMatchObject({ TransactionStatus: 'Failed', ErrorCode: 'MF001' })
    await page.close()
  })

  it('shows field errors in place and keeps the customer on the form', async () => {
    const { PaymentURL } = await invoice()
    const page = await browser.newPage()
    await page.goto(PaymentURL)
    await fillCard(page, '4111 1111 1111 1112')
    await page.getByRole('button', { name: /Pay/ }).click()
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Enter a valid card number.')
    expect(await page.getByLabel('Card number').getAttribute('aria-invalid')).toBe('true')
    expect(await page.getByLabel('Card number').inputValue()).toBe('')
    expect(await page.getByLabel('Name on card').inputValue()).toBe('Sara Al-Sabah')
    await page.close()
  })

  it('renders Arabic right to left', async () => {
    const { PaymentURL } = await invoice({ Language: 'AR' })
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } })
    await page.goto(PaymentURL)
    expect(await page.getAttribute('html', 'dir')).toBe('rtl')
    expect(await page.getAttribute('html', 'lang')).toBe('ar')
    expect(await page.evaluate('getComputedStyle(document.body).direction')).toBe('rtl')
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('دفع الفاتورة')
    // The card number field reads left to right inside the right-to-left page.
    expect(await page.getByLabel('رقم البطاقة').getAttribute('id')).toBe('cc-number')
    expect(await page.evaluate("getComputedStyle(document.getElementById('cc-number')).direction")).toBe('ltr')
    await screenshot(page, 'checkout-ar.png')
    await page.close()
  })

  it('without a CallBackUrl, our result page', async () => {
    const { PaymentURL } = await invoice({ CallBackUrl: undefined, ErrorUrl: undefined })
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } })
    await page.goto(PaymentURL)
    await fillCard(page, '5123450000000008')
    await page.getByRole('button', { name: /Pay/ }).click()
    await page.getByLabel('Verification code').fill('123456')
    await page.getByRole('button', { name: 'Confirm payment' }).click()
    await page.waitForURL(/PayInvoice\/Result\?paymentId=/)
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Payment successful')
    await screenshot(page, 'result.png')
    await page.close()
  })

  it('accessibility: every input is labelled, and the payment completes with the keyboard alone', async () => {
    const { PaymentURL } = await invoice()
    const page = await browser.newPage()
    await page.goto(PaymentURL)
    const unlabelled = await page.evaluate(UNLABELLED_INPUTS)
    expect(unlabelled).toEqual([])
    // Tab from the top of the page to the first field, then type and Tab through the form.
    const focused = () => page.evaluate<string>("document.activeElement ? document.activeElement.id : ''")
    for (let presses = 0; presses < 10 && (await focused()) !== 'cc-name'; presses++) await page.keyboard.press('Tab')
    expect(await focused()).toBe('cc-name')
    const typing: Array<[string, string]> = [
      ['cc-name', 'Keyboard User'],
      ['cc-number', '4508750015741019'],
      ['cc-exp-month', '12'],
      ['cc-exp-year', '35'],
      ['cc-csc', '123'],
    ]
    for (const [index, [id, text]] of typing.entries()) {
      expect(await focused()).toBe(id)
      await page.keyboard.type(text)
      if (index < typing.length - 1) await page.keyboard.press('Tab')
    }
    await page.keyboard.press('Enter')
    await page.waitForURL(/MpgsAuthentication/)
    expect(await page.evaluate(UNLABELLED_INPUTS)).toEqual([])
    for (let presses = 0; presses < 10 && (await focused()) !== 'otp'; presses++) await page.keyboard.press('Tab')
    expect(await focused()).toBe('otp')
    await page.keyboard.type('123456')
    await page.keyboard.press('Enter')
    await page.waitForURL(`${merchant.url}/callback?**`)
    await page.close()
  })
})
