import { type ChildProcess, spawn } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { launchChromium, screenshot } from './browser-support.js'

/** The example shop, started with its one command as a reader of its README would. */
interface RunningShop {
  readonly url: string
  readonly dataFile: string
  /** What the shop printed, for failure messages. */
  output(): string
  close(): Promise<void>
}

/** Starts `node examples/subscription-shop/server.mjs` on a free port with its own records file. */
async function startShop(settings: { dawriUrl: string; apiKey: string; webhookSecret: string }): Promise<RunningShop> {
  const folder = mkdtempSync(join(tmpdir(), 'dawri-shop-'))
  const dataFile = join(folder, 'shop.json')
  const child: ChildProcess = spawn(process.execPath, ['examples/subscription-shop/server.mjs'], {
    env: {
      ...process.env,
      DAWRI_URL: settings.dawriUrl,
      DAWRI_API_KEY: settings.apiKey,
      DAWRI_WEBHOOK_SECRET: settings.webhookSecret,
      SHOP_PORT: '0',
      SHOP_DATA_FILE: dataFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the shop did not start:\n${output}`)), 20_000)
    const check = () => {
      const match = /Subscription shop: (http:\/\/\S+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout?.on('data', check)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the shop exited with ${code}:\n${output}`))
    })
  })
  return {
    url,
    dataFile,
    output: () => output,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(folder, { recursive: true, force: true })
    },
  }
}

/** The shop's records, as its JSON file holds them. */
interface ShopRecords {
  subscriptions: Record<string, { status: string; invoiceId: string }>
  payments: Record<string, { kind: string; status: string; source: string; recurringId: string; invoiceId: string; amount: string | null }>
  events: Record<string, { type: string; repeats: number }>
}

const readRecords = (shop: RunningShop): ShopRecords => JSON.parse(readFileSync(shop.dataFile, 'utf8')) as ShopRecords

/** The fields of a GetWebhooks item this test reads. */
interface WebhookLogItem {
  WebhookReference: string
  EventCode: number
  EndPoint: string
  Status: string
  Data: unknown
}

/** The rows of the subscription page's payments table: [kind, status, source]. */
const paymentRows = (page: Page) =>
  page.$$eval('#payments tbody tr', (rows) =>
    rows.map((row) => [row.getAttribute('data-kind'), row.getAttribute('data-status'), row.lastElementChild?.textContent ?? '']),
  )

/** Uses the shop's sandbox form, which calls AdvanceClock through the SDK. */
async function advanceClock(page: Page, days: number): Promise<string> {
  await page.getByLabel('Advance the clock by').fill(String(days))
  await page.getByRole('button', { name: 'Advance' }).click()
  await page.waitForURL(/flash=Clock/)
  return (await page.getByRole('status').textContent()) ?? ''
}

