// Where one ExecutePayment's CPU goes, in-process and without HTTP: times the steps of the
// request against the compiled services (dist/) on a fresh SQLite file (and PostgreSQL database),
// and splits the SQLite part into executing statements and preparing them (better-sqlite3
// `prepare`; Kysely's SqliteDriver asks for every query, so without a statement cache in
// src/store/create-database.ts every query is prepared again).
//   npm run build && node bench/api/breakdown.mjs [--iterations 2000] [--postgres-url URL]
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
import { openRuntime } from '../../dist/app/runtime.js'
import { ensureDemoMerchant } from '../../dist/services/create-merchant.js'
import { executePayment } from '../../dist/services/execute-payment.js'
import { findMerchantByApiKey } from '../../dist/store/merchant.repository.js'
import { API_KEY, PLAIN_BODY, RECURRING_BODY } from './bodies.mjs'

const { values: flags } = parseArgs({
  options: {
    iterations: { type: 'string', default: '2000' },
    'postgres-url': { type: 'string' },
  },
})
const N = Number(flags.iterations)

// --- better-sqlite3 instrumentation ---------------------------------------------------------
const sqlite = { prepareMs: 0, prepares: 0, runMs: 0, runs: 0, sql: new Map() }
const originalPrepare = Database.prototype.prepare
Database.prototype.prepare = function prepare(source) {
  const t = performance.now()
  const statement = originalPrepare.call(this, source)
  sqlite.prepareMs += performance.now() - t
  sqlite.prepares++
  sqlite.sql.set(source, (sqlite.sql.get(source) ?? 0) + 1)
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
const rows = []

/** Median over `passes` of the mean µs per call of `fn`, with SQLite prepare/run time split out. */
async function time(label, fn, iterations = N, passes = 3) {
  const results = []
  for (let pass = 0; pass < passes; pass++) {
    const before = { ...sqlite }
    const t = performance.now()
    for (let i = 0; i < iterations; i++) await fn(i)
    results.push({
      perOp: ((performance.now() - t) * 1000) / iterations,
      prepareUs: ((sqlite.prepareMs - before.prepareMs) * 1000) / iterations,
      runUs: ((sqlite.runMs - before.runMs) * 1000) / iterations,
      statements: (sqlite.runs - before.runs) / iterations,
      prepares: (sqlite.prepares - before.prepares) / iterations,
    })
  }
  results.sort((a, b) => a.perOp - b.perOp)
  const row = { label, ...results[Math.floor(passes / 2)] }
  rows.push(row)
  process.stderr.write(`${label.padEnd(58)} ${row.perOp.toFixed(1).padStart(8)} µs/op\n`)
  return row
}

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
    const steps = [
      [`${dialect}: JSON.parse of the body`, () => JSON.parse(bodyText), 10],
      [`${dialect}: parseExecutePaymentRequest (validation)`, () => parseExecutePaymentRequest(JSON.parse(bodyText), ctx()), 3],
      [`${dialect}: findMerchantByApiKey (auth, every request)`, () => findMerchantByApiKey(deps.store.db, API_KEY), 1],
      [`${dialect}: executePayment, no RecurringModel`, () => executePayment(deps, merchant, PLAIN_BODY), 1],
      [`${dialect}: executePayment, with RecurringModel`, () => executePayment(deps, merchant, RECURRING_BODY), 1],
    ]
    // Warm every path first, so that no step is measured before the JIT has optimised the code
    // it shares with the others (Kysely, the drivers).
    for (let i = 0; i < Math.min(N, 2000); i++) for (const [, fn] of steps) await fn(i)
    for (const [label, fn, factor] of steps) await time(label, fn, N * factor)
  } finally {
    await deps.store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

const sqliteDir = mkdtempSync(join(os.tmpdir(), 'dawri-breakdown-db-'))
try {
  await runDialect(`sqlite:${join(sqliteDir, 'b.sqlite')}`, 'sqlite')
} finally {
  rmSync(sqliteDir, { recursive: true, force: true })
}

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
  `Sequential, one request at a time, median of 3 passes of ${N} iterations after warming every step; node ${process.version}, ${os.cpus()[0]?.model ?? ''}.`,
  '',
  '| Step | µs per op | SQLite: statements run | of which executing µs | statements prepared (uncached) | of which preparing µs |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.label} | ${r.perOp.toFixed(1)} | ${r.statements ? r.statements.toFixed(1) : ''} | ${r.runUs ? r.runUs.toFixed(1) : ''} | ${r.statements ? r.prepares.toFixed(1) : ''} | ${r.prepareUs ? r.prepareUs.toFixed(1) : ''} |`),
  '',
  'SQL texts better-sqlite3 prepared, with counts (SQLite; a statement cache keeps these at 1):',
  '',
  ...[...sqlite.sql.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([sql, n]) => `- ${n}× \`${sql.length > 140 ? `${sql.slice(0, 140)}…` : sql}\``),
]
process.stdout.write(`${lines.join('\n')}\n`)
