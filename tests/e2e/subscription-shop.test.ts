import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { DIALECTS } from '../support/dialects.js'
import { createTestDatabase, type TestDatabase } from '../support/test-database.js'
import { launchChromium, screenshot } from './browser-support.js'

/** A child process that printed its start-up text. */
interface Started {
  readonly child: ChildProcess
  output(): string
}

/** Spawns `node ARGS…` and waits until its output matches `ready`. */
async function spawnUntil(args: readonly string[], env: Record<string, string>, ready: RegExp, name: string): Promise<Started> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 30_000)
    const check = () => {
      if (!ready.test(output)) return
      clearTimeout(timer)
      resolve()
    }
    child.stdout?.on('data', check)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${name} exited with ${code}:\n${output}`))
    })
  })
  return { child, output: () => output }
}

/** Sends SIGTERM and waits for the process to end. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

/** A free port on loopback: `dawri serve` prints the URL it was given, so it needs the real port. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return typeof address === 'object' && address ? address.port : 0
}

/** dawri as the README's quick start runs it (`npm start` is `dawri serve` after the build). */
interface RunningDawri {
  readonly baseUrl: string
  readonly databaseUrl: string
  readonly dataDir: string
  /** The demo merchant's key and secret, as the start-up banner printed them. */
  readonly demo: { readonly apiKey: string; readonly webhookSecret: string }
  close(): Promise<void>
}

/** Starts `node dist/cli/main.js serve` on an empty database: SQLite in its data folder, or a new PostgreSQL database. */
async function startDawri(dialect: 'sqlite' | 'postgres'): Promise<RunningDawri> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dawri-serve-'))
  const database: TestDatabase | undefined = dialect === 'postgres' ? await createTestDatabase('postgres') : undefined
  const databaseUrl = database?.url ?? `sqlite:${join(dataDir, 'dawri.sqlite')}`
  const port = await freePort()
  const server = await spawnUntil(
    ['dist/cli/main.js', 'serve'],
    { PORT: String(port), DAWRI_DATA_DIR: dataDir, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    /API docs:/,
    'dawri serve',
  )
  const banner = server.output()
  const apiKey = /API key:\s+(\S+)/.exec(banner)?.[1]
  const webhookSecret = /Webhook secret:\s+(\S+)/.exec(banner)?.[1]
  if (!apiKey || !webhookSecret) throw new Error(`no demo merchant in the banner:\n${banner}`)
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    databaseUrl,
    dataDir,
    demo: { apiKey, webhookSecret },
    async close() {
      await stop(server.child)
      await database?.drop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** `dawri merchant create …` (the README's way to a merchant of one's own): its ApiKey and WebhookSecret. */
async function createMerchantWithCli(dawri: RunningDawri, args: readonly string[]): Promise<{ apiKey: string; webhookSecret: string }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['dist/cli/main.js', 'merchant', 'create', ...args], {
    env: { ...process.env, DATABASE_URL: dawri.databaseUrl, DAWRI_DATA_DIR: dawri.dataDir, LOG_LEVEL: 'warn' },
  })
  const created = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { ApiKey: string; WebhookSecret: string }
  return { apiKey: created.ApiKey, webhookSecret: created.WebhookSecret }
}

/** Calls dawri's API with a merchant's key; status and parsed envelope. */
async function callDawri(dawri: RunningDawri, apiKey: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(dawri.baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: response.status, body: await response.json() }
}

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
  const shop = await spawnUntil(
    ['examples/subscription-shop/server.mjs'],
    { DAWRI_URL: settings.dawriUrl, DAWRI_API_KEY: settings.apiKey, DAWRI_WEBHOOK_SECRET: settings.webhookSecret, SHOP_PORT: '0', SHOP_DATA_FILE: dataFile },
    /Subscription shop: http:\/\/\S+\n/,
    'the shop',
  )
  return {
    url: /Subscription shop: (http:\/\/\S+)/.exec(shop.output())?.[1] ?? '',
    dataFile,
    output: shop.output,
    async close() {
      await stop(shop.child)
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

/**
 * Buys the plan as a customer does: the shop's checkout page with dawri's Card View frame, then
 * dawri's OTP step, then back to the shop's subscription page.
 */
async function subscribe(page: Page, shop: RunningShop, cardNumber: string): Promise<void> {
  await page.goto(shop.url)
  await page.getByRole('link', { name: 'Subscribe' }).click()
  await page.getByLabel('Your name').fill('Sara Al-Sabah')
  const frame = page.frameLocator('#card-element iframe')
  await frame.getByLabel('Name on card').fill('Sara Al-Sabah')
  await frame.getByLabel('Card number').pressSequentially(cardNumber)
  await frame.getByLabel('Expiry date (MM/YY)').pressSequentially('0139')
  await frame.getByLabel('Security code (CVV)').fill('100')
  await page.getByRole('button', { name: 'Pay and subscribe' }).click()
  await page.waitForURL(/MpgsAuthentication\?paymentId=\d+&sessionId=/)
  // The OTP step states the recurring terms the shop's RecurringModel set.
  expect(await page.getByRole('region', { name: 'Recurring payment' }).textContent()).toContain('Every month')
  await page.getByLabel('Verification code').fill('123456')
  await page.getByRole('button', { name: 'Confirm payment' }).click()
  await page.waitForURL(`${shop.url}/subscriptions/**`)
}

/** Reloads the page until `read` gives `expected`: dawri's worker delivers some events on its own time. */
async function pollPage<T>(page: Page, read: () => Promise<T>, expected: T): Promise<void> {
  await expect
    .poll(async () => {
      await page.reload()
      return read()
    }, { timeout: 20_000 })
    .toEqual(expected)
}

