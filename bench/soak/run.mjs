// Soak: one `dawri serve` (role all) on a fresh PostgreSQL database under a steady mix of API
// traffic — ExecutePayment, DirectPayment (Bypass3DS; a tenth of the invoices carry a daily
// RecurringModel of --iterations charges, so that the recurrences alive, and the billing work of
// each day, level off: a steady load, as a soak needs; 0 = until cancelled, a load that grows
// for as long as the run lasts), GetPaymentStatus, GetRecurringPayment — at a fixed rate (open loop: requests
// leave on schedule whatever the answers' pace), plus billing: every --billing-every seconds the
// sandbox clock moves a day, charging every active recurrence. Samples the server's RSS and heap
// every --sample seconds (a preloaded probe, bench/soak/memory-probe.mjs) and latency per minute.
// Pass: zero errors (any answer other than 200, or none), memory flat (slopes of heap and RSS after
// warm-up, in MB/hour, taken over each 3-minute window's lowest sample, under --max-slope), p99
// stable (no minute's p99 above 3× the median minute's p99; API requests only, AdvanceClock's time
// is reported apart). See
// docs/reliability.md, "Soak". When the PostgreSQL server runs with autovacuum off, the harness
// does autovacuum's work on the soak database (--vacuum-every, below).
//
//   npm run build && node bench/soak/run.mjs [--minutes 30] [--rate 50] [--sample 10] [--billing-every 60]
//        [--iterations 10] [--vacuum-every 60] [--postgres-url URL] [--out bench/soak/results/latest.json]
import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createServer as createNetServer } from 'node:net'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as delay } from 'node:timers/promises'
import { promisify } from 'node:util'
import { parseArgs } from 'node:util'

