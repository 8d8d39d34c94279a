// Console benchmark: fills PostgreSQL with 1,000,000 recurrences (and their first invoices) of
// one merchant, starts the built server (role api) and times the console's recurrence list over
// HTTP — first page, a deep keyset page, status filters, searches, the operator's views — one
// request at a time. See bench/README.md "## Console". Bar: p99 < 100 ms.
//
//   npm run build && node bench/console/run.mjs [--rows 1000000] [--samples 200] [--postgres-url URL]
//                                               [--keep] [--reuse DATABASE]
// --keep leaves the filled database; --reuse times again on one left by --keep (no fill).
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

import pg from 'pg'

const ROOT = new URL('../..', import.meta.url).pathname
const MAIN = join(ROOT, 'dist/cli/main.js')
const API_KEY = 'bench_console_key_0123456789abcdef'
const ADMIN_TOKEN = 'bench-console-admin-token-0123456789'
const BAR_MS = 100

const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    samples: { type: 'string', default: '200' },
    'postgres-url': { type: 'string', default: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
  },
  strict: true,
})
const ROWS = Number(flags.rows)
const SAMPLES = Number(flags.samples)
if (!existsSync(MAIN)) fail(`${MAIN} is missing: run \`npm run build\` first.`)
if (!(ROWS >= 1000) || !(SAMPLES >= 10)) fail('--rows must be ≥ 1000 and --samples ≥ 10')

const { toRecurringId, makePublicIdKeys } = await import(join(ROOT, 'dist/domain/public-ids.js'))

const databaseName = flags.reuse ?? `dawri_bench_console_${process.pid}`
if (!/^[a-z0-9_]+$/.test(databaseName)) fail('--reuse takes a database name such as dawri_bench_console_1234')
const adminUrl = flags['postgres-url']
const databaseUrl = withDatabase(adminUrl, databaseName)
let server
let dropped = false

async function dropDatabase() {
  if (dropped || flags.keep) return
  dropped = true
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`)
  await admin.end()
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    server?.kill('SIGKILL')
    await dropDatabase().catch(() => undefined)
    process.exit(130)
  })
}

try {
  await run()
} catch (error) {
  process.stderr.write(`[bench] failed: ${error?.stack ?? error}\n`)
  process.exitCode = 1
} finally {
  server?.kill('SIGTERM')
  await dropDatabase()
}

async function run() {
  if (!flags.reuse) {
    const admin = new pg.Client({ connectionString: adminUrl })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${databaseName}`)
    await admin.end()
  }

  // The server migrates the empty database and creates the demo merchant with our key.
  const port = await freePort()
  server = spawn(process.execPath, [MAIN, 'serve', '--role', 'api', '--port', String(port), '--database', databaseUrl], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', DAWRI_DEMO_API_KEY: API_KEY, DAWRI_ADMIN_TOKEN: ADMIN_TOKEN, DAWRI_DATA_DIR: mkdtempSync(join(os.tmpdir(), 'dawri-bench-console-')) },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const base = `http://127.0.0.1:${port}`
  await waitFor(async () => (await fetch(`${base}/health`).catch(() => undefined))?.ok === true, 30_000)

  const db = new pg.Client({ connectionString: databaseUrl })
  // The database is dropped with FORCE at the end, even under a failure: ignore that disconnect.
  db.on('error', () => undefined)
  await db.connect()
  const merchantId = Number((await db.query('SELECT merchant_id FROM api_keys LIMIT 1')).rows[0].merchant_id)
  const ids = makePublicIdKeys((await db.query("SELECT value FROM settings WHERE name = 'public_id_key'")).rows[0].value)

  const fillStart = Date.now()
  const now = Date.now()
  if (!flags.reuse) await fill(db, merchantId, now)
  const range = (await db.query('SELECT min(id) AS low, max(id) AS high FROM recurrences')).rows[0]
  const low = Number(range.low)
  const high = Number(range.high)
  const fillSeconds = (Date.now() - fillStart) / 1000
  process.stderr.write(`[bench] ${high - low + 1} recurrences and their invoices ${flags.reuse ? 'found' : 'written'} in ${fillSeconds.toFixed(1)} s\n`)
  await measure(base, db, ids, low, high, fillSeconds)
}

/** One first invoice per recurrence, then the recurrences; statuses spread like a live book. */
async function fill(db, merchantId, now) {
  // 90 % Active, 5 % Uncompleted, 3 % Canceled, 2 % Completed.
  await db.query(
    `INSERT INTO invoices (merchant_id, invoice_key, status, value_minor, currency, display_currency, customer_name, customer_reference, language, items, suppliers, expires_at, created_at, paid_at)
     SELECT $1, 'bench-' || g, 'Paid', 10000, 'KWD', 'KWD', 'Customer ' || g, 'cust-' || g, 'EN', '[]', '[]', $2::bigint, $3::bigint + g, $3::bigint + g
     FROM generate_series(1, $4) AS g`,
    [merchantId, now + 86_400_000, now - ROWS - 1_000_000, ROWS],
  )
  await db.query(
    `INSERT INTO recurrences (merchant_id, initial_invoice_id, status, recurring_type, interval_days, iteration, retry_count, amount_minor, currency, anchor_date, executed_times, next_cycle, failed_attempts, next_attempt_at, created_at, updated_at)
     SELECT i.merchant_id, i.id,
            CASE WHEN i.id % 100 < 5 THEN 'Uncompleted' WHEN i.id % 100 < 8 THEN 'Canceled' WHEN i.id % 100 < 10 THEN 'Completed' ELSE 'Active' END,
            'Monthly', NULL, 0, 3, 10000, 'KWD', '2026-01-15', 1, 2, 0,
            CASE WHEN i.id % 100 >= 10 THEN $2::bigint + (i.id % 30) * 86400000::bigint ELSE NULL END, i.created_at, i.created_at
     FROM invoices i WHERE i.merchant_id = $1 AND i.invoice_key LIKE 'bench-%' ORDER BY i.id`,
    [merchantId, now + 86_400_000],
  )
  await db.query('UPDATE invoices i SET recurrence_id = r.id, recurrence_cycle = 0 FROM recurrences r WHERE r.initial_invoice_id = i.id')
  await db.query('VACUUM ANALYZE invoices')
  await db.query('VACUUM ANALYZE recurrences')
}

