import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { TestApp } from '../support/start-test-app.js'
import { type MerchantSite, openBrowserShop, screenshot } from './browser-support.js'

/** A fixed merchant clock (noon in Kuwait), so that the dates and the screenshots never change. */
const NOW = Date.parse('2026-11-27T09:00:00Z')

/** Browser-side expression: the text the pay button's `aria-describedby` points to, a space between its parts. */
const BUTTON_DESCRIPTION =
  "(() => { const button = document.querySelector('button.primary'); const id = button && button.getAttribute('aria-describedby'); const target = id && document.getElementById(id); return target ? [...target.querySelectorAll('h2, p, dt, dd')].map((element) => element.textContent.trim()).join(' ') : '' })()"

/** Browser-side expression: true when the disclosure is drawn right above the pay button. */
const DISCLOSURE_ABOVE_BUTTON =
  "(() => { const terms = document.getElementById('recurring-terms').getBoundingClientRect(); const button = document.querySelector('button.primary').getBoundingClientRect(); return terms.height > 0 && terms.bottom <= button.top && button.top - terms.bottom < 40 })()"

describe('recurring disclosure in Chromium', () => {
  let app: TestApp
  let apiKey: string
  let merchant: MerchantSite
  let browser: Browser
  let close: (() => Promise<void>) | undefined

  beforeAll(async () => {
    ;({ app, apiKey, merchant, browser, close } = await openBrowserShop({ merchantName: 'Dawri Fitness Club', clock: { now: () => NOW } }))
  })
  afterAll(async () => close?.())

  const recurringInvoice = async (language: 'EN' | 'AR') => {
    const response = await app.call('POST', '/v2/ExecutePayment', apiKey, {
      InvoiceValue: 10,
      PaymentMethodId: 2,
      Language: language,
      CustomerName: 'Sara Al-Sabah',
      CallBackUrl: `${merchant.url}/callback`,
      ErrorUrl: `${merchant.url}/error`,
      InvoiceItems: [{ ItemName: language === 'AR' ? 'اشتراك شهري' : 'Monthly membership', Quantity: 1, UnitPrice: 10 }],
      RecurringModel: { RecurringType: 'Monthly', Iteration: 12, RetryCount: 2 },
    })
    expect(response.status, JSON.stringify(response.body)).toBe(200)
    return response.body.Data as { PaymentURL: string }
  }

  const open = async (url: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } })
    await page.goto(url)
    return page
  }

  it('English: the terms sit above the pay button, which names them as its description', async () => {
    const { PaymentURL } = await recurringInvoice('EN')
    const page = await open(PaymentURL)
    const region = page.getByRole('region', { name: 'Recurring payment' })
    await expect.poll(() => region.isVisible()).toBe(true)
    const description = await page.evaluate<string>(BUTTON_DESCRIPTION)
    for (const text of ['Each charge 10.000 KWD', 'Every month', '12 charges, the last on 27 November 2027', 'First renewal 27 December 2026']) {
      expect(description).toContain(text)
    }
    expect(await page.evaluate<boolean>(DISCLOSURE_ABOVE_BUTTON)).toBe(true)
    await screenshot(page, 'recurring-en.png')
    await page.close()
  })

  it('Arabic: the same terms right to left, in Arabic', async () => {
    const { PaymentURL } = await recurringInvoice('AR')
    const page = await open(PaymentURL)
    expect(await page.getAttribute('html', 'dir')).toBe('rtl')
    const region = page.getByRole('region', { name: 'دفع متكرر' })
    await expect.poll(() => region.isVisible()).toBe(true)
    expect(await page.evaluate<string>("getComputedStyle(document.getElementById('recurring-terms')).direction")).toBe('rtl')
    const description = await page.evaluate<string>(BUTTON_DESCRIPTION)
    for (const text of ['مبلغ كل خصم 10.000 KWD', 'كل شهر', '12 مرة، آخرها في 27 نوفمبر 2027', 'أول تجديد 27 ديسمبر 2026']) {
      expect(description).toContain(text)
    }
    expect(await page.evaluate<boolean>(DISCLOSURE_ABOVE_BUTTON)).toBe(true)
    await screenshot(page, 'recurring-ar.png')
    await page.close()
  })

  it('the Card View frame of a recurring session says the card is kept for recurring charges', async () => {
    const session = await app.call('POST', '/v2/InitiateSession', apiKey, { IsRecurring: true })
    const page = await open(`${app.baseUrl}/cardview/frame?sessionId=${session.body.Data.SessionId}&language=ar`)
    await expect.poll(() => page.getByText('ستُحفظ هذه البطاقة لعمليات خصم متكررة.').isVisible()).toBe(true)
    await page.close()
  })
})
