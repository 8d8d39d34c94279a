// Billing benchmark: N due Active recurrences charged and recorded by the real billing engine
// (dist/, in this process, as one worker), on SQLite and PostgreSQL, with the test processor at
// 0 ms and 200 ms latency. Reports charges/s, total time, peak RSS during billing, the ratio to
// plain inserts of the same rows measured in the same run, and GetRecurringPayment latency at N.
// See bench/README.md "## Billing".
//
//   npm run build && node bench/billing/run.mjs [--n 100000] [--million] [--dialects sqlite,postgres]
//        [--latencies 0,200] [--also-million] [--concurrency 1024] [--batch 256] [--postgres-url URL] [--write]
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

import { sql } from 'kysely'
import pg from 'pg'
import pino from 'pino'

import { loadConfig } from '../../dist/config.js'
import { makePublicIdKeys } from '../../dist/domain/public-ids.js'
import { createCardVault } from '../../dist/processor/card-vault.js'
import { TestProcessor } from '../../dist/processor/test-processor.js'
import { createStore } from '../../dist/store/create-database.js'
import { ensureSetting, migrateToLatest } from '../../dist/store/migrate.js'
import { createMerchant } from '../../dist/services/create-merchant.js'
import { insertCardToken } from '../../dist/store/card-token.repository.js'
import { insertInvoices } from '../../dist/store/invoice.repository.js'
import { countApprovedCharges } from '../../dist/store/processor-ledger.repository.js'
import { runBillingPass } from '../../dist/billing/run-billing-pass.js'
import { streamRecurringPayments } from '../../dist/services/get-recurring-payment.js'
import { writeSection } from './report.mjs'

const { values: flags } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    million: { type: 'boolean', default: false },
    'also-million': { type: 'boolean', default: false },
    dialects: { type: 'string', default: 'sqlite,postgres' },
    latencies: { type: 'string', default: '0,200' },
    concurrency: { type: 'string', default: '1024' },
    batch: { type: 'string', default: '256' },
    'postgres-url': { type: 'string', default: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    write: { type: 'boolean', default: false },
  },
  strict: true,
})
const N = flags.million ? 1_000_000 : Number(flags.n)
const DIALECTS = flags.dialects.split(',').filter(Boolean)
const LATENCIES = flags.latencies.split(',').filter(Boolean).map(Number)
const CONCURRENCY = Number(flags.concurrency)
const BATCH = Number(flags.batch)
const DAY_MS = 86_400_000
const log = (message) => process.stderr.write(`${message}\n`)

/** A fresh database of the dialect, migrated, and how to drop it. */
async function openDatabase(dialect) {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(os.tmpdir(), 'dawri-bench-billing-'))
    const store = createStore({ url: `sqlite:${join(dir, 'bench.sqlite')}` })
    await migrateToLatest(store)
    return { store, drop: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) }
  }
  const name = `dawri_bench_billing_${Date.now()}`
  const admin = new pg.Client({ connectionString: flags['postgres-url'] })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(flags['postgres-url'])
  url.pathname = `/${name}`
  const store = createStore({ url: url.toString(), poolSize: 10 })
  await migrateToLatest(store)
  return {
    store,
    drop: async () => {
      await store.close()
      const cleaner = new pg.Client({ connectionString: flags['postgres-url'] })
      await cleaner.connect()
      await cleaner.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await cleaner.end()
    },
  }
}

/** Inserts `count` rows made by `make(i)` in chunks; returns elapsed ms. */
async function insertRows(store, table, count, make) {
  const started = performance.now()
  const chunk = 500
  for (let start = 0; start < count; start += chunk) {
    const rows = []
    for (let i = start; i < Math.min(count, start + chunk); i++) rows.push(make(i))
    await store.db.insertInto(table).values(rows).execute()
  }
  return performance.now() - started
}