async function measure(base, db, ids, low, high, fillSeconds) {
  const merchant = await signIn(base, { apiKey: API_KEY })
  const operator = await signIn(base, { adminToken: ADMIN_TOKEN })
  const randomId = () => low + Math.floor(Math.random() * (high - low + 1))
  const deepId = () => low + 50 + Math.floor(Math.random() * 1000) // among the oldest: ~a million rows newer above it
  const scenarios = [
    // Floors under the machine's present load: no database (/health), and a console page without one (sign-in).
    ['floor: GET /health', '', () => '/health'],
    ['floor: GET /console/sign-in', '', () => '/console/sign-in'],
    ['first page (newest 50)', merchant, () => '/console/recurrences'],
    ['deep keyset page (the oldest rows)', merchant, () => `/console/recurrences?before=${toRecurringId(deepId(), ids)}`],
    ['keyset page at a random depth', merchant, () => `/console/recurrences?before=${toRecurringId(randomId(), ids)}`],
    ['status=Uncompleted, first page', merchant, () => '/console/recurrences?status=Uncompleted'],
    ['status=Completed, deep page', merchant, () => `/console/recurrences?status=Completed&before=${toRecurringId(deepId() + 5000, ids)}`],
    ['search by RecurringId', merchant, () => `/console/recurrences?q=${toRecurringId(randomId(), ids)}`],
    ['search by CustomerReference', merchant, () => `/console/recurrences?q=cust-${randomId() - low + 1}`],
    ['operator: every merchant, first page', operator, () => '/console/recurrences'],
    ['operator: status=Uncompleted, random depth', operator, () => `/console/recurrences?status=Uncompleted&before=${toRecurringId(randomId(), ids)}`],
    ['operator: search by CustomerReference', operator, () => `/console/recurrences?q=cust-${randomId() - low + 1}`],
  ]
  const results = []
  for (const [name, cookie, path] of scenarios) {
    for (let i = 0; i < 10; i += 1) await timed(base, cookie, path())
    const times = []
    let rows = 0
    for (let i = 0; i < SAMPLES; i += 1) {
      const { ms, html } = await timed(base, cookie, path())
      times.push(ms)
      rows = Math.max(rows, (html.match(/<tr><td><a href="\/console\/recurrences\/RECUR/g) ?? []).length)
    }
    times.sort((a, b) => a - b)
    const pct = (p) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)]
    results.push({ name, p50: pct(50), p99: pct(99), max: times[times.length - 1], rows })
  }
  await db.end()

  const lines = [
    `${(high - low + 1).toLocaleString('en-US')} recurrences on PostgreSQL, ${SAMPLES} sequential requests per row after 10 warm-up, HTTP on loopback (page rendered, session checked):`,
    '',
    `Load average at the end: ${os.loadavg().map((load) => load.toFixed(1)).join(', ')} on ${os.cpus().length} cores.`,
    '',
    '| Recurrence list | rows on page | p50 ms | p99 ms | max ms | < 100 ms |',
    '|---|---:|---:|---:|---:|---|',
    ...results.map((r) => `| ${r.name} | ${r.name.startsWith('floor') ? '' : r.rows} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${r.name.startsWith('floor') ? '' : r.p99 < BAR_MS ? 'met' : '**not met**'} |`),
    '',
    flags.reuse ? 'Database filled by an earlier run (--reuse).' : `Fill: ${fillSeconds.toFixed(0)} s (generate_series, indexes maintained).`,
  ]
  process.stdout.write(lines.join('\n') + '\n')
}

async function timed(base, cookie, path) {
  const start = process.hrtime.bigint()
  const response = await fetch(base + path, { headers: cookie ? { cookie } : {}, redirect: 'manual' })
  const html = await response.text()
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}`)
  return { ms, html }
}

async function signIn(base, fields) {
  const page = await (await fetch(`${base}/console/sign-in`)).text()
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1]
  const response = await fetch(`${base}/console/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, ...fields }).toString(),
  })
  const cookie = /dawri_console=[^;]+/.exec(response.headers.get('set-cookie') ?? '')?.[0]
  if (response.status !== 303 || !cookie) throw new Error(`sign-in failed: ${response.status}`)
  return cookie
}

function withDatabase(url, name) {
  const parsed = new URL(url)
  parsed.pathname = `/${name}`
  return parsed.toString()
}

async function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolvePort(port))
    })
  })
}

async function waitFor(probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('the server did not start')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function fail(message) {
  process.stderr.write(`${message}\n`)
  process.exit(2)
}
