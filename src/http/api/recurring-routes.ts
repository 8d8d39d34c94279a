import { Readable } from 'node:stream'

import type { FastifyInstance, FastifyRequest } from 'fastify'

import type { Merchant } from '../../domain/merchant.js'
import { CANCEL_SUCCESS_MESSAGE, cancelRecurringPayment } from '../../services/cancel-recurring-payment.js'
import type { Deps } from '../../deps.js'
import {
  getRecurringPayment,
  MAX_PAGE_SIZE,
  parseRecurringPaymentQuery,
  streamRecurringPayments,
  type RecurringPaymentQuery,
} from '../../services/get-recurring-payment.js'
import { RESUME_SUCCESS_MESSAGE, resumeRecurringPayment } from '../../services/resume-recurring-payment.js'
import { withMerchantAuth } from '../build-app.js'
import { requireMerchant } from './auth.js'
import { success } from './envelope.js'
import { BEARER, envelopeSchema, ERROR_RESPONSES } from './schemas.js'

const RECURRING_ID_QUERY = {
  type: 'object',
  properties: { recurringId: { type: 'string', description: 'RecurringId from ExecutePayment, e.g. RECUR123 (also accepted in the body)' } },
} as const

const LIST_QUERY = {
  type: 'object',
  properties: {
    recurringId: { type: 'string', description: 'Only this recurring payment' },
    RecurringStatus: { type: 'string', enum: ['Draft', 'Active', 'Completed', 'Uncompleted', 'Canceled'], description: 'Beyond MyFatoorah: filter by status' },
    PageSize: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, description: 'Beyond MyFatoorah: page size. Default: everything' },
    PageNumber: { type: 'integer', minimum: 1, description: 'Beyond MyFatoorah: 1-based page, with PageSize' },
  },
} as const

const RECURRING_INVOICE = {
  type: 'object',
  properties: {
    InvoiceId: { type: 'integer' },
    CustomerReference: { type: ['string', 'null'] },
    CustomerName: { type: ['string', 'null'] },
    CustomerMobile: { type: ['string', 'null'] },
    CreatedDate: { type: 'string' },
    InvoiceStatus: { type: 'string' },
  },
} as const

const RECURRING_PAYMENT = {
  type: 'object',
  properties: {
    RecurringId: { type: 'string' },
    RecurringStatus: { type: 'string', enum: ['Draft', 'Active', 'Completed', 'Uncompleted', 'Canceled'] },
    CreationDate: { type: 'string', description: 'Local time of the account country, no offset' },
    RecurringValue: { type: 'number' },
    RecurringType: { type: 'string' },
    IntervalDays: { type: ['integer', 'null'] },
    ExecutedTimes: { type: 'integer', description: 'Successful automatic charges' },
    LastPayDate: { type: 'string' },
    NextPayDate: { type: 'string', description: 'Local midnight, e.g. 2021-04-14T00:00:00' },
    IsActive: { type: 'boolean' },
    RecurringInvoices: { type: ['array', 'null'], items: RECURRING_INVOICE },
  },
} as const

/**
 * The recurring endpoints of reference §5: GetRecurringPayment, CancelRecurringPayment and
 * ResumeRecurringPayment. Each also answers the other HTTP method clients in the wild use
 * (reference §5.2, §11): GET or POST, with an empty, `null` or `{}` body.
 */
export async function registerRecurringRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  await withMerchantAuth(app, deps, (v2) => {
    v2.route({
      method: ['GET', 'POST'],
      url: '/v2/GetRecurringPayment',
      schema: {
        tags: ['Recurring'],
        summary: 'Every recurring payment of the account, with its automatic invoices',
        security: BEARER,
        querystring: LIST_QUERY,
        response: { 200: envelopeSchema({ type: 'object', properties: { RecurringPayment: { type: 'array', items: RECURRING_PAYMENT } } }), ...ERROR_RESPONSES },
      },
      handler: async (request, reply) => {
        const merchant = requireMerchant(request)
        const query = parseRecurringPaymentQuery(request.query, request.body, deps)
        if (query.pageSize !== undefined || query.recurrenceId !== undefined) {
          return success(await getRecurringPayment(deps, merchant, query), '')
        }
        return reply.type('application/json; charset=utf-8').send(Readable.from(streamEnvelope(deps, merchant, query)))
      },
    })

    v2.route({
      method: ['POST', 'GET'],
      url: '/v2/CancelRecurringPayment',
      schema: {
        tags: ['Recurring'],
        summary: 'Cancel a recurring payment (final)',
        security: BEARER,
        querystring: RECURRING_ID_QUERY,
        response: { 200: envelopeSchema({ type: 'boolean' }), ...ERROR_RESPONSES },
      },
      handler: async (request) => {
        await cancelRecurringPayment(deps, requireMerchant(request), readRecurringId(request))
        return success(true, CANCEL_SUCCESS_MESSAGE)
      },
    })

    v2.route({
      method: ['POST', 'GET'],
      url: '/v2/ResumeRecurringPayment',
      schema: {
        tags: ['Recurring'],
        summary: 'Charge the failed invoice of an Uncompleted recurring payment now',
        description: 'On approval the recurring payment is Active again (or Completed). A declined charge answers 400 with Data false and leaves it Uncompleted.',
        security: BEARER,
        querystring: RECURRING_ID_QUERY,
        response: { 200: envelopeSchema({ type: 'boolean' }), ...ERROR_RESPONSES },
      },
      handler: async (request) => {
        await resumeRecurringPayment(deps, requireMerchant(request), readRecurringId(request))
        return success(true, RESUME_SUCCESS_MESSAGE)
      },
    })
  })
}

/** `recurringId` from the query (any case), else from the body (reference §10.3). */
function readRecurringId(request: FastifyRequest): string | undefined {
  for (const source of [request.query, request.body]) {
    if (typeof source !== 'object' || source === null) continue
    for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
      if (key.toLowerCase() !== 'recurringid') continue
      if (typeof value === 'string' && value.trim() !== '') return value.trim()
      if (typeof value === 'number') return String(value)
    }
  }
  return undefined
}

/** The whole envelope as text chunks, one chunk of recurrences at a time (flat memory). */
async function* streamEnvelope(deps: Deps, merchant: Merchant, query: RecurringPaymentQuery): AsyncGenerator<string> {
  yield '{"IsSuccess":true,"Message":"","ValidationErrors":null,"Data":{"RecurringPayment":['
  let first = true
  for await (const chunk of streamRecurringPayments(deps, merchant, query)) {
    if (chunk.length === 0) continue
    const text = chunk.map((view) => JSON.stringify(view)).join(',')
    yield first ? text : `,${text}`
    first = false
  }
  yield ']}}'
}
