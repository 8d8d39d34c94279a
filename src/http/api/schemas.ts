/**
 * JSON schemas of the /v2 routes, used for the OpenAPI document only. Requests are bound and
 * validated by domain code, because MyFatoorah binds names case-insensitively and accepts
 * numeric strings, which JSON Schema cannot express (reference §2.2 note); the bounds written
 * here are the ones that code enforces. A test checks every answer against these schemas and
 * sends every example as it stands (tests/integration/openapi.test.ts).
 */

const fieldError = {
  type: 'object',
  required: ['Name', 'Error'],
  properties: {
    Name: { type: 'string', description: 'The field as the client spelled it, nested as InvoiceItems[0].UnitPrice' },
    Error: { type: 'string' },
  },
} as const

/**
 * An object whose properties are all always present, except the `optional` ones. Answers use
 * it so that `required` says what a client can rely on.
 */
export function always<P extends Record<string, object>>(properties: P, optional: readonly (keyof P & string)[] = [], extra: Record<string, unknown> = {}) {
  return {
    type: 'object',
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
    properties,
    ...extra,
  } as const
}

/** The envelope of a success around `data` (reference §1.3). */
export function envelopeSchema(data: object, description = 'Success') {
  return {
    description,
    type: 'object',
    required: ['IsSuccess', 'Message', 'ValidationErrors', 'Data'],
    properties: {
      IsSuccess: { type: 'boolean', enum: [true] },
      Message: { type: ['string', 'null'], description: 'MyFatoorah’s text for the endpoint; "" on inquiries' },
      ValidationErrors: { type: 'null' },
      Data: data,
    },
  }
}

/** The envelope of a refusal: `Data` is null, or false on routes whose `Data` is a boolean. */
function errorEnvelope(description: string, data: 'null' | 'boolean') {
  return {
    description,
    type: 'object',
    required: ['IsSuccess', 'Message', 'ValidationErrors', 'Data'],
    properties: {
      IsSuccess: { type: 'boolean', enum: [false] },
      Message: { type: 'string' },
      ValidationErrors: { type: ['array', 'null'], items: fieldError, description: 'Every bad field at once; null when no field is to blame' },
      Data: data === 'null' ? { type: 'null' } : { type: ['boolean', 'null'], enum: [false, null] },
    },
  }
}

/** What can go wrong on a route, beyond a bad field and a bad key. */
export interface ErrorOptions {
  /** `Data` of a refusal: null (default), or false on routes whose `Data` is a boolean. */
  readonly data?: 'null' | 'boolean'
  /** When the route answers 404: what was not found. */
  readonly notFound?: string
  /** The route takes a JSON body (413, 415). */
  readonly body?: boolean
  /** The route honours Idempotency-Key (409). */
  readonly idempotent?: boolean
}

/** The error answers of a route, each with the envelope (docs/errors.md). */
export function errorResponses(options: ErrorOptions = {}) {
  const data = options.data ?? 'null'
  return {
    400: errorEnvelope('Invalid data (every bad field is listed in ValidationErrors), or a move the object cannot make now (Message says why)', data),
    401: errorEnvelope('Missing, unknown or revoked API key', 'null'),
    ...(options.notFound === undefined ? {} : { 404: errorEnvelope(options.notFound, 'null') }),
    ...(options.idempotent === true ? { 409: errorEnvelope('The Idempotency-Key was used with another request, or its first request is still running', 'null') } : {}),
    ...(options.body === true
      ? {
          413: errorEnvelope('The body is larger than 1 MiB', 'null'),
          415: errorEnvelope('The body is not sent as application/json (or text/plain JSON)', 'null'),
        }
      : {}),
    429: errorEnvelope('Too many requests from this key or address; the Retry-After header says how many seconds to wait', 'null'),
    500: errorEnvelope('A bug: the cause is logged, the answer says nothing more', 'null'),
  }
}

/** The errors of an authenticated POST that takes a body and an Idempotency-Key. */
export const ERROR_RESPONSES = errorResponses({ body: true, idempotent: true })

/** The bearer security requirement. */
export const BEARER = [{ bearerAuth: [] }]

/** The optional Idempotency-Key header (beyond MyFatoorah). */
export const IDEMPOTENCY_HEADER = {
  type: 'object',
  properties: {
    'Idempotency-Key': {
      type: 'string',
      maxLength: 255,
      description: 'Repeat a POST safely: same key and body within 24 h return the first response (header Idempotent-Replayed: true); the same key with another body is a 409.',
    },
  },
} as const

/** A decimal amount in the currency's units, as JSON number or numeric string. */
export const money = { type: ['number', 'string'], description: 'Decimal amount; numeric strings accepted; at most the currency’s decimals (3 for KWD, BHD, OMR, JOD)' } as const

/** A non-negative amount, as `money`. */
export const nonNegativeMoney = { ...money, minimum: 0 } as const

/** A local date-time of the account's country without offset, as MyFatoorah prints them. */
export const LOCAL_DATE_TIME = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?$',
  description: 'Local time of the account’s country, no offset, e.g. 2026-01-10T15:04:05.123',
} as const

/**
 * Says what the example of an operation answers when sent as it stands to a new sandbox
 * account, when that is not a success because it names something the account does not have
 * yet (an invoice, a token, a recurring payment). The OpenAPI test holds the server to it.
 */
export function exampleOutcome(status: number, error: string) {
  return { 'x-example-outcome': { status, error } } as const
}
