import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { TestApp } from '../support/start-test-app.js'
import { type MerchantSite, openBrowserShop, screenshot } from './browser-support.js'

describe('embedded Card View in Chromium', () => {
  let app: TestApp
  let apiKey: string
  let merchant: MerchantSite
  let browser: Browser
  let close: (() => Promise<void>) | undefined

  beforeAll(async () => {
    ;({ app, apiKey, merchant, browser, close } = await openBrowserShop())
  })
  afterAll(async () => close?.())

  it('init, fill inside the frame, submit, ExecutePayment with the SessionId, OTP, callback', async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 760 } })
    const violations: string[] = []
    page.on('console', (message) => {
      if (/Content Security Policy|Refused/i.test(message.text())) violations.push(message.text())
    })
    await page.goto(`${merchant.url}/shop`)
    const frame = page.frameLocator('#card-element iframe')
    await frame.getByLabel('Name on card').fill('Sara Al-Sabah')
    await frame.getByLabel('Card number').pressSequentially('5123450000000008')
    expect(await frame.getByLabel('Card number').inputValue()).toBe('5123 4500 0000 0008')
    await frame.getByLabel('Expiry date (MM/YY)').pressSequentially('0139')
    expect(await frame.getByLabel('Expiry date (MM/YY)').inputValue()).toBe('01/39')
    await frame.getByLabel('Security code (CVV)').fill('100')
    await expect.poll(() => page.textContent('#bin')).toBe('512345')
    // The card fields live in a frame of dawri's origin: the merchant page cannot read them.
    const frameOrigin = await page.evaluate<string>("new URL(document.querySelector('#card-element iframe').src).origin")
    expect(frameOrigin).toBe(new URL(app.baseUrl).origin)
    expect(frameOrigin).not.toBe(new URL(merchant.url).origin)
    expect(await page.evaluate<boolean>("(() => { try { return !!document.querySelector('#card-element iframe').contentDocument } catch (e) { return false } })()")).toBe(false)
    await screenshot(page, 'card-view.png')

    await page.getByRole('button', { name: 'Pay now' }).click()
    await page.waitForURL(/MpgsAuthentication\?paymentId=\d+&sessionId=/)
    await page.getByLabel('Verification code').fill('123456')
    await page.getByRole('button', { name: 'Confirm payment' }).click()
    await page.waitForURL(`${merchant.url}/callback?**`)
    const paymentId = new URL(page.url()).searchParams.get('paymentId') ?? ''
    const status = (await app.call('POST', '/v2/GetPaymentStatus', apiKey, { Key: paymentId, KeyType: 'PaymentId' })).body.Data
    expect(status.InvoiceStatus).toBe('Paid')
    expect(status.InvoiceTransactions[0]).toMatchObject({ TransactionStatus: 'Succss', CardNumber: '512345xxxxxx0008' })
    expect(violations).toEqual([])
    await page.close()
  })

  it('submit() resolves with both casings, and rejects with a clear message for bad card data', async () => {
    const page = await browser.newPage()
    await page.goto(`${merchant.url}/shop`)
    const frame = page.frameLocator('#card-element iframe')
    await frame.getByLabel('Card number').fill('4111 1111 1111 1112')
    await frame.getByLabel('Expiry date (MM/YY)').fill('13/39')
    await frame.getByLabel('Security code (CVV)').fill('1')
    const rejected = await page.evaluate<string>("myFatoorah.submit().then(() => 'resolved', (error) => error.message)")
    expect(rejected).toBe('Enter a valid card number.')
    expect(await frame.getByLabel('Card number').getAttribute('aria-invalid')).toBe('true')
    expect(await frame.getByRole('alert').first().textContent()).toBe('Enter a valid card number.')

    await frame.getByLabel('Card number').fill('')
    await frame.getByLabel('Card number').pressSequentially('4508750015741019')
    await frame.getByLabel('Expiry date (MM/YY)').fill('')
    await frame.getByLabel('Expiry date (MM/YY)').pressSequentially('1235')
    await frame.getByLabel('Security code (CVV)').fill('123')
    const resolved = await page.evaluate<Record<string, string>>('myFatoorah.submit()')
    expect(resolved.SessionId).toMatch(/^[0-9a-f-]{36}$/)
    expect(resolved.sessionId).toBe(resolved.SessionId)
    expect(resolved.CardBrand).toBe('Visa')
    expect(resolved.cardBrand).toBe('Visa')
    expect(resolved.cardIdentifier).toMatch(/^[0-9a-f]{64}$/)
    expect(JSON.stringify(resolved)).not.toContain('4508750015741019')
    expect(await page.evaluate<Array<string | null>>('window.bins')).toContain('450875')
    await page.close()
  })
})
