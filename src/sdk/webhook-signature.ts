// node:crypto, a Node built-in: Web Crypto's HMAC is async and this check is synchronous.
import { createHmac, timingSafeEqual } from 'node:crypto'

import { versionOfBody } from './webhook-parse.js'
import { bodyText } from './webhook-text.js'

/**
 * MyFatoorah's webhook signature: a `key=value,…` text built from the body's `Data`, HMAC-SHA256
 * keyed with the secret's UTF-8 bytes, standard padded Base64, in `MyFatoorah-Signature`.
 */

/** v2 signed fields per `Event.Code`, as dotted paths in signing order. */
const V2_SIGNED_FIELDS: Readonly<Record<number, readonly string[]>> = {
  1: ['Invoice.Id', 'Invoice.Status', 'Transaction.Status', 'Transaction.PaymentId', 'Invoice.ExternalIdentifier'],
  2: ['Refund.Id', 'Refund.Status', 'Amount.ValueInBaseCurrency', 'ReferencedInvoice.Id'],
  3: ['Deposit.Reference', 'Deposit.ValueInBaseCurrency', 'Deposit.NumberOfTransactions'],
  4: ['Supplier.Code', 'KycDecision.Status'],
  5: ['Recurring.Id', 'Recurring.Status', 'Recurring.InitialInvoiceId'],
  6: ['Dispute.DisputeTransactionId', 'Dispute.Status', 'Invoice.Id', 'Invoice.Status', 'Transaction.Status', 'Transaction.PaymentId', 'Invoice.ExternalIdentifier'],
  7: ['Supplier.Code', 'RequestStatus.Status'],
}

const isObjectLike = (value: unknown): value is object => typeof value === 'object' && value !== null

/** One signed value: null → empty, numbers as JSON text, strings verbatim, objects empty. */
function renderValue(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : ''
  if (typeof value === 'boolean') return String(value)
  return ''
}

const utf8 = new TextEncoder()

/** Byte-wise comparison of UTF-8 encodings. */
function compareBytes(a: string, b: string): number {
  const x = utf8.encode(a)
  const y = utf8.encode(b)
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number)
  return x.length - y.length
}

/** strcasecmp order (only ASCII letters fold, as PHP's), ties broken by the raw bytes. */
function compareKeys(a: string, b: string): number {
  const fold = (key: string) => key.replace(/[A-Z]/g, (c) => c.toLowerCase())
  return compareBytes(fold(a), fold(b)) || compareBytes(a, b)
}

/** v1: every top-level `Data` property that is not an object or a list, sorted case-insensitively. */
function signedTextV1(data: Record<string, unknown>): string {
  return Object.keys(data)
    .filter((key) => data[key] !== undefined && !isObjectLike(data[key]))
    .sort(compareKeys)
    .map((key) => `${key}=${renderValue(data[key])}`)
    .join(',')
}

/** v2: the event's fixed list of dotted paths; a missing value signs as empty. */
function signedTextV2(code: number, data: Record<string, unknown>): string | undefined {
  const paths = V2_SIGNED_FIELDS[code]
  if (!paths) return undefined
  return paths
    .map((path) => {
      let value: unknown = data
      for (const step of path.split('.')) value = isObjectLike(value) && !Array.isArray(value) ? (value as Record<string, unknown>)[step] : undefined
      return `${path}=${isObjectLike(value) ? '' : renderValue(value)}`
    })
    .join(',')
}

/** The text MyFatoorah signs for a parsed body of a version; undefined when the body does not fit it. */
export function webhookSignedText(version: 'v1' | 'v2', body: unknown): string | undefined {
  if (!isObjectLike(body) || Array.isArray(body)) return undefined
  const record = body as Record<string, unknown>
  const data = record['Data']
  if (!isObjectLike(data) || Array.isArray(data)) return undefined
  if (version === 'v1') return typeof record['EventType'] === 'number' ? signedTextV1(data as Record<string, unknown>) : undefined
  const event = record['Event']
  const code = isObjectLike(event) ? (event as Record<string, unknown>)['Code'] : undefined
  return typeof code === 'number' ? signedTextV2(code, data as Record<string, unknown>) : undefined
}

/** Headers as Node (`req.headers`), a plain object, or a fetch `Headers`. */
export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>

/** One header's single value, looked up case-insensitively; undefined when absent or repeated. */
function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function') {
    const value = (headers as Headers).get(name)
    // A fetch Headers joins repeated headers with ", "; a Base64 signature never holds one.
    return value === null || value.includes(',') ? undefined : value
  }
  const lower = name.toLowerCase()
  const values = Object.entries(headers as Record<string, string | readonly string[] | undefined>)
    .filter(([key]) => key.toLowerCase() === lower)
    .flatMap(([, value]) => (value === undefined ? [] : typeof value === 'string' ? [value] : [...value]))
  return values.length === 1 ? values[0] : undefined
}

/**
 * True when the webhook was signed with `secret` (the account's webhook secret): `rawBody` is
 * the request body exactly as received, `headers` the request's headers. Handles v1 and v2
 * (from `MyFatoorah-Webhook-Version`, or the body's shape when the header is absent) and compares
 * in constant time. Anything malformed is simply not genuine: this never throws for bad input.
 */
export function verifyWebhookSignature(rawBody: string | Uint8Array, headers: WebhookHeaders, secret: string): boolean {
  if (typeof secret !== 'string' || secret === '') return false
  const signature = headerValue(headers, 'MyFatoorah-Signature')?.trim()
  if (signature === undefined || signature === '') return false
  let body: unknown
  try {
    body = JSON.parse(bodyText(rawBody)) as unknown
  } catch {
    return false
  }
  const declared = headerValue(headers, 'MyFatoorah-Webhook-Version')?.trim().toLowerCase()
  const version = declared === 'v1' || declared === 'v2' ? declared : declared === undefined ? versionOfBody(body) : undefined
  if (version === undefined) return false
  const text = webhookSignedText(version, body)
  if (text === undefined) return false
  const expected = Buffer.from(createHmac('sha256', Buffer.from(secret, 'utf8')).update(text, 'utf8').digest('base64'), 'utf8')
  const given = Buffer.from(signature, 'utf8')
  // The length of a Base64 SHA-256 digest is public; timingSafeEqual needs equal lengths.
  return given.length === expected.length && timingSafeEqual(given, expected)
}
