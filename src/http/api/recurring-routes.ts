import { Readable } from 'node:stream'

import type { FastifyInstance, FastifyRequest } from 'fastify'

import { INVOICE_STATUSES } from '../../domain/invoice.js'
import type { Merchant } from '../../domain/merchant.js'
import { RECURRENCE_STATUSES } from '../../domain/recurrence.js'
import { RECURRING_TYPES } from '../../domain/schedule.js'
import { CANCEL_SUCCESS_MESSAGE, cancelRecurringPayment } from '../../services/cancel-recurring-payment.js'
import type { Deps } from '../../deps.js'
import {
  getRecurringPayment,
  MAX_PAGE_SIZE,
  parseRecurringPaymentQuery,
  streamRecurringPayments,
  type RecurringPaymentQuery,
  UNKNOWN_RECURRING_ID,
} from '../../services/get-recurring-payment.js'
import { RESUME_SUCCESS_MESSAGE, resumeRecurringPayment } from '../../services/resume-recurring-payment.js'
import { withMerchantAuth } from '../build-app.js'
import { requireMerchant } from './auth.js'
import { success } from './envelope.js'
import { always, BEARER, envelopeSchema, errorResponses, exampleOutcome, LOCAL_DATE_TIME } from './schemas.js'

const RECURRING_ID_QUERY = {
  type: 'object',
  required: ['recurringId'],
  properties: {
    recurringId: {
      type: 'string',
      description: 'RecurringId from ExecutePayment (RECUR…); any case, also accepted in the body. An unknown, malformed or other account’s id is a 400: No recurring payment matches this RecurringId',
      examples: ['RECUR123456789'],
    },
  },
} as const

const RECURRING_STATUS = { type: 'string', enum: [...RECURRENCE_STATUSES] } as const

const LIST_QUERY = {
  type: 'object',
  properties: {
    recurringId: {
      type: 'string',
      description: 'Only this recurring payment. An unknown, malformed or other account’s id is a 400, as for Cancel and Resume',
    },
    RecurringStatus: { ...RECURRING_STATUS, description: 'Beyond MyFatoorah: filter by status (any case)' },
    PageSize: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, description: 'Beyond MyFatoorah: page size. Default: everything' },
    PageNumber: { type: 'integer', minimum: 1, maximum: 10_000_000, description: 'Beyond MyFatoorah: 1-based page; needs PageSize' },
  },
} as const

const RECURRING_INVOICE = always({
  InvoiceId: { type: 'integer' },
  CustomerReference: { type: ['string', 'null'] },
  CustomerName: { type: ['string', 'null'] },
  CustomerMobile: { type: ['string', 'null'] },
  CreatedDate: LOCAL_DATE_TIME,
  InvoiceStatus: { type: 'string', enum: [...INVOICE_STATUSES] },
})

const RECURRING_PAYMENT = always({
  RecurringId: { type: 'string', pattern: '^RECUR\\d+$' },
  RecurringStatus: RECURRING_STATUS,
  CreationDate: LOCAL_DATE_TIME,
  RecurringValue: { type: 'number', description: 'Charged every cycle: the first invoice’s value' },
  RecurringType: { type: 'string', enum: [...RECURRING_TYPES] },
  IntervalDays: { type: ['integer', 'null'] },
  ExecutedTimes: { type: 'integer', minimum: 0, description: 'Successful automatic charges (the first payment is not counted)' },
  LastPayDate: { ...LOCAL_DATE_TIME, description: 'The last successful automatic charge; CreationDate before the first' },
  NextPayDate: {
    type: 'string',
    pattern: '^\\d{4}-\\d{2}-\\d{2}T00:00:00$',
    description:
      'Local midnight, never null. Active: the day of the next automatic attempt, never before the account’s date. ' +
      'Otherwise the date of the cycle the schedule would charge next. The webhooks carry the same date (docs/recurring.md)',
  },
  IsActive: { type: 'boolean' },
  RecurringInvoices: { type: ['array', 'null'], items: RECURRING_INVOICE, description: 'Invoices of the automatic charges; null when none' },
})

const BOOLEAN_ERRORS = errorResponses({ data: 'boolean', body: true })

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
        description: 'GET as MyFatoorah documents it, or POST with an empty, null or {} body. Without PageSize or recurringId every recurring payment is returned.',
        querystring: LIST_QUERY,
        response: { 200: envelopeSchema(always({ RecurringPayment: { type: 'array', items: RECURRING_PAYMENT } })), ...errorResponses({ body: true }) },
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
        description: 'POST or GET, no body needed. Refused (400, Data false) when the id matches nothing, or the recurring payment is already Canceled or Completed.',
        security: BEARER,
        querystring: RECURRING_ID_QUERY,
        response: { 200: envelopeSchema({ type: 'boolean', enum: [true] }), ...BOOLEAN_ERRORS },
        ...exampleOutcome(400, UNKNOWN_RECURRING_ID),
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
        description:
          'POST or GET, no body needed. On approval the recurring payment is Active again (or Completed). A declined charge answers 400 with Data false and leaves it Uncompleted; ' +
          'so does an id that matches nothing, or a recurring payment that is not Uncompleted.',
        security: BEARER,
        querystring: RECURRING_ID_QUERY,
        response: { 200: envelopeSchema({ type: 'boolean', enum: [true] }), ...BOOLEAN_ERRORS },
        ...exampleOutcome(400, UNKNOWN_RECURRING_ID),
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