// The merchant's webhook version alternates with the database, so both envelopes reach the shop.
for (const [index, dialect] of DIALECTS.entries()) {
  const webhookVersion = index % 2 === 0 ? 'v2' : 'v1'

  describe(`${dialect}: the example subscription shop in Chromium (webhooks ${webhookVersion})`, () => {
    let app: TestApp
    let apiKey: string
    let webhookSecret: string
    let shop: RunningShop
    let browser: Browser

    beforeAll(async () => {
      app = await startTestApp(dialect)
      const created = await app.createMerchant({ name: 'Dawri Fitness', webhookVersion })
      apiKey = created.apiKey
      webhookSecret = created.merchant.webhookSecret
      shop = await startShop({ dawriUrl: app.baseUrl, apiKey, webhookSecret })
      browser = await launchChromium()
    })
    afterAll(async () => {
      await browser?.close()
      await shop?.close()
      await app?.close()
    })

    it('subscribes through the Card View and OTP, records renewals from signed webhooks, and stops them on cancel', async () => {
      const page = await browser.newPage({ viewport: { width: 900, height: 900 } })

      // Buy the plan: the Card View frame, then dawri's OTP step, then the shop's callback.
      await page.goto(shop.url)
      await page.getByRole('link', { name: 'Subscribe' }).click()
      await page.getByLabel('Your name').fill('Sara Al-Sabah')
      const frame = page.frameLocator('#card-element iframe')
      await frame.getByLabel('Name on card').fill('Sara Al-Sabah')
      await frame.getByLabel('Card number').pressSequentially('5123450000000008')
      await frame.getByLabel('Expiry date (MM/YY)').pressSequentially('0139')
      await frame.getByLabel('Security code (CVV)').fill('100')
      await page.getByRole('button', { name: 'Pay and subscribe' }).click()
      await page.waitForURL(/MpgsAuthentication\?paymentId=\d+&sessionId=/)
      // The OTP step states the recurring terms the shop's RecurringModel set.
      expect(await page.getByRole('region', { name: 'Recurring payment' }).textContent()).toContain('Every month')
      await page.getByLabel('Verification code').fill('123456')
      await page.getByRole('button', { name: 'Confirm payment' }).click()
      await page.waitForURL(`${shop.url}/subscriptions/**`)
      const recurringId = (await page.textContent('#recurring-id')) ?? ''
      expect(recurringId, shop.output()).toMatch(/^RECUR\d+$/)
      expect(await page.textContent('#subscription-status')).toBe('ACTIVE')
      expect(await paymentRows(page)).toEqual([['first', 'SUCCESS', 'callback']])

      // Every delivery from now on is sent twice in a row, as networks sometimes do.
      const chaos = await app.call('POST', '/v2/sandbox/WebhookChaos', apiKey, { DuplicateProbability: 1 })
      expect(chaos.status, JSON.stringify(chaos.body)).toBe(200)

      // 65 days: two monthly renewals, each reported by webhooks the shop verified and confirmed.
      const advanced = await advanceClock(page, 65)
      expect(advanced).toMatch(/2 renewals approved, 0 declined/)
      expect(await page.textContent('#renewal-count'), shop.output()).toBe('2')
      expect(await paymentRows(page)).toEqual([
        ['first', 'SUCCESS', 'callback'],
        ['renewal', 'SUCCESS', 'webhook'],
        ['renewal', 'SUCCESS', 'webhook'],
      ])
      expect(await page.textContent('#next-pay-date')).toMatch(/^\d{4}-\d{2}-\d{2}$/)
      await screenshot(page, 'subscription-shop.png')

      // The shop's records agree with dawri's.
      const recurrence = (await app.call('GET', `/v2/GetRecurringPayment?recurringId=${recurringId}`, apiKey)).body.Data.RecurringPayment[0]
      expect(recurrence).toMatchObject({ RecurringStatus: 'Active', ExecutedTimes: 2 })
      const renewalInvoices = (recurrence.RecurringInvoices as Array<{ InvoiceId: number }>).map((invoice) => String(invoice.InvoiceId)).sort()
      const records = readRecords(shop)
      const renewals = Object.values(records.payments).filter((payment) => payment.kind === 'renewal')
      expect(renewals.map((payment) => payment.invoiceId).sort()).toEqual(renewalInvoices)
      expect(renewals.map((payment) => payment.amount)).toEqual(['5.000', '5.000'])
      expect(records.subscriptions[recurringId]?.status).toBe('ACTIVE')

      // Every event dawri sent went to the shop's webhook endpoint and was accepted.
      const sent = (await app.call('POST', '/v2/GetWebhooks', apiKey, {})).body.Data.Items as WebhookLogItem[]
      expect(sent.length).toBeGreaterThanOrEqual(6)
      for (const delivery of sent) {
        expect(delivery).toMatchObject({ EndPoint: `${shop.url}/webhook`, Status: 'Succeeded' })
      }
      expect(Object.keys(records.events).sort()).toEqual(sent.map((delivery) => delivery.WebhookReference).sort())
      // Each event arrived twice; the second copy was recognised and changed nothing.
      for (const event of Object.values(records.events)) expect(event.repeats).toBeGreaterThanOrEqual(1)
      expect(Object.keys(records.payments)).toHaveLength(3)

      // Idempotent: dawri sending a renewal's events again (ResendWebhook) records nothing new.
      for (const delivery of sent.filter((candidate) => candidate.EventCode === 5)) {
        const resent = await app.call('POST', '/v2/ResendWebhook', apiKey, { Reference: delivery.WebhookReference })
        expect(resent.status, JSON.stringify(resent.body)).toBe(200)
      }
      await page.reload()
      expect(await page.textContent('#renewal-count')).toBe('2')
      expect(Object.keys(readRecords(shop).payments)).toHaveLength(3)

      // A delivery that is not signed with the merchant's secret is refused and changes nothing.
      const renewal = sent.filter((candidate) => candidate.EventCode === 5).at(-1)
      const body = JSON.stringify(renewal?.Data)
      const forged = await fetch(`${shop.url}/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'myfatoorah-webhook-version': webhookVersion,
          'myfatoorah-signature': createHmac('sha256', 'not-the-secret').update(body).digest('base64'),
          'dawri-webhook-reference': 'WH-forged',
        },
        body,
      })
      expect(forged.status).toBe(401)
      expect(readRecords(shop).events['WH-forged']).toBeUndefined()

      // Cancel: CancelRecurringPayment, then another 65 days bring no renewal.
      await page.getByRole('button', { name: 'Cancel my subscription' }).click()
      await page.waitForURL(/flash=Your/)
      expect(await page.textContent('#subscription-status')).toBe('CANCELED')
      expect(await page.getByRole('button', { name: 'Cancel my subscription' }).count()).toBe(0)
      const afterCancel = await advanceClock(page, 65)
      expect(afterCancel).toMatch(/0 renewals approved, 0 declined/)
      expect(await page.textContent('#subscription-status')).toBe('CANCELED')
      expect(await page.textContent('#renewal-count')).toBe('2')
      expect(await paymentRows(page)).toHaveLength(3)
      const cancelled = (await app.call('GET', `/v2/GetRecurringPayment?recurringId=${recurringId}`, apiKey)).body.Data.RecurringPayment[0]
      expect(cancelled).toMatchObject({ RecurringStatus: 'Canceled', ExecutedTimes: 2, IsActive: false })
      await page.close()
    })
  })
}
