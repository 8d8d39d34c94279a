import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createMerchant } from '../../src/services/create-merchant.js'
import { advanceClockOffset, readClockOffset } from '../../src/store/merchant.repository.js'
import { listRows } from '../../src/store/table-inspection.js'
import { createTestDatabase, type TestDatabase } from '../support/test-database.js'
import { DIALECTS } from '../support/dialects.js'
import { sampleValue, scrape, type Sample } from './metrics-support.js'
import { apiCard, CALLBACK, directPay, freePort, httpApi, pollUntil } from './payment-support.js'

const DAY_MS = 86_400_000
const MERCHANTS = 8
const RECURRENCES_PER_MERCHANT = 3

/** One `dawri serve` child process whose JSON log lines the test keeps. */
interface Process {
  readonly role: 'api' | 'worker'
  readonly baseUrl: string
  readonly child: ChildProcess
  readonly lines: Array<Record<string, unknown>>
}

/**
 * Scale-out, shown (docs/operations.md, "Scale-out"): two API processes and two worker processes
 * on one PostgreSQL. Customers pay through both APIs; the workers share the renewals and the
 * webhook deliveries through the database alone. Each process's /metrics counts its own work:
 * the same numbers as its own log lines, and together exactly what the database holds.
 */
describe.skipIf(!DIALECTS.includes('postgres'))('postgres: 2 API and 2 worker processes on one database', () => {
  let database: TestDatabase
  let dataDir: string
  let receiver: Server
  let receiverUrl = ''
  let received = 0
  const processes: Process[] = []

  beforeAll(async () => {
    database = await createTestDatabase('postgres')
    dataDir = mkdtempSync(join(tmpdir(), 'dawri-scale-'))
    receiver = createServer((request, response) => {
      request.resume()
      request.on('end', () => {
        received++
        response.end('ok')
      })
    })
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
    const address = receiver.address()
    receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hooks`
  })
  afterAll(async () => {
    await Promise.all(processes.map((p) => stop(p.child)))
    await new Promise((resolve) => receiver?.close(resolve))
    await database?.drop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  async function start(role: 'api' | 'worker'): Promise<Process> {
    const port = await freePort()
    const child = spawn(process.execPath, ['dist/cli/main.js', 'serve', '--role', role, '--host', '127.0.0.1', '--port', String(port), '--database', database.url], {
      env: {
        ...process.env,
        DAWRI_DATA_DIR: dataDir,
        // One vault key for every process: a card stored by an API process is charged by a worker.
        DAWRI_VAULT_KEY: Buffer.alloc(32, 5).toString('base64'),
        DAWRI_POLL_INTERVAL_MS: '50',
        // Charges take a moment, so both workers find merchants with due renewals left to claim.
        DAWRI_TEST_PROCESSOR_LATENCY_MS: '50',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const lines: Array<Record<string, unknown>> = []
    let partial = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8')
      const parts = text.split('\n')
      partial = parts.pop() ?? ''
      for (const line of parts) if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>)
    })
    const started: Process = { role, baseUrl: `http://127.0.0.1:${port}`, child, lines }
    processes.push(started)
    return started
  }

  async function waitReady(target: Process): Promise<void> {
    const ready = await pollUntil(async () => {
      if (target.child.exitCode !== null) throw new Error(`${target.role} exited with ${target.child.exitCode}`)
      return fetch(`${target.baseUrl}/ready`).then((r) => r.status === 200, () => false)
    }, 60_000)
    if (!ready) throw new Error(`${target.role} on ${target.baseUrl} was not ready in time`)
  }

  it('each process’s /metrics counts its own requests, charges and deliveries; together they equal the database', async () => {
    const merchants = []
    for (let i = 0; i < MERCHANTS; i++) {
      const created = await createMerchant(database.store, {
        name: `Scale ${i}`,
        country: 'KWT',
        recurringEnabled: true,
        bypass3dsEnabled: true,
        authorizeCaptureEnabled: false,
        webhookUrl: receiverUrl,
        webhookVersion: 'v2',
        now: Date.now(),
      })
      merchants.push(created)
    }
    const apis = [await start('api'), await start('api')]
    const workers = [await start('worker'), await start('worker')]
    for (const target of [...apis, ...workers]) await waitReady(target)

    // Customers subscribe through both APIs, alternately: ExecutePayment, then DirectPayment
    // (merchants side by side, each merchant's customers one after another).
    const sentTo = apis.map(() => 0)
    const subscribe = async (m: number, apiKey: string) => {
      for (let r = 0; r < RECURRENCES_PER_MERCHANT; r++) {
        const which = (m * RECURRENCES_PER_MERCHANT + r) % apis.length
        const api = httpApi(apis[which]?.baseUrl ?? '')
        const created = await api.call('POST', '/v2/ExecutePayment', apiKey, {
          PaymentMethodId: 9,
          InvoiceValue: 5,
          CallBackUrl: CALLBACK,
          RecurringModel: { RecurringType: 'Daily', Iteration: 0, RetryCount: 0 },
        })
        expect(created.status, JSON.stringify(created.body)).toBe(200)
        const paid = await directPay(api, apiKey, created.body.Data.PaymentURL, { PaymentType: 'card', Card: apiCard('5123450000000008'), Bypass3DS: true })
        expect(paid.body.Data?.Status, JSON.stringify(paid.body)).toBe('SUCCESS')
        sentTo[which] = (sentTo[which] ?? 0) + 1
      }
    }
    await Promise.all(merchants.map(({ apiKey }, m) => subscribe(m, apiKey)))

    // Every merchant's clock jumps two days: renewals fall due, and only the workers bill them.
    for (const { merchant } of merchants) {
      await advanceClockOffset(database.store.db, merchant.id, (await readClockOffset(database.store.db, merchant.id)) + 2 * DAY_MS)
    }
    const settled = await pollUntil(async () => {
      const attempts = await listRows(database.store.db, 'charge_attempts')
      const events = await listRows(database.store.db, 'outbox_events')
      const renewals = attempts.filter((a) => a.kind === 'renewal')
      return (
        renewals.length >= MERCHANTS * RECURRENCES_PER_MERCHANT &&
        attempts.every((a) => a.status !== 'open') &&
        events.every((e) => e.status === 'delivered') &&
        (await scrape(workers[0]?.baseUrl ?? '')).some((s) => s.name === 'dawri_billing_due' && s.value === 0)
      )
    }, 60_000, 200)
    expect(settled, 'renewals billed and webhooks delivered within a minute').toBe(true)

    const attempts = await listRows(database.store.db, 'charge_attempts')
    const deliveredAttempts = (await listRows(database.store.db, 'webhook_attempts')).filter((a) => a.status_code === 200)
    const metrics = new Map<Process, Sample[]>()
    for (const target of processes) metrics.set(target, await scrape(target.baseUrl))
    const own = (target: Process, message: string, fields: Record<string, unknown> = {}) =>
      target.lines.filter((line) => line.msg === message && Object.entries(fields).every(([key, value]) => line[key] === value))
    const value = (target: Process, name: string, labels: Record<string, string> = {}) => sampleValue(metrics.get(target) ?? [], name, labels) ?? 0

    // APIs: their own requests and the customer payments they charged; no renewal, no delivery.
    for (const [i, api] of apis.entries()) {
      expect(value(api, 'dawri_http_requests_total', { route: '/v2/ExecutePayment', status: '200' })).toBe(sentTo[i])
      expect(value(api, 'dawri_charges_total', { kind: 'customer', outcome: 'approved' })).toBe(sentTo[i])
      expect(own(api, 'charge recorded', { kind: 'customer', outcome: 'approved' }).length).toBe(sentTo[i])
      expect(value(api, 'dawri_charges_total', { kind: 'renewal', outcome: 'approved' })).toBe(0)
      expect(value(api, 'dawri_webhook_deliveries_total', { outcome: 'delivered' })).toBe(0)
      expect(own(api, 'request').length).toBeGreaterThanOrEqual(2 * (sentTo[i] ?? 0))
    }

    // Workers: each counts the renewals it recorded and the webhooks it delivered — the same
    // numbers as its own log lines; both did some of the work; no attempt is counted twice.
    const renewalIds = new Set<unknown>()
    let renewalsCounted = 0
    let deliveriesCounted = 0
    for (const worker of workers) {
      const renewals = own(worker, 'charge recorded', { kind: 'renewal', outcome: 'approved' })
      const delivered = own(worker, 'webhook delivered')
      expect(value(worker, 'dawri_charges_total', { kind: 'renewal', outcome: 'approved' })).toBe(renewals.length)
      expect(value(worker, 'dawri_webhook_deliveries_total', { outcome: 'delivered' })).toBe(delivered.length)
      expect(value(worker, 'dawri_charges_total', { kind: 'customer', outcome: 'approved' })).toBe(0)
      expect(value(worker, 'dawri_http_requests_total', { route: '/v2/ExecutePayment', status: '200' })).toBe(0)
      expect(renewals.length, 'each worker billed some renewals').toBeGreaterThan(0)
      for (const line of renewals) renewalIds.add(line.attemptId)
      renewalsCounted += renewals.length
      deliveriesCounted += delivered.length
    }
    const renewalAttempts = attempts.filter((a) => a.kind === 'renewal' && a.status === 'approved')
    expect(renewalsCounted).toBe(renewalAttempts.length)
    expect([...renewalIds].sort()).toEqual(renewalAttempts.map((a) => a.id).sort())
    expect(deliveriesCounted).toBe(deliveredAttempts.length)
    expect(received).toBe(deliveredAttempts.length)

    // At info, no process logged a key, a webhook secret or the card number.
    const logged = JSON.stringify(processes.map((p) => p.lines))
    for (const { apiKey, merchant } of merchants) {
      expect(logged).not.toContain(apiKey)
      expect(logged).not.toContain(merchant.webhookSecret)
    }
    expect(logged).not.toContain('5123450000000008')

    // The database gauges read the same in every process: nothing due, nothing pending.
    for (const target of processes) {
      expect(value(target, 'dawri_billing_due')).toBe(0)
      expect(value(target, 'dawri_webhook_pending')).toBe(0)
    }
  }, 240_000)
})

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
  await exited
  clearTimeout(timer)
}
