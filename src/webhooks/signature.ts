import { createHmac, timingSafeEqual } from 'node:crypto'

import type { WebhookVersion } from './webhook-facts.js'
import type { WebhookBody } from './wire-shapes.js'

/**
 * Webhook signatures exactly as reference §7.5 describes them: a `key=value,…` text built from
 * the event's `Data`, HMAC-SHA256 keyed with the secret's UTF-8 bytes, standard padded Base64.
 */

/** Header carrying the Base64 HMAC (reference §7.2). */
export const SIGNATURE_HEADER = 'MyFatoorah-Signature'

/** Header carrying `v1` or `v2`; one client library rejects requests without it (reference §7.2). */
export const VERSION_HEADER = 'MyFatoorah-Webhook-Version'

/** v1 top-level Data keys that hold nested objects and are documented as unsigned (§7.5). */
export const V1_UNSIGNED_KEYS = ['GatewayReference', 'KycFeedback'] as const

/** v2 signed fields per `Event.Code`, as dotted paths in signing order (reference §7.5). */
export const V2_SIGNED_FIELDS: Record<number, readonly string[]> = {
  1: ['Invoice.Id', 'Invoice.Status', 'Transaction.Status', 'Transaction.PaymentId', 'Invoice.ExternalIdentifier'],
  2: ['Refund.Id', 'Refund.Status', 'Amount.ValueInBaseCurrency', 'ReferencedInvoice.Id'],
  3: ['Deposit.Reference', 'Deposit.ValueInBaseCurrency', 'Deposit.NumberOfTransactions'],
  4: ['Supplier.Code', 'KycDecision.Status'],
  5: ['Recurring.Id', 'Recurring.Status', 'Recurring.InitialInvoiceId'],
  6: [
    'Dispute.DisputeTransactionId',
    'Dispute.Status',
    'Invoice.Id',
    'Invoice.Status',
    'Transaction.Status',
    'Transaction.PaymentId',
    'Invoice.ExternalIdentifier',
  ],
  7: ['Supplier.Code', 'RequestStatus.Status'],
}

const isObjectLike = (value: unknown): value is object => typeof value === 'object' && value !== null

/**
 * Text of one signed value: null/undefined → empty, numbers as JSON text, strings verbatim.
 * Booleans are rendered as JSON text too, although clients disagree on them (§11); dawri's
 * builders never emit any.
 */
function renderValue(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  // JSON text is what the receiver sees; NaN/Infinity travel as null, hence empty.
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : ''
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  return ''
}

/** strcasecmp-style key: only ASCII letters fold, as in the official PHP library. */
const foldAscii = (key: string) => key.replace(/[A-Z]/g, (c) => c.toLowerCase())

/** Case-insensitive order by UTF-8 bytes, ties (`A` vs `a`) broken by raw byte order. */
function compareKeys(a: string, b: string): number {
  const folded = Buffer.compare(Buffer.from(foldAscii(a), 'utf8'), Buffer.from(foldAscii(b), 'utf8'))
  return folded !== 0 ? folded : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

/**
 * The v1 signed text: every top-level property of `Data` except nested objects/arrays (which
 * covers `GatewayReference` and `KycFeedback`), sorted case-insensitively, `key=value` joined by
 * commas. Keys whose value is `undefined` are skipped because JSON never carries them, so the
 * receiver could not sign them either.
 */
export function signatureStringV1(data: Record<string, unknown>): string {
  const unsigned: readonly string[] = V1_UNSIGNED_KEYS
  return Object.keys(data)
    .filter((key) => !unsigned.includes(key) && data[key] !== undefined && !isObjectLike(data[key]))
    .sort(compareKeys)
    .map((key) => `${key}=${renderValue(data[key])}`)
    .join(',')
}

/** Reads a dotted path (`Invoice.Id`) from nested objects; undefined when any step is missing. */
function readPath(data: unknown, path: string): unknown {
  let current: unknown = data
  for (const step of path.split('.')) {
    if (!isObjectLike(current) || Array.isArray(current)) return undefined
    current = (current as Record<string, unknown>)[step]
  }
  return current
}

/**
 * The v2 signed text: the event's fixed list of dotted paths, in list order, with the path as
 * the key; missing or null values sign as empty. Throws for an event code with no list.
 */
export function signatureStringV2(eventCode: number, data: Record<string, unknown>): string {
  const fields = V2_SIGNED_FIELDS[eventCode]
  if (!fields) throw new RangeError(`No v2 signed-field list for event code ${eventCode}`)
  return fields
    .map((path) => {
      const value = readPath(data, path)
      return `${path}=${isObjectLike(value) ? '' : renderValue(value)}`
    })
    .join(',')
}

/** Base64 (standard, padded) HMAC-SHA256 of `text`, keyed with `secret` as UTF-8 text. */
export function signWebhook(text: string, secret: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(text, 'utf8').digest('base64')
}

/**
 * The signed text of a whole body of the given version. Accepts parsed JSON of unknown shape
 * (for receivers) and throws a TypeError when it is not a body of that version.
 */
export function signatureStringForBody(version: WebhookVersion, body: unknown): string {
  if (!isObjectLike(body)) throw new TypeError('Webhook body must be an object')
  const record = body as Record<string, unknown>
  const data = record['Data']
  if (version === 'v1') {
    if (typeof record['EventType'] !== 'number') throw new TypeError('v1 body lacks a numeric EventType')
    if (!isObjectLike(data) || Array.isArray(data)) throw new TypeError('v1 body lacks a Data object')
    return signatureStringV1(data as Record<string, unknown>)
  }
  const event = record['Event']
  const code = isObjectLike(event) ? (event as Record<string, unknown>)['Code'] : undefined
  if (typeof code !== 'number') throw new TypeError('v2 body lacks a numeric Event.Code')
  if (!isObjectLike(data) || Array.isArray(data)) throw new TypeError('v2 body lacks a Data object')
  return signatureStringV2(code, data as Record<string, unknown>)
}

/** The `MyFatoorah-Signature` value for a body dawri is about to send. */
export function signWebhookBody(version: WebhookVersion, body: WebhookBody, secret: string): string {
  return signWebhook(signatureStringForBody(version, body), secret)
}

/**
 * True when `signature` (the header value) is the body's signature under `secret`. Compares in
 * constant time; a missing header or a body of the wrong shape is simply not valid.
 */
export function verifyWebhookSignature(
  version: WebhookVersion,
  body: unknown,
  secret: string,
  signature: string | null | undefined,
): boolean {
  if (typeof signature !== 'string') return false
  let expected: string
  try {
    expected = signWebhook(signatureStringForBody(version, body), secret)
  } catch {
    return false
  }
  const given = Buffer.from(signature.trim(), 'utf8')
  const wanted = Buffer.from(expected, 'utf8')
  // timingSafeEqual throws on unequal lengths; the length of a Base64 SHA-256 digest is public.
  return given.length === wanted.length && timingSafeEqual(given, wanted)
}