import pg from 'pg'

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '50' },
    sample: { type: 'string', default: '10' },
    'billing-every': { type: 'string', default: '60' },
    iterations: { type: 'string', default: '10' },
    'warm-up': { type: 'string', default: '2' },
    'vacuum-every': { type: 'string', default: '60' },
    'max-slope': { type: 'string', default: '20' },
    'postgres-url': { type: 'string', default: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    main: { type: 'string', default: process.env.DAWRI_SOAK_MAIN ?? 'dist/cli/main.js' },
    out: { type: 'string', default: 'bench/soak/results/latest.json' },
  },
  strict: true,
})
const MINUTES = Number(flags.minutes)
const RATE = Number(flags.rate)
const ITERATIONS = Number(flags.iterations)
if (!Number.isInteger(ITERATIONS) || ITERATIONS < 0) {
  process.stderr.write(`--iterations ${flags.iterations}: a whole number ≥ 0 (0 = until cancelled)\n`)
  process.exit(2)
}
const SAMPLE_MS = Number(flags.sample) * 1000
const BILLING_MS = Number(flags['billing-every']) * 1000
const WARM_UP_MS = Number(flags['warm-up']) * 60_000
const VACUUM_MS = Number(flags['vacuum-every']) * 1000
const log = (line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`)

// ---------------------------------------------------------------------------------------------
// Setup: database, webhook receiver, merchant, server
// ---------------------------------------------------------------------------------------------

const dbName = `dawri_soak_${Date.now()}_${randomBytes(3).toString('hex')}`
const admin = new pg.Client({ connectionString: flags['postgres-url'] })
await admin.connect()
await admin.query(`CREATE DATABASE ${dbName}`)
await admin.end()
const dbUrl = new URL(flags['postgres-url'])
dbUrl.pathname = `/${dbName}`
const databaseUrl = dbUrl.toString()

// A PostgreSQL server with autovacuum off (CI images often set it) never gathers statistics nor
// removes dead rows, so within minutes the planner picks plans for empty tables: on 2026-11-27
// the webhook claim query (outbox candidates) took 1.7 s instead of 0.8 ms after ten minutes, and
// AdvanceClock timed out. No production database runs that way; in its place the harness does
// autovacuum's work on the soak database with autovacuum's default thresholds, every
// --vacuum-every seconds (autovacuum_naptime's default 60; 0: never).
const vacuum = { autovacuum: null, runs: 0, vacuums: 0, analyzes: 0, totalMs: 0, maxMs: 0 }
{
  const probe = new pg.Client({ connectionString: databaseUrl })
  await probe.connect()
  vacuum.autovacuum = (await probe.query('SHOW autovacuum')).rows[0].autovacuum
  await probe.end()
}
async function autovacuumPass() {
  const t0 = performance.now()
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const { rows } = await client.query(
      `SELECT relname, n_live_tup, n_dead_tup, n_mod_since_analyze, n_ins_since_vacuum FROM pg_stat_user_tables`,
    )
    for (const t of rows) {
      const live = Number(t.n_live_tup)
      const needsVacuum = Number(t.n_dead_tup) > 50 + 0.2 * live || Number(t.n_ins_since_vacuum) > 1000 + 0.2 * live
      const needsAnalyze = Number(t.n_mod_since_analyze) > 50 + 0.1 * live
      if (needsVacuum) {
        await client.query(`VACUUM (ANALYZE ${needsAnalyze ? 'true' : 'false'}) "${t.relname}"`)
        vacuum.vacuums++
      } else if (needsAnalyze) {
        await client.query(`ANALYZE "${t.relname}"`)
      }
      if (needsAnalyze) vacuum.analyzes++
    }
  } finally {
    await client.end()
  }
  const ms = performance.now() - t0
  vacuum.runs++
  vacuum.totalMs += ms
  vacuum.maxMs = Math.max(vacuum.maxMs, ms)
}

let webhooksReceived = 0
const receiver = createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    webhooksReceived++
    res.end('ok')
  })
})
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve))
const receiverUrl = `http://127.0.0.1:${receiver.address().port}/hook`

const freePort = async () => {
  const server = createNetServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}
const port = await freePort()
const base = `http://127.0.0.1:${port}`
const dataDir = mkdtempSync(join(os.tmpdir(), 'dawri-soak-'))
const env = { ...process.env, DAWRI_DATA_DIR: dataDir, DAWRI_PUBLIC_URL: base, LOG_LEVEL: 'error', DAWRI_SOAK_SAMPLE_MS: String(SAMPLE_MS) }
const { stdout } = await promisify(execFile)(process.execPath, [flags.main, 'merchant', 'create', '--database', databaseUrl, '--name', 'Soak shop', '--recurring', '--bypass-3ds', '--webhook-url', receiverUrl], { env })
const { ApiKey: apiKey } = JSON.parse(stdout.trim())

const memory = []
const server = spawn(process.execPath, ['--import', new URL('./memory-probe.mjs', import.meta.url).pathname, flags.main, 'serve', '--role', 'all', '--host', '127.0.0.1', '--port', String(port), '--database', databaseUrl], {
  env,
  stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
})
server.on('message', (m) => memory.push(m))
let serverExit
server.once('exit', (code, signal) => (serverExit = `${code ?? signal}`))
await new Promise((resolve, reject) => {
  let printed = ''
  server.stdout.on('data', (chunk) => {
    if (printed.length < 4096) printed += chunk
    if (printed.includes('Base URL')) resolve()
  })
  server.once('exit', () => reject(new Error(`the server exited during start-up (${serverExit})`)))
})
log(`server pid ${server.pid} on ${base}, database ${dbName}; ${MINUTES} min at ${RATE} req/s`)

// ---------------------------------------------------------------------------------------------
// Traffic
// ---------------------------------------------------------------------------------------------

const card = { Number: '5123450000000008', ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100', HolderName: 'Soak Customer' }
const pending = [] // PaymentURLs of invoices waiting for DirectPayment
const paid = [] // InvoiceIds to read back
const errors = []
const errorCounts = {}
const minutes = [] // per minute: { latencies: {op: number[]}, started, load }
const startedAt = Date.now()
const minuteOf = (t) => Math.floor((t - startedAt) / 60_000)

async function call(op, method, path, body) {
  const minute = minuteOf(Date.now())
  const t0 = performance.now()
  let status = 0
  let data
  try {
    const response = await fetch(new URL(path, base), {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    })
    status = response.status
    data = await response.json().catch(() => undefined)
  } catch (error) {
    data = String(error)
  }
  const ms = performance.now() - t0
  const bucket = (minutes[minute] ??= { latencies: {}, load: os.loadavg()[0] })
  ;(bucket.latencies[op] ??= []).push(ms)
  if (status !== 200) {
    errorCounts[op] = (errorCounts[op] ?? 0) + 1
    if (errors.length < 20) errors.push(`${op} → ${status} ${JSON.stringify(data).slice(0, 300)}`)
  }
  return status === 200 ? data?.Data : undefined
}

const mix = [
  [25, async () => {
    const recurring = Math.random() < 0.1
    const data = await call('ExecutePayment', 'POST', '/v2/ExecutePayment', {
      InvoiceValue: 1 + Math.floor(Math.random() * 50) / 10,
      PaymentMethodId: 9,
      CustomerName: 'Soak Customer',
      CallBackUrl: 'https://merchant.example.test/paid',
      ...(recurring ? { RecurringModel: { RecurringType: 'Daily', Iteration: ITERATIONS, RetryCount: 1 } } : {}),
    })
    if (data?.PaymentURL) pending.push({ url: data.PaymentURL, InvoiceId: data.InvoiceId })
  }],
  [25, async () => {
    const invoice = pending.shift()
    if (!invoice) return
    const data = await call('DirectPayment', 'POST', new URL(invoice.url).pathname, { PaymentType: 'card', Bypass3DS: true, Card: card })
    if (data?.Status === 'SUCCESS') paid.push(invoice.InvoiceId)
    if (paid.length > 5000) paid.splice(0, 1000)
  }],
  [35, async () => {
    if (paid.length === 0) return
    await call('GetPaymentStatus', 'POST', '/v2/GetPaymentStatus', { KeyType: 'InvoiceId', Key: paid[Math.floor(Math.random() * paid.length)] })
  }],
  [15, async () => {
    await call('GetRecurringPayment', 'GET', `/v2/GetRecurringPayment?PageSize=50&PageNumber=1`)
  }],
]
const totalWeight = mix.reduce((s, [w]) => s + w, 0)
const pick = () => {
  let roll = Math.random() * totalWeight
  for (const [w, run] of mix) if ((roll -= w) < 0) return run
  return mix[0][1]
}

const endAt = startedAt + MINUTES * 60_000
const inFlight = new Set()
let sent = 0
let billingRuns = 0
let billingCharges = 0
const billingCalls = [] // per AdvanceClock: minute, ms, charges, webhook attempts made while advancing
let nextBilling = startedAt + BILLING_MS
let nextVacuum = vacuum.autovacuum === 'off' && VACUUM_MS > 0 ? startedAt + VACUUM_MS : Number.POSITIVE_INFINITY
let vacuuming = false
let lastReport = startedAt
// Ctrl-C / SIGTERM ends the traffic early; the figures are still written and the database dropped.
let interrupted = false
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => (interrupted = true))
while (Date.now() < endAt && serverExit === undefined && !interrupted) {
  // Open loop: as many requests as the rate asks for by now, whatever the answers' pace.
  const due = Math.floor(((Date.now() - startedAt) / 1000) * RATE)
  while (sent < due) {
    sent++
    const p = pick()().catch((error) => errors.push(String(error)))
    inFlight.add(p)
    p.finally(() => inFlight.delete(p))
  }
  if (Date.now() >= nextBilling) {
    nextBilling += BILLING_MS
    const calledAt = Date.now()
    const p = call('AdvanceClock', 'POST', '/v2/sandbox/AdvanceClock', { Days: 1 }).then((data) => {
      billingRuns++
      billingCharges += data?.Charges ?? 0
      const call = { minute: minuteOf(calledAt), ms: Date.now() - calledAt, charges: data?.Charges ?? null, webhookAttempts: data?.WebhookAttempts ?? null }
      billingCalls.push(call)
      log(`AdvanceClock at minute ${call.minute}: ${call.ms} ms, ${call.charges} charges, ${call.webhookAttempts} webhook attempts`)
    })
    inFlight.add(p)
    p.finally(() => inFlight.delete(p))
  }
  if (Date.now() >= nextVacuum && !vacuuming) {
    nextVacuum += VACUUM_MS
    vacuuming = true
    autovacuumPass()
      .catch((error) => log(`vacuum pass failed: ${error}`))
      .finally(() => (vacuuming = false))
  }
  if (Date.now() - lastReport >= 60_000) {
    lastReport = Date.now()
    const last = memory.at(-1)
    const before = memory.findLast((m) => m.at <= (last?.at ?? 0) - 55_000)
    const cpu = last && before ? `${Math.round(((last.cpuMs - before.cpuMs) / (last.at - before.at)) * 100)} %` : '?'
    log(`minute ${minuteOf(Date.now())}: ${sent} sent, ${inFlight.size} in flight, errors ${Object.values(errorCounts).reduce((a, b) => a + b, 0)}, rss ${Math.round((last?.rss ?? 0) / 2 ** 20)} MB, heap ${Math.round((last?.heapUsed ?? 0) / 2 ** 20)} MB, server cpu ${cpu}, load ${os.loadavg()[0].toFixed(1)}`)
  }
  await delay(20)
}
await Promise.race([Promise.all(inFlight), delay(30_000)])
const runMs = Date.now() - startedAt

// ---------------------------------------------------------------------------------------------
// Figures
// ---------------------------------------------------------------------------------------------

const quantile = (sorted, q) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))])
const round = (n, digits = 1) => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits)
const perMinute = minutes.map((bucket, minute) => {
  // API latency: AdvanceClock is billing (its time grows with the active recurrences), reported apart.
  const all = Object.entries(bucket?.latencies ?? {}).filter(([op]) => op !== 'AdvanceClock').flatMap(([, l]) => l).sort((a, b) => a - b)
  const byOp = Object.fromEntries(Object.entries(bucket?.latencies ?? {}).map(([op, l]) => {
    const s = [...l].sort((a, b) => a - b)
    return [op, { n: s.length, p50: round(quantile(s, 0.5)), p99: round(quantile(s, 0.99)) }]
  }))
  return { minute, requests: all.length, p50: round(quantile(all, 0.5)), p95: round(quantile(all, 0.95)), p99: round(quantile(all, 0.99)), max: round(all.at(-1) ?? null), load1: round(bucket?.load ?? null), byOp }
}).filter((m) => m.requests > 0)
// The last minute is partial: leave it out of the stability check.
const fullMinutes = perMinute.filter((m) => m.minute < Math.floor(runMs / 60_000))
const p99s = fullMinutes.map((m) => m.p99).sort((a, b) => a - b)
const medianP99 = quantile(p99s, 0.5)
const worstP99 = p99s.at(-1) ?? null

