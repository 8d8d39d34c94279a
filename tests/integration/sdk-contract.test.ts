import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { compareRequest, missingResponseFields, readSdkMethods, type SchemaNode, type SdkMethod } from './sdk-shapes.js'

/**
 * The SDK against the server's own description of its routes (/openapi.json, built from the
 * schemas the routes register): one method per route, every request field the server takes and
 * nothing else, the same required fields and JSON types, and every documented response field.
 * Real responses are checked against the same types in sdk-client.test.ts.
 */

/** Method → the route it calls, and where its request goes. */
const ROUTES: Record<string, { path: string; method: 'get' | 'post'; request: 'body' | 'query' | 'none' }> = {
  initiatePayment: { path: '/v2/InitiatePayment', method: 'post', request: 'body' },
  initiateSession: { path: '/v2/InitiateSession', method: 'post', request: 'body' },
  updateSession: { path: '/v2/UpdateSession', method: 'post', request: 'body' },
  executePayment: { path: '/v2/ExecutePayment', method: 'post', request: 'body' },
  directPayment: { path: '/v2/DirectPayment/{invoiceKey}/{paymentGatewayId}', method: 'post', request: 'body' },
  getPaymentStatus: { path: '/v2/GetPaymentStatus', method: 'post', request: 'body' },
  getRecurringPayment: { path: '/v2/GetRecurringPayment', method: 'get', request: 'query' },
  cancelRecurringPayment: { path: '/v2/CancelRecurringPayment', method: 'post', request: 'query' },
  resumeRecurringPayment: { path: '/v2/ResumeRecurringPayment', method: 'post', request: 'query' },
  sendPayment: { path: '/v2/SendPayment', method: 'post', request: 'body' },
  makeRefund: { path: '/v2/MakeRefund', method: 'post', request: 'body' },
  getRefundStatus: { path: '/v2/GetRefundStatus', method: 'post', request: 'body' },
  updatePaymentStatus: { path: '/v2/UpdatePaymentStatus', method: 'post', request: 'body' },
  cancelToken: { path: '/v2/CancelToken', method: 'post', request: 'query' },
  getCurrenciesExchangeList: { path: '/v2/GetCurrenciesExchangeList', method: 'get', request: 'none' },
  registerApplePayDomain: { path: '/v2/RegisterApplePayDomain', method: 'post', request: 'body' },
  getWebhooks: { path: '/v2/GetWebhooks', method: 'post', request: 'body' },
  resendWebhook: { path: '/v2/ResendWebhook', method: 'post', request: 'body' },
  'sandbox.advanceClock': { path: '/v2/sandbox/AdvanceClock', method: 'post', request: 'body' },
  'sandbox.notifications': { path: '/v2/sandbox/Notifications', method: 'get', request: 'query' },
  'sandbox.webhookChaos': { path: '/v2/sandbox/WebhookChaos', method: 'post', request: 'body' },
}

interface Operation {
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: SchemaNode }>
  requestBody?: { content?: Record<string, { schema?: SchemaNode }> }
  responses?: Record<string, { content?: Record<string, { schema?: SchemaNode }> }>
}

type Spec = { paths: Record<string, Record<string, Operation>> }

const sdk = readSdkMethods()
const methods: Array<[string, SdkMethod]> = [
  ...sdk.client.map((m) => [m.name, m] as [string, SdkMethod]),
  ...sdk.sandbox.map((m) => [`sandbox.${m.name}`, m] as [string, SdkMethod]),
]

/** The request schema of an operation: its JSON body, or its query parameters as an object. */
function requestSchema(operation: Operation, where: 'body' | 'query'): SchemaNode {
  if (where === 'body') return operation.requestBody?.content?.['application/json']?.schema ?? { type: 'object', properties: {} }
  const query = (operation.parameters ?? []).filter((p) => p.in === 'query')
  return {
    type: 'object',
    properties: Object.fromEntries(query.map((p) => [p.name, p.schema ?? {}])),
    required: query.filter((p) => p.required).map((p) => p.name),
  }
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: the SDK's types match the server's routes`, () => {
    let app: TestApp
    let spec: Spec

    beforeAll(async () => {
      app = await startTestApp(dialect)
      const answer = await fetch(`${app.baseUrl}/openapi.json`)
      spec = (await answer.json()) as Spec
    })
    afterAll(async () => {
      await app?.close()
    })

    it('reads the SDK types for real (the checks below are not vacuous)', () => {
      const execute = methods.find(([name]) => name === 'executePayment')?.[1]
      const fields = execute?.request?.object
      expect(fields?.get('InvoiceValue')?.optional).toBe(false)
      expect([...(fields?.get('InvoiceValue')?.shape.primitives ?? [])].sort()).toEqual(['number', 'string'])
      expect(fields?.get('RecurringModel')?.shape.object?.has('RetryCount')).toBe(true)
      const schema = requestSchema(spec.paths['/v2/ExecutePayment']!['post']!, 'body')
      // A field the server does not take, and one made optional, are both caught.
      const tampered = { ...execute!.request!, object: new Map(fields) }
      tampered.object.set('InvoiceValu', { shape: fields!.get('InvoiceValue')!.shape, optional: true })
      tampered.object.set('InvoiceValue', { ...fields!.get('InvoiceValue')!, optional: true })
      expect(compareRequest(tampered, schema, 'executePayment')).toEqual([
        'executePayment.InvoiceValue: required by the server, optional in the SDK',
        "executePayment.InvoiceValu: in the SDK's type, not taken by the server",
      ])
      expect(execute?.response.object?.get('RecurringId')?.shape.primitives.has('string')).toBe(true)
    })

    it('has one method per /v2 route the server serves, and no other', () => {
      const served = Object.keys(spec.paths).filter((path) => path.startsWith('/v2/')).sort()
      const called = [...new Set(Object.values(ROUTES).map((route) => route.path))].sort()
      expect(called).toEqual(served)
      expect(methods.map(([name]) => name).sort()).toEqual(Object.keys(ROUTES).sort())
    })

    it.each(Object.entries(ROUTES))('%s sends what the server takes (fields, required ones, JSON types)', (name, route) => {
      const operation = spec.paths[route.path]?.[route.method]
      expect(operation, `${route.method.toUpperCase()} ${route.path} in /openapi.json`).toBeDefined()
      const method = methods.find(([n]) => n === name)?.[1]
      expect(method, name).toBeDefined()
      if (route.request === 'none') {
        expect(method?.request).toBeUndefined()
        return
      }
      expect(method?.request, `${name} takes a request object`).toBeDefined()
      const issues = compareRequest(method!.request!, requestSchema(operation!, route.request), name)
      expect(issues).toEqual([])
    })

    it.each(Object.entries(ROUTES))('%s resolves to a type with every response field the server documents', (name, route) => {
      const operation = spec.paths[route.path]?.[route.method]
      const data = operation?.responses?.['200']?.content?.['application/json']?.schema?.properties?.['Data']
      const method = methods.find(([n]) => n === name)?.[1]
      expect(method).toBeDefined()
      if (!data) return // GetCurrenciesExchangeList answers a bare list; sdk-client.test.ts checks it
      expect(missingResponseFields(method!.response, data, `${name} Data`)).toEqual([])
    })
  })
}
