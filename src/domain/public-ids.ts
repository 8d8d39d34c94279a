/**
 * Public identifiers are a keyed permutation of the internal auto-increment keys: unique by
 * construction (no collision retries), unguessable without the instance key, and reversible so
 * that a lookup by public id is a primary-key lookup. The permutation is a 4-round Feistel
 * network over 30 bits; the round keys come from the instance's `public_id_key` setting.
 */

/** The kinds of public identifier; each has its own round keys so ids do not correlate. */
export const PUBLIC_ID_KINDS = ['invoice', 'payment', 'recurring', 'refund'] as const

/** One of {@link PUBLIC_ID_KINDS}. */
export type PublicIdKind = (typeof PUBLIC_ID_KINDS)[number]

const HALF_BITS = 15
const HALF_MASK = (1 << HALF_BITS) - 1
/** Internal keys must stay below this bound (about 1.07 billion rows per table). */
export const MAX_INTERNAL_ID = 2 ** (2 * HALF_BITS) - 1
const INVOICE_OFFSET = 1_000_000
/** RefundIds start here: above every InvoiceId (below 1_000_000 + 2^30), so the two never coincide. */
const REFUND_OFFSET = 2_000_000_000

/** Round keys for every kind, derived from the instance key text. */
export type PublicIdKeys = Readonly<Record<PublicIdKind, readonly number[]>>

/** Derives the round keys of each kind from the instance key (hex or any text). */
export function makePublicIdKeys(instanceKey: string): PublicIdKeys {
  const derive = (kind: PublicIdKind): number[] => {
    const keys: number[] = []
    for (let round = 0; round < 4; round++) keys.push(hashText(`${instanceKey}:${kind}:${round}`))
    return keys
  }
  return { invoice: derive('invoice'), payment: derive('payment'), recurring: derive('recurring'), refund: derive('refund') }
}

/** FNV-1a over UTF-16 code units, finished with a mix; only used to spread key material. */
function hashText(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return mix32(h)
}

function mix32(value: number): number {
  let x = value | 0
  x ^= x >>> 16
  x = Math.imul(x, 0x7feb352d)
  x ^= x >>> 15
  x = Math.imul(x, 0x846ca68b)
  x ^= x >>> 16
  return x >>> 0
}

function round(half: number, key: number): number {
  return mix32(half ^ key) & HALF_MASK
}

/**
 * Applies the permutation to a value in [0, MAX_INTERNAL_ID]. Throws a RangeError outside it:
 * the bit masks would silently fold such a value onto another row's id.
 */
export function permute(value: number, roundKeys: readonly number[]): number {
  checkRange(value)
  let left = (value >>> HALF_BITS) & HALF_MASK
  let right = value & HALF_MASK
  for (const key of roundKeys) {
    const next = left ^ round(right, key)
    left = right
    right = next
  }
  return left * (1 << HALF_BITS) + right
}

/** Inverse of {@link permute}; same domain. */
export function unpermute(value: number, roundKeys: readonly number[]): number {
  checkRange(value)
  let left = (value >>> HALF_BITS) & HALF_MASK
  let right = value & HALF_MASK
  for (let i = roundKeys.length - 1; i >= 0; i--) {
    const previousRight = left
    const previousLeft = right ^ round(previousRight, roundKeys[i] ?? 0)
    left = previousLeft
    right = previousRight
  }
  return left * (1 << HALF_BITS) + right
}

function checkRange(value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_INTERNAL_ID) {
    throw new RangeError(`Internal id ${value} is outside 0..${MAX_INTERNAL_ID} and has no public id`)
  }
}

/** Public `InvoiceId` (an integer of 7 to 10 digits) for an internal invoice key. */
export function toInvoiceId(internalId: number, keys: PublicIdKeys): number {
  return permute(internalId, keys.invoice) + INVOICE_OFFSET
}

/** Internal key for a public `InvoiceId`, or undefined when it cannot be one of ours. */
export function fromInvoiceId(invoiceId: number, keys: PublicIdKeys): number | undefined {
  const value = invoiceId - INVOICE_OFFSET
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_INTERNAL_ID) return undefined
  return unpermute(value, keys.invoice)
}

/** Public `PaymentId` (digits, begins with `0707` as MyFatoorah's card payments do). */
export function toPaymentId(internalId: number, keys: PublicIdKeys): string {
  return '0707' + String(permute(internalId, keys.payment)).padStart(10, '0')
}

/** Internal transaction key for a `PaymentId`, or undefined when it cannot be one of ours. */
export function fromPaymentId(paymentId: string, keys: PublicIdKeys): number | undefined {
  if (!/^0707\d{10}$/.test(paymentId)) return undefined
  const value = Number(paymentId.slice(4))
  if (value > MAX_INTERNAL_ID) return undefined
  return unpermute(value, keys.payment)
}

/** Public `RecurringId`, `RECUR` + digits. */
export function toRecurringId(internalId: number, keys: PublicIdKeys): string {
  return 'RECUR' + String(permute(internalId, keys.recurring) + INVOICE_OFFSET)
}

/** Internal recurrence key for a `RecurringId` (case-insensitive prefix), or undefined. */
export function fromRecurringId(recurringId: string, keys: PublicIdKeys): number | undefined {
  const match = /^RECUR(\d{1,10})$/i.exec(recurringId.trim())
  if (!match?.[1]) return undefined
  const value = Number(match[1]) - INVOICE_OFFSET
  if (value < 0 || value > MAX_INTERNAL_ID) return undefined
  return unpermute(value, keys.recurring)
}

/** Public `RefundId`: a 10-digit integer, above every InvoiceId, from its own round keys. */
export function toRefundId(internalId: number, keys: PublicIdKeys): number {
  return permute(internalId, keys.refund) + REFUND_OFFSET
}

/** Internal refund key for a public `RefundId`, or undefined when it cannot be one of ours. */
export function fromRefundId(refundId: number, keys: PublicIdKeys): number | undefined {
  const value = refundId - REFUND_OFFSET
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_INTERNAL_ID) return undefined
  return unpermute(value, keys.refund)
}
