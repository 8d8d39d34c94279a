import { readFileSync } from 'node:fs'
import { Writable } from 'node:stream'

import type { FastifyInstance } from 'fastify'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { routeModules } from '../../src/app/modules.js'
import { CHARGE_KINDS } from '../../src/domain/charge.js'
import type { Deps } from '../../src/deps.js'
import { buildApp } from '../../src/http/build-app.js'
import { loggerOptions } from '../../src/http/logger.js'
import { claimAttempts } from '../../src/billing/claim-attempts.js'
import { runBillingPass } from '../../src/billing/run-billing-pass.js'
import { createStore } from '../../src/store/create-database.js'
import { advanceClockOffset, findMerchantById, readClockOffset, setMerchantWebhookUrl } from '../../src/store/merchant.repository.js'
import { listRows } from '../../src/store/table-inspection.js'
import { createPrometheusTelemetry } from '../../src/telemetry/prometheus-telemetry.js'
import { deliverDueWebhooks } from '../../src/webhooks/dispatcher.js'
import { merchantNow } from '../../src/domain/merchant.js'
import { DIALECTS } from '../support/dialects.js'
import { createTestDatabase } from '../support/test-database.js'
import type { TestApp } from '../support/start-test-app.js'
import { parseMetrics, sampleValue, scrape, type Sample } from './metrics-support.js'
import { forgetNewestMigration } from './observability-support.js'
import { openRecurringContext, RENEWAL_DECLINED_CARD, startRecurringApp } from './recurring-fixtures.js'

const DAY_MS = 86_400_000
/** A port nothing listens on: every delivery fails and is retried. */
const DEAD_WEBHOOK_URL = 'http://127.0.0.1:9/hooks'

