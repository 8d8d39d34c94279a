import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { Database } from '../../src/store/database.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import {
  bodyText,
  countRequest,
  expectEnvelope,
  FUZZ_SECONDS,
  fuzzParameters,
  fuzzSummary,
  fuzzTimeout,
  heapAfterGc,
  hostileLeaf,
  NASTY_STRINGS,
  requestCounts,
  rowCounts,
  send,
  tableNames,
  type KnownValues,
  type Schema,
} from './fuzz-support.js'
import { identifiersOf, openMerchantWorld, type MerchantWorld } from './security-fixtures.js'

/**
 * Fuzzer of every /v2 route, read from the server's own OpenAPI document (so a new route is
 * fuzzed without touching this file): bodies built from each route's fields — plausible values,
 * real identifiers of the merchant, hostile and deeply nested values, broken JSON — with random
 * query and path values, content types and authorization. Every answer: no 5xx, a valid
 * envelope, and after a 4xx every table holds the rows it held before.
 */

interface Operation {
  readonly method: string
  /** Path template, `{name}` for path parameters. */
  readonly path: string
  readonly query: readonly string[]
  readonly pathParams: readonly string[]
  readonly body: Schema | undefined
}

function operationsOf(spec: { paths: Record<string, Record<string, any>> }): Operation[] {
  const operations: Operation[] = []
  for (const [path, methods] of Object.entries(spec.paths)) {
    if (!path.startsWith('/v2/')) continue
    for (const [method, operation] of Object.entries(methods)) {
      const parameters: Array<{ in: string; name: string }> = operation.parameters ?? []
      operations.push({
        method: method.toUpperCase(),
        path,
        query: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        body: operation.requestBody?.content?.['application/json']?.schema,
      })
    }
  }
  return operations
}

const CONTENT_TYPES = [
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json, text/plain',
  '',
  ';;;',
]

function withoutReplays(counts: Record<string, number>, idempotencyKey: string | null): Record<string, number> {
  return idempotencyKey === null ? counts : { ...counts, idempotency_keys: 0 }
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: fuzzing every /v2 route`, () => {
    let app: TestApp
    let world: MerchantWorld
    let known: KnownValues
    let operations: Operation[]
    let tables: Array<keyof Database>
    let heapBefore = 0
    const label = `${dialect} api`

    beforeAll(async () => {
      app = await startTestApp(dialect)
      world = await openMerchantWorld(app, 'fuzzed')
      known = identifiersOf(world)
      operations = operationsOf((await (await fetch(`${app.baseUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, any>> })
      tables = await tableNames(app)
      heapBefore = heapAfterGc()
    })
    afterAll(async () => {
      console.log(fuzzSummary(label, FUZZ_SECONDS))
      await app?.close()
    })

    it('lists every route of the OpenAPI document', () => {
      const paths = new Set(operations.map((operation) => operation.path))
      for (const route of ['/v2/ExecutePayment', '/v2/DirectPayment/{invoiceKey}/{paymentGatewayId}', '/v2/MakeRefund', '/v2/UpdatePaymentStatus', '/v2/GetWebhooks', '/v2/sandbox/AdvanceClock', '/v2/SendPayment']) {
        expect(paths).toContain(route)
      }
      expect(operations.length).toBeGreaterThanOrEqual(25)
    })

    it('answers random requests to every route with an envelope, never a 5xx, storing nothing on a 4xx', async () => {
      const pathValue = fc.oneof(fc.constantFrom(...known.strings), fc.constantFrom('9', '2', '1', 'x', '-1', '99999999999999999999', '%00', '..', '%2e%2e'), fc.string({ maxLength: 20 }))
      const queryValue = fc.oneof(fc.constantFrom(...known.strings), fc.constantFrom(...NASTY_STRINGS), fc.string({ maxLength: 20 }), fc.integer().map(String))
      const request = fc.constantFrom(...operations).chain((operation) =>
        fc.record({
          operation: fc.constant(operation),
          // A GET route is sometimes posted to and the other way round.
          method: fc.oneof({ arbitrary: fc.constant(operation.method), weight: 9 }, { arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'), weight: 1 }),
          pathValues: fc.array(pathValue, { minLength: operation.pathParams.length, maxLength: operation.pathParams.length }),
          query: fc.array(fc.tuple(fc.constantFrom(...(operation.query.length > 0 ? operation.query : ['x'])), queryValue), { maxLength: 4 }),
          body: bodyText(operation.body, known),
          contentType: fc.constantFrom(...CONTENT_TYPES),
          auth: fc.oneof(
            { arbitrary: fc.constant(`Bearer ${world.apiKey}`), weight: 12 },
            { arbitrary: fc.constantFrom('', 'Bearer', 'Bearer ', `bearer ${world.apiKey}`, `Basic ${world.apiKey}`, `Bearer ${world.apiKey} x`, `Bearer ${world.apiKey.toUpperCase()}`, `Bearer ${'k'.repeat(8000)}`), weight: 2 },
            { arbitrary: hostileLeaf.map((value) => `Bearer ${String(value).replace(/[^\x21-\x7e]/g, '').slice(0, 500)}`), weight: 1 },
          ),
          idempotencyKey: fc.option(fc.constantFrom('k1', 'k2', 'x'.repeat(300), '\u00ff'), { freq: 8 }),
        }),
      )
      let counts = await rowCounts(app, tables)
      await fc.assert(
        fc.asyncProperty(request, async ({ operation, method, pathValues, query, body, contentType, auth, idempotencyKey }) => {
          let path = operation.path
          operation.pathParams.forEach((name, index) => (path = path.replace(`{${name}}`, encodeURIComponent((pathValues[index] ?? '').replace(/[\ud800-\udfff]/g, '\ufffd')))))
          const search = new URLSearchParams(query).toString()
          const url = search === '' ? path : `${path}?${search}`
          const headers: Record<string, string> = {}
          if (contentType !== '') headers['content-type'] = contentType
          if (auth !== '') headers.authorization = auth
          if (idempotencyKey !== null) headers['idempotency-key'] = idempotencyKey.replace(/[^\x20-\x7e]/g, '?')
          const answer = await send(app.baseUrl, method, url, headers, body)
          countRequest(label, answer.status)
          const context = `${method} ${url} [${contentType}] ${body.slice(0, 300)} → ${answer.status} ${answer.text.slice(0, 300)}`
          expect(answer.status, context).toBeGreaterThan(0)
          expect(answer.status, context).toBeLessThan(500)
          if (method !== 'HEAD') expectEnvelope(answer, context)
          const after = await rowCounts(app, tables)
          // A refusal sent with an Idempotency-Key is itself recorded, to be replayed (README).
          if (answer.status >= 400) expect(withoutReplays(after, idempotencyKey), context).toEqual(withoutReplays(counts, idempotencyKey))
          counts = after
        }),
        fuzzParameters(),
      )
      // Every route was drawn at least once in the budget.
      expect(requestCounts.get(label) ?? 0).toBeGreaterThan(operations.length)
    }, fuzzTimeout())

    it('keeps its heap bounded over the run', () => {
      const growth = heapAfterGc() - heapBefore
      console.log(`fuzz ${label}: heap growth ${(growth / 1024 / 1024).toFixed(1)} MiB`)
      expect(growth).toBeLessThan(64 * 1024 * 1024)
    })
  })
}
