import { connect } from 'node:net'
import { runInNewContext } from 'node:vm'
import { setFlagsFromString } from 'node:v8'

import fc from 'fast-check'
import { expect } from 'vitest'

import type { Database } from '../../src/store/database.js'
import { countRows } from '../../src/store/table-inspection.js'
import type { TestApp } from '../support/start-test-app.js'

/**
 * Shared parts of the fuzz-*.test.ts files: the time budget and seed, request counting, the
 * checks every answer must pass (no 5xx, a valid envelope on /v2, nothing stored after a 4xx),
 * bodies derived from the OpenAPI schemas, raw-socket requests and heap samples.
 *
 * DAWRI_FUZZ_SECONDS: seconds each fuzz property runs per dialect (default 10; the long form
 * is e.g. 200). DAWRI_FUZZ_SEED: replay one run.
 */

export const FUZZ_SECONDS = Number(process.env.DAWRI_FUZZ_SECONDS ?? 10)
export const FUZZ_SEED = process.env.DAWRI_FUZZ_SEED === undefined ? undefined : Number(process.env.DAWRI_FUZZ_SEED)

/** Options of every fuzz property: runs until the time budget is spent, seedable. */
export function fuzzParameters(seconds = FUZZ_SECONDS): fc.Parameters<unknown> {
  return {
    numRuns: 1_000_000_000,
    interruptAfterTimeLimit: seconds * 1000,
    markInterruptAsFailure: false,
    endOnFailure: false,
    ...(FUZZ_SEED === undefined ? {} : { seed: FUZZ_SEED }),
  }
}

/** Test timeout for a property of `seconds` (shrinking and checks on top). */
export const fuzzTimeout = (seconds = FUZZ_SECONDS) => seconds * 1000 + 120_000

/** Requests sent, per label (dialect and file), printed at the end for docs/reliability.md. */
export const requestCounts = new Map<string, number>()
/** Answers per label and status class (2xx, 3xx, 4xx), to show the fuzzers reach past refusals. */
export const statusCounts = new Map<string, Record<string, number>>()
export function countRequest(label: string, status: number): void {
  requestCounts.set(label, (requestCounts.get(label) ?? 0) + 1)
  const classes = statusCounts.get(label) ?? {}
  const name = status === 0 ? 'closed' : `${Math.floor(status / 100)}xx`
  classes[name] = (classes[name] ?? 0) + 1
  statusCounts.set(label, classes)
}

/** One line for the log: requests, seconds and answers by class. */
export function fuzzSummary(label: string, seconds: number): string {
  return `fuzz ${label}: ${requestCounts.get(label) ?? 0} requests in ${seconds} s, answers ${JSON.stringify(statusCounts.get(label) ?? {})}`
}

/** Tables whose rows are counted before and after each request (Kysely's bookkeeping left out). */
export async function tableNames(app: TestApp): Promise<Array<keyof Database>> {
  const tables = await app.deps.store.db.introspection.getTables()
  return tables.map((table) => table.name as keyof Database)
}

/** Row count of every table. */
export async function rowCounts(app: TestApp, tables: ReadonlyArray<keyof Database>): Promise<Record<string, number>> {
  const values = await Promise.all(tables.map((table) => countRows(app.deps.store.db, table)))
  return Object.fromEntries(tables.map((table, index) => [table, values[index] ?? -1]))
}

/** One answer as the checks see it. */
export interface Answer {
  readonly status: number
  readonly contentType: string
  readonly text: string
}

/** A MyFatoorah envelope, or the bare currency array of GetCurrenciesExchangeList. */
export function expectEnvelope(answer: Answer, context: string): void {
  let parsed: unknown
  try {
    parsed = JSON.parse(answer.text)
  } catch {
    throw new Error(`${context}: not JSON (${answer.status}): ${answer.text.slice(0, 200)}`)
  }
  if (Array.isArray(parsed) && answer.status === 200) return
  expect(parsed, context).toBeTypeOf('object')
  const envelope = parsed as Record<string, unknown>
  expect(typeof envelope.IsSuccess, context).toBe('boolean')
  expect(Object.keys(envelope).sort(), context).toEqual(['Data', 'IsSuccess', 'Message', 'ValidationErrors'])
  expect(envelope.ValidationErrors === null || Array.isArray(envelope.ValidationErrors), context).toBe(true)
  if (answer.status >= 400) {
    expect(envelope.IsSuccess, context).toBe(false)
    expect(typeof envelope.Message, context).toBe('string')
  }
}