async function runOne(dialect, latencyMs, N) {
  const { store, drop } = await openDatabase(dialect)
  try {
    const config = loadConfig({}, { DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent' })
    const idKey = await ensureSetting(store, 'public_id_key', () => 'bench')
    const vault = createCardVault(Buffer.alloc(32, 9))
    const deps = {
      config,
      store,
      ids: makePublicIdKeys(idKey),
      clock: { now: () => Date.now() },
      logger: pino({ level: 'silent' }),
      processor: new TestProcessor({ db: store.db, latencyMs, parallelWrites: store.adapter.parallelWrites }),
      vault,
    }
    const now = Date.now()
    const { merchant } = await createMerchant(store, { name: 'Bench', country: 'KWT', recurringEnabled: true, now })
    const card = await insertCardToken(store.db, vault, {
      merchantId: merchant.id, purpose: 'recurring', customerIdentifier: null, number: '5123450000000008',
      expiryMonth: '01', expiryYear: '39', holderName: 'Bench', now,
    })
    const [invoice] = await insertInvoices(store.db, [{
      merchant_id: merchant.id, invoice_key: `bench-${now}`, status: 'Paid', value_minor: 10_000, currency: 'KWD',
      display_currency: 'KWD', payment_method_id: 2, session_id: null, customer_name: 'Bench Customer',
      customer_mobile: null, mobile_country_code: null, customer_email: null, customer_reference: null,
      customer_civil_id: null, user_defined_field: null, language: 'en', callback_url: null, error_url: null,
      webhook_url: null, customer_address: null, items: '[]', shipping_method: null, shipping_consignee: null,
      suppliers: '[]', processing_details: null, recurrence_id: null, recurrence_cycle: 0, expires_at: now,
      created_at: now, paid_at: now,
    }])
    const anchor = new Date(now - DAY_MS + 3 * 3_600_000).toISOString().slice(0, 10)
    const recurrence = (i) => ({
      merchant_id: merchant.id, initial_invoice_id: invoice.id, status: 'Active', recurring_type: 'Daily',
      interval_days: null, iteration: 1, retry_count: 0, amount_minor: 10_000, currency: 'KWD', anchor_date: anchor,
      card_token_id: card.id, executed_times: 0, next_cycle: 1, failed_attempts: 0,
      // Spread over the last hour so claims order by a real range; all due.
      next_attempt_at: now - 3_600_000 + (i % 3_600_000), last_pay_at: null, lease_until: null,
      created_at: now, updated_at: now,
    })

    // Baseline, same run: plain inserts of N recurrence rows (into a scratch merchant, then deleted).
    const baselineMs = await insertRows(store, 'recurrences', N, (i) => ({ ...recurrence(i), merchant_id: merchant.id + 1000 }))
    await store.db.deleteFrom('recurrences').where('merchant_id', '=', merchant.id + 1000).execute()
    await insertRows(store, 'recurrences', N, recurrence)
    // PostgreSQL: fresh statistics, as autovacuum gathers on a live database. SQLite: none, as
    // dawri never gathers any there; statistics taken now (one invoice, one card) would go
    // stale within seconds and turn invoice look-ups by id into table scans.
    if (dialect === 'postgres') await sql`analyze`.execute(store.db)
    log(`${dialect} ${latencyMs} ms: seeded ${N} due recurrences (plain inserts: ${(baselineMs / 1000).toFixed(1)} s)`)

    const rssBefore = process.memoryUsage().rss
    let peakRss = rssBefore
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100)
    const started = performance.now()
    let charges = 0
    let errors = 0
    for (;;) {
      const counts = await runBillingPass(deps, merchant, { now: Date.now(), concurrency: CONCURRENCY, batchSize: BATCH })
      charges += counts.charges
      errors += counts.errors + counts.unresolved
      if (counts.charges === 0) break
    }
    const billingMs = performance.now() - started
    clearInterval(sampler)
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
    const approved = await countApprovedCharges(store.db)
    if (charges !== N || approved !== N || errors > 0) {
      throw new Error(`expected ${N} charges, recorded ${charges}, ledger ${approved}, errors ${errors}`)
    }

    // Autovacuum's work after billing updated every row: without the visibility map, paging
    // cannot use index-only scans.
    if (dialect === 'postgres') await sql`vacuum analyze`.execute(store.db)
    // Median of 5 reads of one 100-row page at the start, middle and end of the list.
    const pageMs = []
    for (const pageNumber of [1, Math.max(1, Math.floor(N / 200)), Math.max(1, Math.floor(N / 100))]) {
      const samples = []
      for (let i = 0; i < 5; i++) {
        const t = performance.now()
        for await (const chunk of streamRecurringPayments(deps, merchant, { pageSize: 100, pageNumber })) JSON.stringify(chunk)
        samples.push(performance.now() - t)
      }
      pageMs.push(samples.sort((a, b) => a - b)[2])
    }
    const streamStarted = performance.now()
    let bytes = 0
    for await (const chunk of streamRecurringPayments(deps, merchant, {})) bytes += JSON.stringify(chunk).length
    const streamMs = performance.now() - streamStarted

    const result = {
      dialect, latencyMs, n: N, billingMs, chargesPerSecond: (N / billingMs) * 1000, baselineMs,
      ratio: billingMs / baselineMs, peakRssMb: peakRss / 2 ** 20, rssBeforeMb: rssBefore / 2 ** 20,
      firstPageMs: pageMs[0], middlePageMs: pageMs[1], lastPageMs: pageMs[2], streamMs, streamMb: bytes / 2 ** 20,
    }
    log(JSON.stringify(result))
    return result
  } finally {
    await drop()
  }
}

const results = []
for (const dialect of DIALECTS) for (const latency of LATENCIES) results.push(await runOne(dialect, latency, N))
// --also-million: then 1M rows at zero latency on each database (the 10-minute bar).
if (flags['also-million'] && N !== 1_000_000) for (const dialect of DIALECTS) results.push(await runOne(dialect, 0, 1_000_000))
const stubbed = globalThis.__dawriOutboxStubbed === true
const command = `node ${stubbed ? '--import ./bench/billing/stub-outbox.mjs ' : ''}bench/billing/run.mjs ${process.argv.slice(2).join(' ')}`.trim()
const table = writeSection(results, {
  command,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? '',
  load: os.loadavg()[0] ?? 0,
  // A stubbed outbox is a diagnostic, never the published figures.
  write: flags.write && !stubbed,
})
process.stdout.write(`${table}\n`)