/** An app on `deps` (its own logger, clock or telemetry), listening on loopback. */
async function listen(deps: Deps, options: Parameters<typeof buildApp>[1] = { extraRoutes: routeModules }): Promise<{ app: FastifyInstance; baseUrl: string }> {
  const app = await buildApp(deps, options)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  return { app, baseUrl: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` }
}

/** A pino logger writing parsed lines into `lines`, with the production options (redaction). */
function capturingLogger(lines: Array<Record<string, unknown>>, level = 'info') {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  return pino(loggerOptions(level), sink)
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: /metrics after a billing run`, () => {
    let app: TestApp
    beforeAll(async () => {
      app = await startRecurringApp(dialect)
    })
    afterAll(async () => {
      await app?.close()
    })

    it('the charge counters and the billing and webhook gauges equal what the database holds', async () => {
      const db = app.deps.store.db
      // Merchant A: billed by its sandbox clock. Approved renewals, declined renewals and
      // retries until Uncompleted, a declined Resume, a refund; webhooks to a dead endpoint.
      const billed = await openRecurringContext(app)
      await setMerchantWebhookUrl(db, billed.merchantId, DEAD_WEBHOOK_URL)
      const first = await billed.create({ RecurringType: 'Daily', Iteration: 0 })
      await billed.pay(first.invoiceId)
      await billed.createActive({ RecurringType: 'Daily', Iteration: 0 })
      const failing = await billed.createActive({ RecurringType: 'Daily', Iteration: 0, RetryCount: 1 }, RENEWAL_DECLINED_CARD)
      await billed.advance({ Days: 3 })
      expect((await billed.get(failing)).RecurringStatus).toBe('Uncompleted')
      // The Resume is charged at once, and declined like the renewals.
      expect((await billed.resume(failing)).body).toMatchObject({ IsSuccess: false, Message: 'Declined by issuer' })
      const refund = await app.call('POST', '/v2/MakeRefund', billed.apiKey, { KeyType: 'InvoiceId', Key: first.invoiceId, Amount: 2 })
      expect(refund.status, JSON.stringify(refund.body)).toBe(200)

      // Merchant B: its clock moved two days on without any billing, as if every worker were down.
      const idle = await openRecurringContext(app)
      for (let i = 0; i < 3; i++) await idle.createActive({ RecurringType: 'Weekly', Iteration: 0 })
      await advanceClockOffset(db, idle.merchantId, (await readClockOffset(db, idle.merchantId)) + 8 * DAY_MS)

      const samples = await scrape(app.baseUrl)
      const realNow = Date.now()

      // Charges: every attempt of the database, by kind and outcome, counted once; none left open.
      const attempts = await listRows(db, 'charge_attempts')
      expect(attempts.filter((a) => a.status === 'open')).toEqual([])
      const kindsSeen = new Set(attempts.map((a) => a.kind))
      expect([...kindsSeen].sort()).toEqual(['customer', 'refund', 'renewal', 'resume', 'retry'])
      for (const kind of CHARGE_KINDS) {
        for (const outcome of ['approved', 'declined'] as const) {
          const expected = attempts.filter((a) => a.kind === kind && a.status === outcome).length
          expect(sampleValue(samples, 'dawri_charges_total', { kind, outcome }), `${kind} ${outcome}`).toBe(expected)
        }
        expect(sampleValue(samples, 'dawri_charges_total', { kind, outcome: 'error' })).toBe(0)
      }
      expect(sampleValue(samples, 'dawri_charges_total', { kind: 'renewal', outcome: 'approved' })).toBeGreaterThan(0)
      expect(sampleValue(samples, 'dawri_charges_total', { kind: 'retry', outcome: 'declined' })).toBeGreaterThan(0)

      // Billing gauges: Active recurrences due at their merchant's clock, not leased.
      const merchants = new Map((await listRows(db, 'merchants')).map((m) => [m.id, m]))
      const due = (await listRows(db, 'recurrences')).filter((r) => {
        const offset = merchants.get(r.merchant_id)?.clock_offset_ms ?? 0
        return r.status === 'Active' && r.next_attempt_at !== null && r.next_attempt_at <= realNow + offset && (r.lease_until === null || r.lease_until <= realNow)
      })
      expect(due.length).toBe(3)
      expect(sampleValue(samples, 'dawri_billing_due')).toBe(due.length)
      const oldestDue = Math.min(...due.map((r) => (r.next_attempt_at ?? 0) - (merchants.get(r.merchant_id)?.clock_offset_ms ?? 0)))
      expect(sampleValue(samples, 'dawri_billing_lag_seconds')).toBeCloseTo((realNow - oldestDue) / 1000, -1)
      expect(sampleValue(samples, 'dawri_billing_lag_seconds')).toBeGreaterThan(DAY_MS / 1000)

      // Webhooks: each delivery to the dead endpoint failed and is retried; pending events and the oldest one.
      const events = await listRows(db, 'outbox_events')
      const pending = events.filter((e) => e.status === 'pending')
      expect(pending.length).toBeGreaterThan(0)
      expect(sampleValue(samples, 'dawri_webhook_pending')).toBe(pending.length)
      const oldestPending = Math.min(...pending.map((e) => e.created_at - (merchants.get(e.merchant_id)?.clock_offset_ms ?? 0)))
      expect(sampleValue(samples, 'dawri_webhook_oldest_pending_seconds')).toBeCloseTo((realNow - oldestPending) / 1000, -1)
      const webhookAttempts = await listRows(db, 'webhook_attempts')
      expect(webhookAttempts.length).toBeGreaterThan(0)
      expect(sampleValue(samples, 'dawri_webhook_deliveries_total', { outcome: 'delivered' })).toBe(0)
      expect(
        (sampleValue(samples, 'dawri_webhook_deliveries_total', { outcome: 'retrying' }) ?? 0) +
          (sampleValue(samples, 'dawri_webhook_deliveries_total', { outcome: 'failed' }) ?? 0),
      ).toBe(webhookAttempts.length)

      // Nothing was taken over from a dead process; Node's own metrics are there.
      expect(sampleValue(samples, 'dawri_attempt_leases_expired_total')).toBe(0)
      expect(sampleValue(samples, 'dawri_attempts_recovered_total')).toBe(0)
      expect(samples.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true)
      expect(samples.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true)
      // The API calls above are counted by route pattern.
      expect(sampleValue(samples, 'dawri_http_requests_total', { route: '/v2/MakeRefund', status: '200' })).toBe(1)
      expect(sampleValue(samples, 'dawri_http_request_duration_seconds_count', { route: '/v2/MakeRefund' })).toBe(1)

      // docs/operations.md describes every dawri_ metric a process exposes.
      const documented = readFileSync('docs/operations.md', 'utf8')
      const names = new Set(samples.map((s) => s.name.replace(/_(bucket|sum|count)$/, '')).filter((name) => name.startsWith('dawri_')))
      expect(names.size).toBeGreaterThanOrEqual(11)
      for (const name of names) expect(documented, name).toContain(`| \`${name}\` |`)
    })

    it('attempts taken over after their lease ran out are counted as expired and recovered', async () => {
      const ctx = await openRecurringContext(app)
      const id = await ctx.createActive({ RecurringType: 'Daily', Iteration: 0 })
      const merchant = await findMerchantById(app.deps.store.db, ctx.merchantId)
      if (!merchant) throw new Error('merchant vanished')
      // A worker whose telemetry we read opens the attempt with a lease that has already run out, and dies before charging.
      const telemetry = createPrometheusTelemetry({ store: app.deps.store, clock: app.deps.clock, logger: app.deps.logger })
      const deps: Deps = { ...app.deps, telemetry }
      await advanceClockOffset(app.deps.store.db, ctx.merchantId, (await readClockOffset(app.deps.store.db, ctx.merchantId)) + DAY_MS)
      const now = merchantNow(Date.now(), (await findMerchantById(app.deps.store.db, ctx.merchantId)) ?? merchant)
      const opened = await claimAttempts(deps, merchant, 'due', { now, realNow: Date.now(), limit: 10, leaseMs: -1 })
      expect(opened.map((a) => a.reopened)).toEqual([false])
      // The next pass finds it open past its lease and settles it.
      const counts = await runBillingPass(deps, merchant, { now, recoverCustomers: false })
      expect(counts.charges).toBe(1)
      const samples = parseMetrics(await telemetry.render())
      expect(sampleValue(samples, 'dawri_attempt_leases_expired_total')).toBe(1)
      expect(sampleValue(samples, 'dawri_attempts_recovered_total')).toBe(1)
      expect(sampleValue(samples, 'dawri_charges_total', { kind: 'renewal', outcome: 'approved' })).toBe(1)
      expect((await ctx.get(id)).ExecutedTimes).toBe(1)
    })
  })

  describe(`${dialect}: /health, /ready, request ids and log lines`, () => {
    let app: TestApp
    beforeAll(async () => {
      app = await startRecurringApp(dialect)
    })
    afterAll(async () => {
      await app?.close()
    })

    it('/health answers while the process lives; /ready checks the database and the schema', async () => {
      expect(await (await fetch(`${app.baseUrl}/health`)).json()).toEqual({ status: 'ok' })
      const ready = await fetch(`${app.baseUrl}/ready`)
      expect(ready.status).toBe(200)
      expect(await ready.json()).toEqual({ status: 'ready' })

      // A database that does not answer.
      const database = await createTestDatabase(dialect)
      await database.store.close()
      const down = await listen({ ...app.deps, store: database.store }, { operationsOnly: true })
      try {
        const response = await fetch(`${down.baseUrl}/ready`)
        expect(response.status).toBe(503)
        const body = (await response.json()) as { status: string; reason: string }
        expect(body.status).toBe('not ready')
        expect(body.reason).toMatch(/^database unreachable: /)
        // /health says the process lives all the same.
        expect((await fetch(`${down.baseUrl}/health`)).status).toBe(200)
      } finally {
        await down.app.close()
        await database.drop().catch(() => undefined)
      }
    })

    it('/ready is 503 while the schema is behind the code', async () => {
      // A database with every migration but the last one recorded as run.
      const database = await createTestDatabase(dialect)
      const last = await forgetNewestMigration(database.url)
      const store = createStore({ url: database.url })
      const behind = await listen({ ...app.deps, store }, { operationsOnly: true })
      try {
        const response = await fetch(`${behind.baseUrl}/ready`)
        expect(response.status).toBe(503)
        expect(((await response.json()) as { reason: string }).reason).toBe(
          `database schema not current: 1 migration(s) not applied (${last}); run dawri migrate`,
        )
      } finally {
        await behind.app.close()
        await store.close()
        await database.drop()
      }
    })

    it('/ready of a process running billing waits for a recent heartbeat', async () => {
      let now = Date.now()
      const clock = { now: () => now }
      const telemetry = createPrometheusTelemetry({ store: app.deps.store, clock, logger: app.deps.logger })
      const worker = await listen({ ...app.deps, clock, telemetry }, { operationsOnly: true, billingHeartbeat: true })
      const readiness = async () => {
        const response = await fetch(`${worker.baseUrl}/ready`)
        return { status: response.status, body: (await response.json()) as { status: string; reason?: string } }
      }
      try {
        expect(await readiness()).toEqual({ status: 503, body: { status: 'not ready', reason: 'billing worker has not completed a pass yet' } })
        telemetry.billingHeartbeat()
        now += 30_000
        expect(await readiness()).toEqual({ status: 200, body: { status: 'ready' } })
        now += 31_000
        expect(await readiness()).toEqual({ status: 503, body: { status: 'not ready', reason: 'billing heartbeat is 61 s old (limit 60 s)' } })
        // A worker serves nothing else.
        expect((await fetch(`${worker.baseUrl}/v2/InitiatePayment`, { method: 'POST' })).status).toBe(404)
      } finally {
        await worker.app.close()
      }
    })

    it('each request gets an id (the client’s when sane), returned as X-Request-Id and on its one log line', async () => {
      const lines: Array<Record<string, unknown>> = []
      const { merchant, apiKey } = await app.createMerchant({})
      const logged = await listen({ ...app.deps, logger: capturingLogger(lines) })
      try {
        const given = await fetch(`${logged.baseUrl}/v2/InitiatePayment`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'x-request-id': 'shop-7f3a:42' },
          body: JSON.stringify({ InvoiceAmount: 10, CurrencyIso: 'KWD' }),
        })
        expect(given.status).toBe(200)
        expect(given.headers.get('x-request-id')).toBe('shop-7f3a:42')

        const insane = await fetch(`${logged.baseUrl}/v2/InitiatePayment`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'x-request-id': 'has spaces "and quotes"' },
          body: '{"InvoiceAmount":',
        })
        expect(insane.status).toBe(400)
        const generated = insane.headers.get('x-request-id') ?? ''
        expect(generated).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)

        const missing = await fetch(`${logged.baseUrl}/no/such/page?token=abc`)
        expect(missing.status).toBe(404)
        const missingId = missing.headers.get('x-request-id') ?? ''
        expect(missingId).not.toBe(generated)
        await fetch(`${logged.baseUrl}/health`)

        const requestLines = lines.filter((line) => line.msg === 'request')
        const byId = new Map(requestLines.map((line) => [line.reqId, line]))
        expect(byId.get('shop-7f3a:42')).toMatchObject({ level: 30, method: 'POST', route: '/v2/InitiatePayment', status: 200 })
        expect(byId.get(generated)).toMatchObject({ level: 30, method: 'POST', route: '/v2/InitiatePayment', status: 400 })
        expect(byId.get(missingId)).toMatchObject({ level: 30, method: 'GET', route: 'unmatched', status: 404 })
        expect(typeof byId.get('shop-7f3a:42')?.ms).toBe('number')
        // Probes go to debug; one line per request, no URL, no key.
        expect(requestLines.filter((line) => line.route === '/health')).toEqual([])
        expect(requestLines.length).toBe(3)
        const text = JSON.stringify(lines)
        expect(text).not.toContain(apiKey)
        expect(text).not.toContain('token=abc')
        expect(text).not.toContain('/no/such/page')

        // The same requests in the metrics, by route pattern; the unknown path under one label.
        const samples = await scrape(logged.baseUrl)
        expect(sampleValue(samples, 'dawri_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1)
        expect(sampleValue(samples, 'dawri_http_requests_total', { route: '/v2/InitiatePayment', status: '400' })).toBe(1)
        expect(samples.some((s) => s.labels.route?.includes('/no/such'))).toBe(false)
        expect(merchant.id).toBeGreaterThan(0)
      } finally {
        await logged.app.close()
      }
    })

    it('per-charge lines at info and per-delivery lines (failures at warn) name the attempt and event, never the card or secret', async () => {
      const lines: Array<Record<string, unknown>> = []
      const deps: Deps = { ...app.deps, logger: capturingLogger(lines, 'trace') }
      const ctx = await openRecurringContext({ ...app, deps })
      await setMerchantWebhookUrl(app.deps.store.db, ctx.merchantId, DEAD_WEBHOOK_URL)
      await ctx.createActive({ RecurringType: 'Daily', Iteration: 0 }, RENEWAL_DECLINED_CARD)
      const merchant = await findMerchantById(app.deps.store.db, ctx.merchantId)
      if (!merchant) throw new Error('merchant vanished')
      await advanceClockOffset(app.deps.store.db, ctx.merchantId, (await readClockOffset(app.deps.store.db, ctx.merchantId)) + DAY_MS)
      const now = merchantNow(Date.now(), (await findMerchantById(app.deps.store.db, ctx.merchantId)) ?? merchant)
      await runBillingPass(deps, merchant, { now })
      await deliverDueWebhooks(deps, { merchantId: ctx.merchantId, now })

      const charges = lines.filter((line) => line.msg === 'charge recorded')
      expect(charges.map((line) => [line.level, line.kind, line.outcome])).toEqual([
        [30, 'customer', 'approved'],
        [30, 'renewal', 'declined'],
      ])
      expect(charges[1]).toMatchObject({ merchantId: ctx.merchantId, errorCode: 'MF002' })
      expect(typeof charges[1]?.attemptId).toBe('number')
      const deliveries = lines.filter((line) => typeof line.msg === 'string' && line.msg.startsWith('webhook delivery failed'))
      expect(deliveries.length).toBeGreaterThan(0)
      for (const line of deliveries) {
        expect(line).toMatchObject({ level: 40, merchantId: ctx.merchantId, outcome: 'retrying', httpStatus: null })
        expect(String(line.event)).toMatch(/^WH-\d+$/)
      }
      const text = JSON.stringify(lines)
      expect(text).not.toContain(RENEWAL_DECLINED_CARD)
      expect(text).not.toContain(merchant.webhookSecret)
      expect(text).not.toContain(ctx.apiKey)
      expect(text).not.toContain(DEAD_WEBHOOK_URL)
    })

    it('DAWRI_METRICS_TOKEN: /metrics needs it as a Bearer token', async () => {
      const token = 'metrics-token-0123456789'
      const guarded = await listen({ ...app.deps, config: Object.freeze({ ...app.deps.config, metricsToken: token }) }, { operationsOnly: true })
      try {
        for (const authorization of [undefined, 'Bearer wrong-token-0123456789', token, `Bearer ${token}x`]) {
          const response = await fetch(`${guarded.baseUrl}/metrics`, { headers: authorization === undefined ? {} : { authorization } })
          expect(response.status, String(authorization)).toBe(401)
          expect(response.headers.get('www-authenticate')).toBe('Bearer')
        }
        const samples: Sample[] = await scrape(guarded.baseUrl, { authorization: `Bearer ${token}` })
        expect(samples.some((s) => s.name === 'dawri_charges_total')).toBe(true)
        // /health and /ready stay open to probes.
        expect((await fetch(`${guarded.baseUrl}/ready`)).status).toBe(200)
      } finally {
        await guarded.app.close()
      }
    })
  })
}