/** Sends one request with fetch; a transport error (the server closing) is returned as status 0. */
export async function send(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | Buffer | undefined,
): Promise<Answer> {
  try {
    const response = await fetch(baseUrl + path, { method, headers, ...(body === undefined || method === 'GET' || method === 'HEAD' ? {} : { body }), redirect: 'manual' })
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() }
  } catch (error) {
    return { status: 0, contentType: '', text: String(error) }
  }
}

/** Sends raw bytes on a new socket and returns the status of the first response (0: none). */
export function sendRaw(baseUrl: string, chunks: ReadonlyArray<Buffer | string>, options: { gapMs?: number; waitMs?: number } = {}): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(baseUrl)
  return new Promise((resolve) => {
    let received = ''
    let settled = false
    const finish = () => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1]
      resolve({ status: status === undefined ? 0 : Number(status), text: received })
    }
    const timer = setTimeout(finish, options.waitMs ?? 10_000)
    const socket = connect(Number(port), hostname, async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return
        socket.write(chunk)
        if (options.gapMs) await new Promise((next) => setTimeout(next, options.gapMs))
      }
    })
    socket.on('data', (data: Buffer) => {
      received += data.toString('latin1')
      // One whole response (headers and declared body) is enough.
      const head = received.indexOf('\r\n\r\n')
      const length = /content-length: (\d+)/i.exec(received)?.[1]
      if (head >= 0 && length !== undefined && received.length >= head + 4 + Number(length)) finish()
    })
    socket.on('error', finish)
    socket.on('close', finish)
  })
}

/** Heap in use after a full collection, in bytes (the server runs in this process). */
export function heapAfterGc(): number {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

// ---------------------------------------------------------------------------------------------
// Values

/** Strings that have broken parsers, SQL and templates somewhere. */
export const NASTY_STRINGS = [
  "'; DROP TABLE invoices; --",
  '" OR 1=1 --',
  '<script>alert(1)</script>',
  '{{7*7}}${7*7}',
  '../../etc/passwd',
  'a\u0000b',
  '\u0000',
  '\ud800',
  '\ufeff',
  '\u202e',
  '٠١٢٣٤٥٦٧٨٩',
  '１２３',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e309',
  '-1e309',
  '1e-400',
  '0x10',
  '1_000',
  ' 12 ',
  '12.',
  '.5',
  '9'.repeat(400),
  '2.5000000000000000000001',
  '0.0005',
  '-1',
  '9007199254740993',
  'RECUR999999999999',
  '2026-02-30T25:61:61',
  '9999-12-31',
  '0000-01-01',
  'null',
  'true',
  '[]',
  '{}',
  '',
  ' ',
  '\r\n',
  'http://169.254.169.254/latest/meta-data',
  'javascript:alert(1)',
  'file:///etc/passwd',
  'https://example.com/' + 'a'.repeat(300),
  '__proto__',
  'constructor',
] as const

/** Numbers at the edges of what a JSON body can say. */
const EDGE_NUMBERS = [0, -0, 1, -1, 0.1, 0.0005, 2.5, 1e-7, 1e21, 1e308, -1e308, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 999_999_999_999, 123.4567]

/** Any leaf value, mostly hostile. */
export const hostileLeaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.constantFrom(...EDGE_NUMBERS),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant('x'.repeat(70_000)),
)

/** Nesting far deeper than any field has, as an array or an object. */
export const deepValue: fc.Arbitrary<unknown> = fc.integer({ min: 50, max: 3000 }).map((depth) => {
  let value: unknown = 1
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value }
  return value
})

/** A JSON schema as the OpenAPI document has it (only what the generator reads). */
export interface Schema {
  type?: string | string[]
  properties?: Record<string, Schema>
  items?: Schema
  enum?: unknown[]
  maxLength?: number
  maxItems?: number
  example?: unknown
  examples?: unknown[]
}

