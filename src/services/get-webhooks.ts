import { validationError, type FieldError } from '../domain/errors.js'
import { FieldReader } from '../domain/field-reader.js'
import { formatLocalIso } from '../domain/local-time.js'
import type { Merchant } from '../domain/merchant.js'
import { fromInvoiceId, toInvoiceId, toRecurringId, type PublicIdKeys } from '../domain/public-ids.js'
import { countOutboxEvents, listOutboxEvents, type OutboxFilter, type OutboxRow } from '../store/outbox.repository.js'
import { listWebhookAttempts, type WebhookAttemptRow } from '../store/webhook-attempt.repository.js'
import { V1_EVENT_NAMES, V2_EVENT_NAMES } from '../webhooks/webhook-facts.js'
import { parseWebhookReference, webhookReferenceOf } from '../webhooks/outbox.js'
import { signatureStringForBody, signWebhook } from '../webhooks/signature.js'
import type { Deps } from '../deps.js'

/** Events per page, as MyFatoorah (reference §7.1). */
export const WEBHOOK_PAGE_SIZE = 500

/**
 * GetWebhooks statuses (reference §7.1) and the outbox states behind them: Waiting (never
 * attempted yet), Running (attempted, retries continue), Succeeded, Failed (retries exhausted);
 * beyond MyFatoorah, Skipped: no webhook URL was configured when the event happened.
 */
export const WEBHOOK_LOG_STATUSES = ['Waiting', 'Running', 'Succeeded', 'Failed', 'Skipped'] as const

/** One of {@link WEBHOOK_LOG_STATUSES}. */
export type WebhookLogStatus = (typeof WEBHOOK_LOG_STATUSES)[number]

/** KeyType values of GetWebhooks (reference §7.1). */
export const WEBHOOK_KEY_TYPES = ['InvoiceId', 'CustomerReference', 'WebhookReference'] as const

/** EventType filter spellings: v1 and v2 names (with GetWebhooks' own typos) → event code. */
const EVENT_TYPE_CODES: Readonly<Record<string, number>> = {
  ...Object.fromEntries(Object.entries(V1_EVENT_NAMES).map(([code, name]) => [name.toLowerCase(), Number(code)])),
  ...Object.fromEntries(Object.entries(V2_EVENT_NAMES).map(([code, name]) => [name.toLowerCase(), Number(code)])),
  balance_transfered: 3,
  suplier_status_changed: 4,
}

const KNOWN_EVENT_CODES: ReadonlySet<number> = new Set(Object.values(EVENT_TYPE_CODES))

/** One item of GetWebhooks `Items` (and of ResendWebhook's `Data`). */
export interface WebhookLogItem {
  WebhookReference: string
  EventCode: number
  EventName: string
  /** InvoiceId (payment events) or RecurringId (recurring events) the event is about. */
  EventEntityId: string
  EndPoint: string | null
  /** MyFatoorah-Signature of the body under the merchant's current secret. */
  Signature: string
  /** The body exactly as sent. */
  Data: unknown
  Status: WebhookLogStatus
  CreationDate: string
  Attempts: Array<{ Date: string; Status: number | null; ResponseMessage: string | null; Duration: number }>
}

/** Presents an outbox row and its attempts (oldest first). */
export function webhookLogItem(
  row: OutboxRow,
  attempts: readonly WebhookAttemptRow[],
  merchant: Merchant,
  ids: PublicIdKeys,
): WebhookLogItem {
  const version = row.webhook_version
  const names: Readonly<Record<number, string>> = version === 'v1' ? V1_EVENT_NAMES : V2_EVENT_NAMES
  const body = JSON.parse(row.body) as unknown
  const [kind, id] = row.entity_key.split(':')
  const entityId =
    kind === 'invoice' ? String(toInvoiceId(Number(id), ids)) : kind === 'recurrence' ? toRecurringId(Number(id), ids) : ''
  return {
    WebhookReference: webhookReferenceOf(row),
    EventCode: row.event_code,
    EventName: names[row.event_code] ?? String(row.event_code),
    EventEntityId: entityId,
    EndPoint: row.target_url,
    Signature: signWebhook(signatureStringForBody(version, body), merchant.webhookSecret),
    Data: body,
    Status: logStatusOf(row),
    CreationDate: formatLocalIso(row.created_at, merchant.timeZone),
    Attempts: attempts.map((attempt) => ({
      Date: formatLocalIso(attempt.attempted_at, merchant.timeZone),
      Status: attempt.status_code,
      ResponseMessage: attempt.error ?? attempt.response_text,
      Duration: attempt.duration_ms,
    })),
  }
}

function logStatusOf(row: Pick<OutboxRow, 'status' | 'attempt_count'>): WebhookLogStatus {
  switch (row.status) {
    case 'delivered':
      return 'Succeeded'
    case 'failed':
      return 'Failed'
    case 'skipped':
      return 'Skipped'
    default:
      return row.attempt_count === 0 ? 'Waiting' : 'Running'
  }
}

/** Attempts of some events, oldest first, grouped by event id. */
export async function loadAttempts(deps: Deps, eventIds: readonly number[]): Promise<Map<number, WebhookAttemptRow[]>> {
  const byEvent = new Map<number, WebhookAttemptRow[]>()
  for (const row of await listWebhookAttempts(deps.store.db, eventIds)) {
    byEvent.set(row.event_id, [...(byEvent.get(row.event_id) ?? []), row])
  }
  return byEvent
}

