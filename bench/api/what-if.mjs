// An EXPERIMENT, not part of dawri: preloaded into a dawri server child with
// `node --import ./bench/api/what-if.mjs` by `run.mjs --what-if`, it approximates two proposed
// optimisations from outside src/ so their effect can be measured before anyone writes them:
//
//   stmt  SQLite: cache better-sqlite3 statements by SQL text (Kysely's SqliteDriver calls
//         db.prepare(sql) for every query, and preparing costs as much as running).
//   auth  Both dialects: memoise the API-key → merchant lookup for 5 s (one query per request).
//
// BENCH_WHAT_IF=stmt,auth selects them (default: both). The lookup memo is keyed by the SQL
// parameters (the key hash), so it answers exactly what the database would have within 5 s.
import { createRequire } from 'node:module'
import { join } from 'node:path'

const require = createRequire(join(process.cwd(), 'package.json'))
const enabled = new Set((process.env.BENCH_WHAT_IF ?? 'stmt,auth').split(',').map((s) => s.trim()))
const AUTH_SQL = /from "api_keys" inner join "merchants"/
const TTL_MS = 5_000

const memo = new Map()
function remember(key, compute) {
  const hit = memo.get(key)
  const now = Date.now()
  if (hit && hit.until > now) return hit.value
  const value = compute()
  memo.set(key, { value, until: now + TTL_MS })
  if (value instanceof Promise) value.catch(() => memo.delete(key))
  return value
}

const Database = require('better-sqlite3')
const prepare = Database.prototype.prepare
const statements = new WeakMap()
Database.prototype.prepare = function cachedPrepare(source) {
  let cache = statements.get(this)
  if (!cache) statements.set(this, (cache = new Map()))
  let statement = enabled.has('stmt') ? cache.get(source) : undefined
  if (!statement) {
    statement = prepare.call(this, source)
    if (enabled.has('stmt')) cache.set(source, statement)
  }
  if (enabled.has('auth') && AUTH_SQL.test(source)) {
    const inner = statement
    return { reader: true, all: (parameters) => remember(`sqlite ${JSON.stringify(parameters)}`, () => inner.all(parameters)) }
  }
  return statement
}

if (enabled.has('auth')) {
  const pg = require('pg')
  const query = pg.Client.prototype.query
  pg.Client.prototype.query = function memoQuery(text, values, ...rest) {
    if (typeof text === 'string' && AUTH_SQL.test(text) && Array.isArray(values) && rest.length === 0) {
      return remember(`pg ${JSON.stringify(values)}`, () => query.call(this, text, values))
    }
    return query.call(this, text, values, ...rest)
  }
}