// SQLite runs the README's quick start as is: the demo merchant printed by the banner (v2
// webhooks). PostgreSQL uses the other documented way: `dawri merchant create`, here with v1
// webhooks, so both envelopes reach the shop.
for (const dialect of DIALECTS) {
  const webhookVersion = dialect === 'sqlite' ? 'v2' : 'v1'

  describe(`${dialect}: the example subscription shop against dawri serve, in Chromium (webhooks ${webhookVersion})`, () => {
    let dawri: RunningDawri
    let apiKey: string
    let webhookSecret: string
    let shop: RunningShop
    let browser: Browser
    const api = (method: 'GET' | 'POST', path: string, body?: unknown) => callDawri(dawri, apiKey, method, path, body)

    beforeAll(async () => {
      dawri = await startDawri(dialect)
      ;({ apiKey, webhookSecret } =
        dialect === 'sqlite' ? dawri.demo : await createMerchantWithCli(dawri, ['--name', 'Dawri Fitness', '--recurring', '--webhook-version', 'v1']))
      shop = await startShop({ dawriUrl: dawri.baseUrl, apiKey, webhookSecret })
      browser = await launchChromium()
    })
    afterAll(async () => {
      await browser?.close()
      await shop?.close()
      await dawri?.close()
    })

    it('subscribes through the Card View and OTP, records renewals from signed webhooks, and stops them on cancel', async () => {
      // Every delivery is sent twice in a row, as networks sometimes do.
      const chaos = await api('POST', '/v2/sandbox/WebhookChaos', { DuplicateProbability: 1 })
      expect(chaos.status, JSON.stringify(chaos.body)).toBe(200)
      const page = await browser.newPage({ viewport: { width: 900, height: 900 } })

      // Buy the plan: the Card View frame, then dawri's OTP step, then the shop's callback.
      await subscribe(page, shop, '5123450000000008')
      const recurringId = (await page.textContent('#recurring-id')) ?? ''
      expect(recurringId, shop.output()).toMatch(/^RECUR\d+$/)
      expect(await page.textContent('#subscription-status')).toBe('ACTIVE')
      // Recorded by the callback, or by the payment's webhook if dawri's worker was quicker.
      const [first] = await paymentRows(page)
      expect(first?.slice(0, 2)).toEqual(['first', 'SUCCESS'])

      // 65 days: two monthly renewals, each reported by webhooks the shop verified and confirmed.
      // (dawri's worker may run some of the charges itself, so the page is the measure.)
      expect(await advanceClock(page, 65)).toMatch(/renewals approved, 0 declined/)
      await pollPage(page, () => page.textContent('#renewal-count'), '2')
      expect((await paymentRows(page)).map((row) => row.slice(0, 2))).toEqual([
        ['first', 'SUCCESS'],
        ['renewal', 'SUCCESS'],
        ['renewal', 'SUCCESS'],
      ])
      expect((await paymentRows(page)).slice(1).map((row) => row[2])).toEqual(['webhook', 'webhook'])
      expect(await page.textContent('#next-pay-date')).toMatch(/^\d{4}-\d{2}-\d{2}$/)
      await screenshot(page, 'subscription-shop.png')

      // The shop's records agree with dawri's.
      const recurrence = (await api('GET', `/v2/GetRecurringPayment?recurringId=${recurringId}`)).body.Data.RecurringPayment[0]
      expect(recurrence).toMatchObject({ RecurringStatus: 'Active', ExecutedTimes: 2 })
      const renewalInvoices = (recurrence.RecurringInvoices as Array<{ InvoiceId: number }>).map((invoice) => String(invoice.InvoiceId)).sort()
      const records = readRecords(shop)
      const renewals = Object.values(records.payments).filter((payment) => payment.kind === 'renewal')
      expect(renewals.map((payment) => payment.invoiceId).sort()).toEqual(renewalInvoices)
      expect(renewals.map((payment) => payment.amount)).toEqual(['5.000', '5.000'])
      expect(records.subscriptions[recurringId]?.status).toBe('ACTIVE')

      // Every event dawri sent went to the shop's webhook endpoint and was accepted.
      let sent: WebhookLogItem[] = []
      await expect
        .poll(async () => {
          sent = (await api('POST', '/v2/GetWebhooks', {})).body.Data.Items as WebhookLogItem[]
          return sent.every((delivery) => delivery.Status === 'Succeeded')
        }, { timeout: 20_000 })
        .toBe(true)
      expect(sent.length).toBeGreaterThanOrEqual(6)
      for (const delivery of sent) expect(delivery.EndPoint).toBe(`${shop.url}/webhook`)
      const handled = readRecords(shop).events
      expect(Object.keys(handled).sort()).toEqual(sent.map((delivery) => delivery.WebhookReference).sort())
      // Each event arrived twice; the second copy was recognised and changed nothing.
      for (const event of Object.values(handled)) expect(event.repeats).toBeGreaterThanOrEqual(1)
      expect(Object.keys(readRecords(shop).payments)).toHaveLength(3)

      // Idempotent: dawri sending a renewal's events again (ResendWebhook) records nothing new.
      for (const delivery of sent.filter((candidate) => candidate.EventCode === 5)) {
        const resent = await api('POST', '/v2/ResendWebhook', { Reference: delivery.WebhookReference })
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
      expect(await advanceClock(page, 65)).toMatch(/0 renewals approved, 0 declined/)
      expect(await page.textContent('#subscription-status')).toBe('CANCELED')
      expect(await page.textContent('#renewal-count')).toBe('2')
      expect(await paymentRows(page)).toHaveLength(3)
      const cancelled = (await api('GET', `/v2/GetRecurringPayment?recurringId=${recurringId}`)).body.Data.RecurringPayment[0]
      expect(cancelled).toMatchObject({ RecurringStatus: 'Canceled', ExecutedTimes: 2, IsActive: false })
      await page.close()
    })

    it('shows declined renewals and the subscription Uncompleted once the retries are spent', async () => {
      const page = await browser.newPage()
      // 4000000000000341: the first payment is approved, every renewal declined.
      await subscribe(page, shop, '4000000000000341')
      const recurringId = (await page.textContent('#recurring-id')) ?? ''
      expect(await advanceClock(page, 65)).toMatch(/0 renewals approved/)
      // The renewal's first attempt and its two daily retries (RetryCount 2), each its own payment.
      await pollPage(page, () => page.textContent('#subscription-status'), 'UNCOMPLETED')
      await pollPage(page, () => paymentRows(page).then((rows) => rows.map((row) => row.slice(0, 2))), [
        ['first', 'SUCCESS'],
        ['renewal', 'FAILED'],
        ['renewal', 'FAILED'],
        ['renewal', 'FAILED'],
      ])
      expect(await page.textContent('#renewal-count')).toBe('0')
      expect(await page.textContent('#next-pay-date')).toBe('—')
      const recurrence = (await api('GET', `/v2/GetRecurringPayment?recurringId=${recurringId}`)).body.Data.RecurringPayment[0]
      expect(recurrence).toMatchObject({ RecurringStatus: 'Uncompleted', ExecutedTimes: 0 })
      await page.close()
    })
  })
}