/** POST /v2/GetWebhooks: the merchant's events with their delivery attempts (reference §7.1). */
export async function getWebhooks(deps: Deps, merchant: Merchant, body: unknown) {
  const errors: FieldError[] = []
  const reader = new FieldReader(body ?? {}, errors)
  const start = readInstant(reader, 'Start')
  const end = readInstant(reader, 'End')
  const page = reader.integer('Page', { min: 1, max: 1_000_000 }) ?? 1
  // Beyond MyFatoorah: a smaller page for tools and tests; 500 as documented by default.
  const pageSize = reader.integer('PageSize', { min: 1, max: WEBHOOK_PAGE_SIZE }) ?? WEBHOOK_PAGE_SIZE
  const eventTypeText = reader.string('EventType', { max: 100 })
  const eventCode = eventTypeText === undefined ? undefined : eventCodeOf(eventTypeText)
  if (eventTypeText !== undefined && eventCode === undefined) {
    reader.fail('EventType', 'EventType must be an event name such as PAYMENT_STATUS_CHANGED or RECURRING_UPDATES')
  }
  const status = reader.choice('Status', WEBHOOK_LOG_STATUSES)
  const keys = readKeys(reader)
  const keyType = reader.choice('KeyType', WEBHOOK_KEY_TYPES, { required: keys !== undefined })
  if (errors.length > 0) throw validationError(errors)

  const filter: OutboxFilter = {
    merchantId: merchant.id,
    createdFrom: start,
    createdTo: end,
    eventCode,
    ...(status === undefined ? {} : LOG_STATUS_FILTERS[status]),
    ...(keys !== undefined && keyType !== undefined ? keyFilter(keys, keyType, deps.ids) : {}),
  }
  const itemsCount = await countOutboxEvents(deps.store.db, filter)
  const rows = await listOutboxEvents(deps.store.db, filter, { limit: pageSize, offset: (page - 1) * pageSize })
  const attempts = await loadAttempts(deps, rows.map((row) => row.id))
  return {
    Items: rows.map((row) => webhookLogItem(row, attempts.get(row.id) ?? [], merchant, deps.ids)),
    Pagination: {
      PageSize: pageSize,
      PageNumber: page,
      PagesCount: Math.ceil(itemsCount / pageSize),
      ItemsCount: itemsCount,
    },
  }
}

/** The outbox states behind each GetWebhooks status. */
const LOG_STATUS_FILTERS: Readonly<Record<WebhookLogStatus, Pick<OutboxFilter, 'status' | 'attempted'>>> = {
  Waiting: { status: 'pending', attempted: false },
  Running: { status: 'pending', attempted: true },
  Succeeded: { status: 'delivered' },
  Failed: { status: 'failed' },
  Skipped: { status: 'skipped' },
}

/** The events `Key` names; keys that cannot be ours match nothing, like a lookup of an unknown invoice. */
function keyFilter(
  keys: readonly string[],
  keyType: (typeof WEBHOOK_KEY_TYPES)[number],
  ids: PublicIdKeys,
): Pick<OutboxFilter, 'customerReferences' | 'invoiceIds' | 'referenceNumbers'> {
  if (keyType === 'CustomerReference') return { customerReferences: keys }
  const parse = keyType === 'InvoiceId' ? (key: string) => invoiceKeyOf(key, ids) : parseWebhookReference
  const parsed = keys.map(parse).filter((value): value is number => value !== undefined)
  return keyType === 'InvoiceId' ? { invoiceIds: parsed } : { referenceNumbers: parsed }
}

function eventCodeOf(text: string): number | undefined {
  const trimmed = text.trim()
  // A code counts only when it is one: an unknown number is a bad filter, not a query that
  // overflows the column (PostgreSQL refuses 07070675903511 as an integer).
  if (/^\d+$/.test(trimmed)) return KNOWN_EVENT_CODES.has(Number(trimmed)) ? Number(trimmed) : undefined
  return EVENT_TYPE_CODES[trimmed.toLowerCase()]
}

function invoiceKeyOf(key: string, ids: PublicIdKeys): number | undefined {
  return /^\d{1,15}$/.test(key) ? fromInvoiceId(Number(key), ids) : undefined
}

/** ISO 8601 in UTC (reference §7.1); a time without Z or offset is read as UTC too. */
function readInstant(reader: FieldReader, field: string): number | undefined {
  const text = reader.string(field, { max: 40 })?.trim()
  if (text === undefined) return undefined
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text)
    ? `${text}T00:00:00Z`
    : /([zZ]|[+-]\d{2}:?\d{2})$/.test(text)
      ? text
      : `${text}Z`
  const value = /^\d{4}-\d{2}-\d{2}/.test(iso) ? Date.parse(iso) : Number.NaN
  if (!Number.isFinite(value)) return reader.fail(field, `${field} must be an ISO 8601 date, e.g. 2026-01-10T00:00:00Z`)
  return value
}

/** Most values one GetWebhooks `Key` list may hold. */
export const MAX_WEBHOOK_KEYS = 500

/** `Key`: a list of strings or numbers (at most {@link MAX_WEBHOOK_KEYS}); a single value is a list of one. */
function readKeys(reader: FieldReader): string[] | undefined {
  const raw = reader.raw('Key')
  if (raw === undefined) return undefined
  const values = Array.isArray(raw) ? raw : [raw]
  if (values.length > MAX_WEBHOOK_KEYS) {
    reader.fail('Key', `Key must not list more than ${MAX_WEBHOOK_KEYS} values`)
    return undefined
  }
  const keys: string[] = []
  for (const value of values) {
    if (typeof value === 'string' && value.includes('\u0000')) {
      reader.fail('Key', 'Key must not contain the NUL character')
      return undefined
    }
    if (typeof value === 'string' || typeof value === 'number') {
      if (String(value).trim() !== '') keys.push(String(value).trim())
    } else {
      reader.fail('Key', 'Key must be a list of texts or numbers')
      return undefined
    }
  }
  return keys.length > 0 ? keys : undefined
}