/** Least-squares slope of y (bytes) over t (ms), in MB per hour. */
function slopeMbPerHour(samples, field) {
  const points = samples.filter((s) => s.at - startedAt >= WARM_UP_MS)
  if (points.length < 3) return null
  const n = points.length
  const mt = points.reduce((s, p) => s + p.at, 0) / n
  const my = points.reduce((s, p) => s + p[field], 0) / n
  const num = points.reduce((s, p) => s + (p.at - mt) * (p[field] - my), 0)
  const den = points.reduce((s, p) => s + (p.at - mt) ** 2, 0)
  return round(((num / den) * 3_600_000) / 2 ** 20, 2)
}
const mb = (bytes) => round(bytes / 2 ** 20)
const afterWarmUp = memory.filter((s) => s.at - startedAt >= WARM_UP_MS)
const totalErrors = Object.values(errorCounts).reduce((a, b) => a + b, 0)
const heapSlope = slopeMbPerHour(memory, 'heapUsed')
const rssSlope = slopeMbPerHour(memory, 'rss')
/**
 * The lowest sample of each 3-minute window after warm-up. Heap used climbs between major GCs and
 * falls back after each (a sawtooth of 35 → 140 MB on 2026-11-27, its peaks set by GC timing and
 * the allocation rate of the moment), so the slope of all samples follows the sawtooth's height,
 * not the memory kept. A leak raises the troughs: memory flat is judged on their slope.
 */