/** Identifiers that exist, so that random bodies reach past "not found". */
export interface KnownValues {
  readonly strings: readonly string[]
  readonly numbers: readonly number[]
}

/** A plausible value of the schema's type (what a client meaning well would send). */
function plausible(schema: Schema, known: KnownValues, depth: number): fc.Arbitrary<unknown> {
  if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum)
  const types = schema.type === undefined ? ['string'] : Array.isArray(schema.type) ? schema.type : [schema.type]
  const options: Array<fc.Arbitrary<unknown>> = []
  for (const type of types) {
    if (type === 'string') {
      options.push(fc.string({ maxLength: Math.min(schema.maxLength ?? 20, 20) }))
      if (known.strings.length > 0) options.push(fc.constantFrom(...known.strings))
      options.push(fc.constantFrom('1', '10', '2.5', 'KWD', 'InvoiceId', 'PaymentId', 'Daily', 'Custom', 'capture', 'release', 'card', 'https://example.com/cb', 'a@b.co', '96512345678'))
    } else if (type === 'number' || type === 'integer') {
      options.push(fc.integer({ min: 0, max: 100 }), fc.constantFrom(1, 2, 9, 10, 2.5, 0.001))
      if (known.numbers.length > 0) options.push(fc.constantFrom(...known.numbers))
    } else if (type === 'boolean') {
      options.push(fc.boolean())
    } else if (type === 'null') {
      options.push(fc.constant(null))
    } else if (type === 'array') {
      options.push(fc.array(schema.items ? fieldValue(schema.items, known, depth + 1) : hostileLeaf, { maxLength: depth > 2 ? 1 : 4 }))
    } else if (type === 'object') {
      options.push(objectOf(schema, known, depth + 1))
    }
  }
  return options.length === 0 ? hostileLeaf : fc.oneof(...options)
}

/** A value for a field: plausible most of the time, hostile or deep otherwise. */
export function fieldValue(schema: Schema, known: KnownValues, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 4) return hostileLeaf
  return fc.oneof(
    { arbitrary: plausible(schema, known, depth), weight: 6 },
    { arbitrary: hostileLeaf, weight: 3 },
    { arbitrary: deepValue, weight: 1 },
  )
}

/** An object with a random subset of the schema's fields, names sometimes in another case, plus strays. */
export function objectOf(schema: Schema, known: KnownValues, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.entries(schema.properties ?? {})
  const entry = fields.length === 0
    ? fc.tuple(fc.string({ maxLength: 12 }), hostileLeaf)
    : fc.oneof(
        { arbitrary: fc.constantFrom(...fields).chain(([name, field]) => fc.tuple(fc.constantFrom(name, name.toLowerCase(), name.toUpperCase()), fieldValue(field, known, depth))), weight: 9 },
        { arbitrary: fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra', ''), hostileLeaf), weight: 1 },
      )
  return fc.array(entry, { maxLength: Math.min(fields.length + 2, 14) }).map((pairs) => {
    const object: Record<string, unknown> = {}
    for (const [name, value] of pairs) Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true })
    return object
  })
}

/** A request body as text: mostly a structured object, else broken or odd JSON. */
export function bodyText(schema: Schema | undefined, known: KnownValues): fc.Arbitrary<string> {
  const structured = objectOf(schema ?? {}, known).map((object) => JSON.stringify(object))
  return fc.oneof(
    { arbitrary: structured, weight: 12 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((json) => JSON.stringify(json)), weight: 1 },
    { arbitrary: structured.map((text) => text.slice(0, Math.max(1, Math.floor(text.length / 2)))), weight: 1 },
    { arbitrary: fc.string({ maxLength: 100 }), weight: 1 },
    {
      arbitrary: fc.constantFrom('', 'null', 'true', '0', '"text"', '[]', '[{}]', '{', '}', '{"a":1,}', "{'a':1}", '{"InvoiceValue": 1e999}', '{"a":'.repeat(60), '['.repeat(100_000) + ']'.repeat(100_000), '{"__proto__":{"isAdmin":true}}', '\ufeff{}', '{"Key":1}{"Key":2}'),
      weight: 2,
    },
  )
}
