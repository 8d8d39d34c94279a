import { createServer, type Server } from 'node:http'

import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { setMerchantWebhookUrl } from '../../src/store/merchant.repository.js'
import { openRecurringContext, type RecurringContext } from '../integration/recurring-fixtures.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { launchChromium, screenshot } from './browser-support.js'

/** In every renewal cycle the first 2 attempts are declined (MF004), later ones approved. */
const TWO_DECLINES_CARD = '4000000000001026'

/** A webhook endpoint that answers 500 until told to accept. */
async function startFlakyReceiver(): Promise<{ url: string; accept(): void; received: () => number; close(): Promise<void> }> {
  let accepting = false
  let received = 0
  const server: Server = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      received += 1
      response.writeHead(accepting ? 200 : 500, { 'content-type': 'text/plain' })
      response.end(accepting ? 'ok' : 'receiver down for maintenance')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    accept: () => {
      accepting = true
    },
    received: () => received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: the console in Chromium`, () => {
    let app: TestApp
    let browser: Browser
    let page: Page
    let recurring: RecurringContext
    let recurringId: string
    let receiver: Awaited<ReturnType<typeof startFlakyReceiver>>
    // Screenshots come from one dialect only: the pages are the same.
    const shot = (name: string) => (dialect === 'sqlite' ? screenshot(page, name) : page.screenshot({ fullPage: true }))

    beforeAll(async () => {
      receiver = await startFlakyReceiver()
      app = await startTestApp(dialect, { env: { DAWRI_ADMIN_TOKEN: 'console-e2e-admin-token-0123', DAWRI_WEBHOOK_RETRY_HOURS: '1' } })
      recurring = await openRecurringContext(app)
      await setMerchantWebhookUrl(app.deps.store.db, recurring.merchantId, receiver.url)
      recurringId = await recurring.createActive({ RecurringType: 'Monthly', Iteration: 6, RetryCount: 1 }, TWO_DECLINES_CARD)
      browser = await launchChromium()
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    }, 60_000)
    afterAll(async () => {
      await browser?.close()
      await app?.close()
      await receiver?.close()
    })

    it('signs in with the API key', async () => {
      await page.goto(`${app.baseUrl}/console`)
      expect(new URL(page.url()).pathname).toBe('/console/sign-in')
      await shot('console-sign-in.png')
      await page.getByLabel('API key').fill(recurring.apiKey)
      await page.getByRole('button', { name: 'Sign in' }).first().click()
      await page.waitForURL(`${app.baseUrl}/console`)
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview')
    })

    it('advances the sandbox clock 40 days from the Sandbox page: the renewal and its retry are declined', async () => {
      await page.getByRole('link', { name: 'Sandbox' }).click()
      await page.waitForURL(/\/console\/sandbox$/)
      await page.getByLabel('Days to advance').fill('40')
      // AdvanceClock answers once every charge and webhook due in the 40 days has run.
      await page.getByRole('button', { name: 'Advance the clock' }).click({ timeout: 120_000 })
      await page.waitForURL(/done=advanced/, { timeout: 120_000 })
      const outcome = (await page.getByRole('status').textContent()) ?? ''
      expect(outcome).toMatch(/^The clock moved to \d{4}-\d{2}-\d{2} \d{2}:\d{2}: 2 charges \(0 approved, 2 declined\), \d+ webhook attempts\.$/)
      expect((await recurring.get(recurringId)).RecurringStatus).toBe('Uncompleted')
      await shot('console-sandbox.png')
    }, 180_000)

    it('shows the overview charts', async () => {
      await page.getByRole('link', { name: 'Overview' }).click()
      await page.waitForURL(`${app.baseUrl}/console`)
      // Charges, renewals due, statuses, webhooks: charts drawn on the server. The first payment
      // is 40 merchant days old, so nothing was collected in the last 14 days (yet).
      expect(await page.locator('svg.chart').count()).toBe(4)
      expect(await page.getByText('Nothing collected in this period.').count()).toBe(1)
      const titles = await page.locator('svg.chart rect title').allTextContents()
      // The renewal and its retry, a day apart: two declined charges in all.
      const declined = titles.map((title) => /· Declined: (\d+)$/.exec(title)?.[1]).filter((count) => count !== undefined)
      expect(declined.map(Number).reduce((sum, count) => sum + count, 0)).toBe(2)
      expect(titles).toContain('Uncompleted: 1')
      await shot('console-overview.png')
    })

    it('finds the Uncompleted recurrence and resumes it', async () => {
      await page.getByRole('link', { name: 'Recurring payments' }).click()
      await page.getByLabel('Status').selectOption('Uncompleted')
      await page.getByRole('button', { name: 'Apply' }).click()
      await page.waitForURL(/status=Uncompleted/)
      await expect.poll(() => page.getByRole('link', { name: recurringId }).count()).toBe(1)
      await shot('console-recurrences.png')
      await page.getByRole('link', { name: recurringId }).click()
      await page.waitForURL(new RegExp(`/console/recurrences/${recurringId}$`))
      // The history lists the first payment, the declined renewal and its declined retry, oldest first.
      const outcomes = await page.locator('table').nth(1).locator('tbody tr td:nth-child(5)').allTextContents()
      expect(outcomes).toEqual(['approved', 'declined', 'declined'])
      await page.getByRole('button', { name: 'Resume: charge the blocked cycle now' }).click()
      await page.waitForURL(/done=resumed/)
      expect(await page.getByRole('status').textContent()).toContain('The recurring payment was resumed')
      expect(await page.locator('dl.facts .badge').first().textContent()).toBe('Active')
      expect(await page.locator('table').nth(1).locator('tbody tr td:nth-child(5)').allTextContents()).toEqual(['approved', 'declined', 'declined', 'approved'])
      await shot('console-recurrence.png')
      const view = await recurring.get(recurringId)
      expect(view.RecurringStatus).toBe('Active')
      expect(view.ExecutedTimes).toBe(1)
    })

    it('lists the invoices and opens one with its transactions', async () => {
      await page.getByRole('link', { name: 'Invoices and payments' }).click()
      await page.waitForURL(/\/console\/invoices$/)
      // The first invoice and the cycle's, newest first, both Paid now.
      expect(await page.locator('tbody tr .badge').allTextContents()).toEqual(['Paid', 'Paid'])
      await shot('console-invoices.png')
      await page.locator('tbody tr a').first().click()
      await page.waitForURL(/\/console\/invoices\/\d+$/)
      expect(await page.getByRole('heading', { name: 'Transactions' }).count()).toBe(1)
      expect(await page.locator('table').first().locator('tbody tr').count()).toBeGreaterThan(0)
      await shot('console-invoice.png')
    })

    it('resends a failed webhook once the receiver is back', async () => {
      await page.getByRole('link', { name: 'Webhooks' }).click()
      await page.getByLabel('Status').selectOption('Failed')
      await page.getByRole('button', { name: 'Apply' }).click()
      await page.waitForURL(/status=Failed/)
      const failed = page.locator('tbody tr a')
      await expect.poll(() => failed.count()).toBeGreaterThan(0)
      await shot('console-webhooks.png')
      await failed.first().click()
      await page.waitForURL(/\/console\/webhooks\/WH-/)
      expect(await page.locator('dl.facts .badge').first().textContent()).toBe('Failed')
      expect(await page.locator('pre').first().textContent()).toMatch(/MyFatoorah-Signature: \S+/)
      expect(await page.getByText('receiver down for maintenance').count()).toBeGreaterThan(0)
      receiver.accept()
      const before = receiver.received()
      await page.getByRole('button', { name: 'Resend now' }).click()
      await page.waitForURL(/done=resent/)
      expect(await page.locator('dl.facts .badge').first().textContent()).toBe('Succeeded')
      expect(receiver.received()).toBe(before + 1)
      await shot('console-webhook.png')
    })

    it('switches to Arabic, right to left', async () => {
      await page.getByRole('link', { name: 'العربية' }).click()
      await page.waitForURL(/\/console\/webhooks\/WH-/)
      expect(await page.locator('html').getAttribute('dir')).toBe('rtl')
      await page.getByRole('link', { name: 'نظرة عامة' }).click()
      await page.waitForURL(`${app.baseUrl}/console`)
      // The resumed charge is today's collected money: its chart is there now.
      expect(await page.locator('svg.chart').count()).toBe(5)
      expect(await page.locator('svg.chart rect title').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/KWD: 10\.000$/)]))
      await shot('console-overview-ar.png')
      await page.getByRole('link', { name: 'English' }).click()
    })
  })
}