function troughs(samples, field) {
  const windows = new Map()
  for (const sample of samples) {
    if (sample.at - startedAt < WARM_UP_MS) continue
    const key = Math.floor((sample.at - startedAt) / 180_000)
    const low = windows.get(key)
    if (low === undefined || sample[field] < low[field]) windows.set(key, sample)
  }
  return [...windows.values()]
}
const heapTroughSlope = slopeMbPerHour(troughs(memory, 'heapUsed'), 'heapUsed')
const rssTroughSlope = slopeMbPerHour(troughs(memory, 'rss'), 'rss')
const maxSlope = Number(flags['max-slope'])
const checks = {
  zeroErrors: totalErrors === 0 && serverExit === undefined,
  memoryFlat: heapTroughSlope !== null && heapTroughSlope <= maxSlope && rssTroughSlope !== null && rssTroughSlope <= maxSlope,
  p99Stable: medianP99 !== null && worstP99 !== null && worstP99 <= 3 * medianP99,
}
const allLatencies = minutes.flatMap((b) => Object.entries(b?.latencies ?? {}).filter(([op]) => op !== 'AdvanceClock').flatMap(([, l]) => l)).sort((a, b) => a - b)
const clockLatencies = minutes.flatMap((b) => b?.latencies?.AdvanceClock ?? []).sort((a, b) => a - b)
const result = {
  command: `node bench/soak/run.mjs --minutes ${MINUTES} --rate ${RATE} --sample ${flags.sample} --billing-every ${flags['billing-every']} --iterations ${ITERATIONS} --vacuum-every ${flags['vacuum-every']}`,
  finishedAt: new Date().toISOString(),
  interrupted,
  dialect: 'postgres',
  minutes: round(runMs / 60_000, 2),
  requestsSent: sent,
  achievedRate: round((allLatencies.length + clockLatencies.length) / (runMs / 1000)),
  errors: totalErrors,
  errorCounts,
  errorSamples: errors,
  serverExit: serverExit ?? null,
  billing: { clockDaysAdvanced: billingRuns, charges: billingCharges, calls: billingCalls },
  vacuum: { ...vacuum, totalMs: round(vacuum.totalMs, 0), maxMs: round(vacuum.maxMs, 0) },
  webhooksReceived,
  advanceClockMs: { p50: round(quantile(clockLatencies, 0.5)), max: round(clockLatencies.at(-1) ?? null) },
  latencyMs: { p50: round(quantile(allLatencies, 0.5)), p95: round(quantile(allLatencies, 0.95)), p99: round(quantile(allLatencies, 0.99)), max: round(allLatencies.at(-1) ?? null) },
  p99PerMinute: { median: medianP99, worst: worstP99, best: p99s[0] ?? null },
  memory: {
    samples: memory.length,
    everySeconds: SAMPLE_MS / 1000,
    warmUpMinutes: WARM_UP_MS / 60_000,
    heapUsedMb: { first: mb(afterWarmUp[0]?.heapUsed ?? 0), last: mb(afterWarmUp.at(-1)?.heapUsed ?? 0), max: mb(Math.max(...memory.map((s) => s.heapUsed))) },
    rssMb: { first: mb(afterWarmUp[0]?.rss ?? 0), last: mb(afterWarmUp.at(-1)?.rss ?? 0), max: mb(Math.max(...memory.map((s) => s.rss))) },
    heapSlopeMbPerHour: heapSlope,
    rssSlopeMbPerHour: rssSlope,
    // Judged: slopes of the 3-minute minima (see troughs()).
    heapTroughSlopeMbPerHour: heapTroughSlope,
    rssTroughSlopeMbPerHour: rssTroughSlope,
  },
  loadAverage: { start: round(minutes.find(Boolean)?.load ?? null), end: round(os.loadavg()[0]), cpus: os.cpus().length },
  checks,
  passed: !interrupted && Object.values(checks).every(Boolean),
  perMinute,
  memorySamples: memory.map((s) => ({ t: round((s.at - startedAt) / 1000, 0), rssMb: mb(s.rss), heapMb: mb(s.heapUsed), heapTotalMb: mb(s.heapTotal), externalMb: mb(s.external), arrayBuffersMb: mb(s.arrayBuffers), cpuS: round(s.cpuMs / 1000) })),
}

server.kill('SIGTERM')
await Promise.race([new Promise((resolve) => server.once('exit', resolve)), delay(10_000)])
if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL')
receiver.close()
const cleaner = new pg.Client({ connectionString: flags['postgres-url'] })
await cleaner.connect()
await cleaner.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
await cleaner.end()
rmSync(dataDir, { recursive: true, force: true })

mkdirSync(dirname(flags.out), { recursive: true })
writeFileSync(flags.out, `${JSON.stringify(result, null, 2)}\n`)
const { perMinute: _pm, memorySamples: _ms, ...headline } = result
process.stdout.write(`${JSON.stringify(headline, null, 2)}\n${result.passed ? 'PASS' : 'FAIL'} — full figures in ${flags.out}\n`)
process.exit(result.passed ? 0 : 1)
