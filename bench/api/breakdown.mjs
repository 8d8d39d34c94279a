// Where one ExecutePayment's CPU goes, in-process and without HTTP: times the steps of the
// request against the compiled services (dist/) on a fresh SQLite file, and splits the SQLite
// part into statement preparation (better-sqlite3 `prepare`, which Kysely's SqliteDriver calls
// for every query) and execution. Then repeats with a statement cache to show what it would save.
//   npm run build && node bench/api/breakdown.mjs [--iterations 3000] [--postgres-url URL]
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'

import Database from 'better-sqlite3'
import pg from 'pg'

import { loadConfig } from '../../dist/config.js'
import { parseExecutePaymentRequest } from '../../dist/domain/execute-payment-request.js'
import { merchantNow } from '../../dist/domain/merchant.js'
import { openRuntime } from '../../dist/runtime.js'
import { ensureDemoMerchant } from '../../dist/services/create-merchant.js'
import { executePayment } from '../../dist/services/execute-payment.js'
import { findMerchantByApiKey } from '../../dist/store/merchant.repository.js'
import { API_KEY, PLAIN_BODY, RECURRING_BODY } from './bodies.mjs'

const { values: flags } = parseArgs({
  options: {
    iterations: { type: 'string', default: '3000' },
    'postgres-url': { type: 'string' },
  },
})
const N = Number(flags.iterations)

// --- better-sqlite3 instrumentation ---------------------------------------------------------
const sqlite = { prepareMs: 0, prepares: 0, runMs: 0, runs: 0, cache: null, sql: new Map() }
const originalPrepare = Database.prototype.prepare
Database.prototype.prepare = function prepare(source) {
  const cached = sqlite.cache?.get(source)
  if (cached) return cached
  const t = performance.now()
  const statement = originalPrepare.call(this, source)
  sqlite.prepareMs += performance.now() - t
  sqlite.prepares++
  sqlite.sql.set(source, (sqlite.sql.get(source) ?? 0) + 1)
  sqlite.cache?.set(source, statement)
  return statement
}
let statementPatched = false
function patchStatement(db) {
  if (statementPatched) return
  statementPatched = true
  const proto = Object.getPrototypeOf(originalPrepare.call(db, 'SELECT 1'))
  for (const method of ['run', 'all', 'get']) {
    const original = proto[method]
    proto[method] = function (...args) {
      const t = performance.now()
      try {
        return original.apply(this, args)
      } finally {
        sqlite.runMs += performance.now() - t
        sqlite.runs++
      }
    }
  }
}

// --- harness --------------------------------------------------------------------------------
async function time(label, fn, iterations = N) {
  for (let i = 0; i < Math.min(500, iterations); i++) await fn(i) // warm the JIT
  const before = { ...sqlite }
  const t = performance.now()
  for (let i = 0; i < iterations; i++) await fn(i)
  const perOp = ((performance.now() - t) * 1000) / iterations
  const prepareUs = ((sqlite.prepareMs - before.prepareMs) * 1000) / iterations
  const runUs = ((sqlite.runMs - before.runMs) * 1000) / iterations
  const statements = (sqlite.runs - before.runs) / iterations
  const row = { label, perOp, prepareUs, runUs, statements }
  rows.push(row)
  process.stderr.write(`${label.padEnd(58)} ${perOp.toFixed(1).padStart(8)} µs/op\n`)
  return row
}
const rows = []

async function runDialect(databaseUrl, dialect) {
  const dir = mkdtempSync(join(os.tmpdir(), 'dawri-breakdown-'))
  const config = loadConfig({ database: databaseUrl }, { DAWRI_DATA_DIR: dir, LOG_LEVEL: 'silent', DAWRI_DEMO_API_KEY: API_KEY })
  const deps = await openRuntime(config)
  try {
    await ensureDemoMerchant(deps.store, API_KEY, Date.now())
    const merchant = await findMerchantByApiKey(deps.store.db, API_KEY)
    if (dialect === 'sqlite') patchStatement(new Database(':memory:'))
    const ctx = () => ({
      baseCurrency: merchant.currency,
      timeZone: merchant.timeZone,
      now: merchantNow(Date.now(), merchant),
      production: false,
      recurringEnabled: merchant.recurringEnabled,
      bypass3dsEnabled: merchant.bypass3dsEnabled,
    })
    const bodyText = JSON.stringify(RECURRING_BODY)
    await time(`${dialect}: JSON.parse of the body`, () => JSON.parse(bodyText), N * 10)
    await time(`${dialect}: parseExecutePaymentRequest (validation)`, () => parseExecutePaymentRequest(JSON.parse(bodyText), ctx()), N * 3)
    await time(`${dialect}: findMerchantByApiKey (auth, every request)`, () => findMerchantByApiKey(deps.store.db, API_KEY))
    await time(`${dialect}: executePayment, no RecurringModel`, () => executePayment(deps, merchant, PLAIN_BODY))
    await time(`${dialect}: executePayment, with RecurringModel`, () => executePayment(deps, merchant, RECURRING_BODY))
    if (dialect === 'sqlite') {
      sqlite.cache = new Map()
      await time(`${dialect}: auth, with a prepared-statement cache`, () => findMerchantByApiKey(deps.store.db, API_KEY))
      await time(`${dialect}: executePayment plain, with a statement cache`, () => executePayment(deps, merchant, PLAIN_BODY))
      await time(`${dialect}: executePayment recurring, with a statement cache`, () => executePayment(deps, merchant, RECURRING_BODY))
      sqlite.cache = null
    }
  } finally {
    await deps.store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

await runDialect(`sqlite:${join(mkdtempSync(join(os.tmpdir(), 'dawri-breakdown-db-')), 'b.sqlite')}`, 'sqlite')

if (flags['postgres-url']) {
  const admin = new pg.Client({ connectionString: flags['postgres-url'] })
  await admin.connect()
  const name = `dawri_breakdown_${Date.now()}`
  await admin.query(`CREATE DATABASE ${name}`)
  const url = new URL(flags['postgres-url'])
  url.pathname = `/${name}`
  try {
    await runDialect(url.toString(), 'postgres')
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.end()
  }
}

const lines = [
  `Sequential, one request at a time, ${N} iterations after warm-up; node ${process.version}, ${os.cpus()[0]?.model ?? ''}.`,
  '',
  '| Step | µs per op | of which SQLite prepare µs | SQLite run µs | statements |',
  '|---|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.label} | ${r.perOp.toFixed(1)} | ${r.prepareUs ? r.prepareUs.toFixed(1) : ''} | ${r.runUs ? r.runUs.toFixed(1) : ''} | ${r.statements ? r.statements.toFixed(1) : ''} |`),
  '',
  'Distinct SQL texts prepared (SQLite):',
  '',
  ...[...sqlite.sql.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([sql, n]) => `- ${n}× \`${sql.length > 140 ? `${sql.slice(0, 140)}…` : sql}\``),
]
process.stdout.write(`${lines.join('\n')}\n`)
