import { bodyText } from './webhook-text.js'
import type { WebhookEvent } from './webhook-events.js'

/** The body is not JSON, or not a webhook dawri sends (the message names the first bad field). */
export class WebhookParseError extends TypeError {
  override readonly name = 'WebhookParseError'
}

/** A small shape language: enough to check every field of the bodies dawri sends. */
type Spec =
  | 'string'
  | 'number'
  | 'null'
  | { readonly nullable: Spec }
  | { readonly oneOf: readonly (string | number)[] }
  | { readonly fields: Readonly<Record<string, Spec>> }
  | { readonly emptyArray: true }

const nullable = (spec: Spec): Spec => ({ nullable: spec })
const oneOf = (...values: (string | number)[]): Spec => ({ oneOf: values })
const fields = (shape: Record<string, Spec>): Spec => ({ fields: shape })
const S: Spec = 'string'
const N: Spec = 'number'
const S0 = nullable(S)

const TRANSACTION_STATUS = oneOf('SUCCESS', 'FAILED', 'CANCELED', 'AUTHORIZE', 'INPROGRESS')
const REFUND_STATUS = oneOf('REFUNDED', 'CANCELED')
const INVOICE_STATUS = oneOf('PENDING', 'PAID', 'CANCELED')
const RECURRING_STATUS = oneOf('DRAFT', 'ACTIVE', 'COMPLETED', 'UNCOMPLETED', 'CANCELED')

const v1 = (type: number, name: string, data: Record<string, Spec>): Spec =>
  fields({ EventType: oneOf(type), Event: oneOf(name), DateTime: S, CountryIsoCode: S, Data: fields(data) })
const v2 = (code: number, name: string, data: Record<string, Spec>): Spec =>
  fields({ Event: fields({ Code: oneOf(code), Name: oneOf(name), CountryIsoCode: S, CreationDate: S, Reference: S }), Data: fields(data) })

const V2_AMOUNT = fields({
  BaseCurrency: S,
  ValueInBaseCurrency: S,
  ServiceCharge: S,
  ServiceChargeVAT: S,
  ReceivableAmount: S,
  DisplayCurrency: S,
  ValueInDisplayCurrency: S,
  PayCurrency: S,
  ValueInPayCurrency: S,
})
const v2Transaction = (card: Spec): Spec =>
  fields({
    Id: S,
    Status: TRANSACTION_STATUS,
    PaymentMethod: S,
    PaymentId: S,
    ReferenceId: S0,
    TrackId: S0,
    AuthorizationId: S0,
    TransactionDate: S,
    ECI: S0,
    IP: fields({ Address: S0, Country: S0 }),
    Error: fields({ Code: S0, Message: S0 }),
    Card: nullable(card),
  })
const V2_INVOICE_BASE: Record<string, Spec> = { Id: S, Status: INVOICE_STATUS, Reference: S, CreationDate: S, ExpirationDate: S, UserDefinedField: S0 }

/** Every body dawri sends, by version and event number, with the event's kind. */
const BODIES: ReadonlyArray<{ readonly version: 'v1' | 'v2'; readonly code: number; readonly kind: WebhookEvent['kind']; readonly spec: Spec }> = [
  {
    version: 'v1',
    code: 1,
    kind: 'payment',
    spec: v1(1, 'TransactionsStatusChanged', {
      InvoiceId: N,
      InvoiceReference: S,
      CreatedDate: S,
      CustomerReference: S0,
      CustomerName: S0,
      CustomerMobile: S0,
      CustomerEmail: S0,
      TransactionStatus: TRANSACTION_STATUS,
      PaymentMethod: S,
      UserDefinedField: S0,
      ReferenceId: S0,
      TrackId: S0,
      PaymentId: S,
      AuthorizationId: S0,
      InvoiceValueInBaseCurrency: S,
      BaseCurrency: S,
      InvoiceValueInDisplayCurreny: S,
      DisplayCurrency: S,
      InvoiceValueInPayCurrency: S,
      PayCurrency: S,
    }),
  },
  {
    version: 'v1',
    code: 2,
    kind: 'refund',
    spec: v1(2, 'RefundStatusChanged', {
      RefundId: N,
      RefundReference: S,
      CreatedDate: S,
      RefundStatus: REFUND_STATUS,
      Amount: S,
      Comments: S,
      InvoiceId: N,
      GatewayReference: fields({ PaymentId: S, AuthorizationId: S, ReferenceId: S, TransactionId: S, RefundAmount: S, Currency: S, PaymentMethod: S }),
    }),
  },
  {
    version: 'v1',
    code: 5,
    kind: 'recurring',
    spec: v1(5, 'RecurringStatusChanged', {
      RecurringId: S,
      RecurringStatus: RECURRING_STATUS,
      NextPayDate: S0,
      InvoiceId: nullable(N),
      InvoiceReference: S0,
      CreatedDate: S0,
      TransactionStatus: nullable(TRANSACTION_STATUS),
      ReferenceId: S0,
      TrackId: S0,
      PaymentId: S0,
      AuthorizationId: S0,
      InvoiceValueInBaseCurrency: S0,
      BaseCurrency: S0,
    }),
  },
  {
    version: 'v2',
    code: 1,
    kind: 'payment',
    spec: v2(1, 'PAYMENT_STATUS_CHANGED', {
      Invoice: fields({ ...V2_INVOICE_BASE, ExternalIdentifier: S0, MetaData: 'null' }),
      Transaction: v2Transaction(
        fields({ NameOnCard: S0, Number: S, Token: S0, PanHash: S0, ExpiryMonth: S0, ExpiryYear: S0, Brand: S0, Issuer: S0, IssuerCountry: S0, FundingMethod: S0 }),
      ),
      Customer: fields({ Name: S0, Mobile: S0, Email: S0 }),
      Amount: V2_AMOUNT,
      Suppliers: { emptyArray: true },
    }),
  },
  {
    version: 'v2',
    code: 2,
    kind: 'refund',
    spec: v2(2, 'REFUND_STATUS_CHANGED', {
      Refund: fields({ Id: N, Reference: S, Status: REFUND_STATUS, CreationDate: S, Comment: S, ExternalIdentifier: S }),
      Amount: fields({ BaseCurrency: S, ValueInBaseCurrency: S, DisplayCurrency: S, ValueInDisplayCurrency: S }),
      ReferencedInvoice: fields({ Id: S, Reference: S }),
    }),
  },
  {
    version: 'v2',
    code: 5,
    kind: 'recurring',
    spec: v2(5, 'RECURRING_UPDATES', {
      Recurring: fields({ Id: S, NextPayDate: S0, Status: RECURRING_STATUS, InitialInvoiceId: S }),
      Payment: nullable(
        fields({
          Invoice: fields(V2_INVOICE_BASE),
          Transaction: v2Transaction(fields({ Number: S, Brand: S0, Issuer: S0 })),
          Amount: V2_AMOUNT,
        }),
      ),
    }),
  },
]

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** The first place `value` breaks `spec`, as `path: what`; undefined when it fits. Extra fields are allowed. */
function mismatch(value: unknown, spec: Spec, path: string): string | undefined {
  if (spec === 'string' || spec === 'number') return typeof value === spec ? undefined : `${path} must be a ${spec}`
  if (spec === 'null') return value === null ? undefined : `${path} must be null`
  if ('nullable' in spec) return value === null ? undefined : mismatch(value, spec.nullable, path)
  if ('oneOf' in spec) return spec.oneOf.includes(value as string | number) ? undefined : `${path} must be one of ${spec.oneOf.join(', ')}`
  if ('emptyArray' in spec) return Array.isArray(value) && value.length === 0 ? undefined : `${path} must be an empty list`
  if (!isRecord(value)) return `${path} must be an object`
  for (const [name, fieldSpec] of Object.entries(spec.fields)) {
    if (!(name in value)) return `${path}.${name} is missing`
    const problem = mismatch(value[name], fieldSpec, `${path}.${name}`)
    if (problem !== undefined) return problem
  }
  return undefined
}

/** `v1` when the body has a numeric `EventType`, `v2` when it has an `Event` object; else undefined. */
export function versionOfBody(body: unknown): 'v1' | 'v2' | undefined {
  if (!isRecord(body)) return undefined
  if (typeof body['EventType'] === 'number') return 'v1'
  if (isRecord(body['Event'])) return 'v2'
  return undefined
}

/**
 * Parses a webhook body (the raw request body, before any JSON parsing of yours) into a typed
 * event. Throws {@link WebhookParseError} when it is not JSON or not one of the events dawri
 * sends. Check the signature first with `verifyWebhookSignature`.
 */
export function parseWebhookEvent(rawBody: string | Uint8Array): WebhookEvent {
  let body: unknown
  try {
    body = JSON.parse(bodyText(rawBody)) as unknown
  } catch (error) {
    throw new WebhookParseError(`Webhook body is not JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  const version = versionOfBody(body)
  if (version === undefined) throw new WebhookParseError('Webhook body has neither a numeric EventType (v1) nor an Event object (v2)')
  const record = body as Record<string, unknown>
  const code = version === 'v1' ? record['EventType'] : (record['Event'] as Record<string, unknown>)['Code']
  const known = BODIES.find((entry) => entry.version === version && entry.code === code)
  if (!known) throw new WebhookParseError(`Unsupported ${version} webhook event ${String(code)}; dawri sends events 1 (payment), 2 (refund) and 5 (recurring)`)
  const problem = mismatch(body, known.spec, 'body')
  if (problem !== undefined) throw new WebhookParseError(`Malformed ${version} webhook: ${problem}`)
  return { kind: known.kind, version, body } as WebhookEvent
}
