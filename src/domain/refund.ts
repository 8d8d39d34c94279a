import { referenceNumberOf, type NumberedRow } from './invoice.js'
import { toLocal } from './local-time.js'

/**
 * Refunds (MakeRefund, GetRefundStatus, the refund webhooks): their statuses and the rules of
 * how much of a payment may still be refunded. Amounts are integer minor units of the payment's
 * currency (the account's base currency); nothing here reads the clock or does I/O.
 */

/** Refund statuses in GetRefundStatus casing: `Pending` until the processor answers, then final. */
export const REFUND_STATUSES = ['Pending', 'Refunded', 'Canceled'] as const

/** One of {@link REFUND_STATUSES}. */
export type RefundStatus = (typeof REFUND_STATUSES)[number]

/** The final statuses, which the refund webhook announces. */
export type FinalRefundStatus = Exclude<RefundStatus, 'Pending'>

/** Final statuses as the refund webhooks spell them (v1 `RefundStatus`, v2 `Refund.Status`). */
export const WEBHOOK_REFUND_STATUS: Readonly<Record<FinalRefundStatus, 'REFUNDED' | 'CANCELED'>> = {
  Refunded: 'REFUNDED',
  Canceled: 'CANCELED',
}

/** What a refund of a payment counts against it: its amount, unless it was Canceled. */
export interface CountedRefund {
  readonly amountMinor: number
  readonly status: RefundStatus
}

/**
 * What is still refundable on a payment: its captured amount minus every refund that is not
 * Canceled (Pending ones included: their money may already be on its way back). Never below 0.
 */
export function refundableMinor(capturedMinor: number, refunds: readonly CountedRefund[]): number {
  assertMinor(capturedMinor, 'captured amount')
  let committed = 0
  for (const refund of refunds) {
    assertMinor(refund.amountMinor, 'refund amount')
    if (refund.status !== 'Canceled') committed += refund.amountMinor
  }
  return Math.max(0, capturedMinor - committed)
}

/** Why a refund of a captured payment is refused. */
export type RefundAmountRefusal =
  /** Another refund of the payment is still Pending: one at a time. */
  | 'under-processing'
  /** Nothing is left to refund. */
  | 'fully-refunded'
  /** More than is left to refund. */
  | 'exceeds-refundable'
  /** Zero or negative. */
  | 'not-positive'

/**
 * Whether `amountMinor` may be refunded now from a payment that captured `capturedMinor` and
 * already has `refunds`; undefined when it may. A refund never takes the refunds of a payment
 * beyond what it captured.
 */
export function refundAmountRefusal(capturedMinor: number, refunds: readonly CountedRefund[], amountMinor: number): RefundAmountRefusal | undefined {
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) return 'not-positive'
  if (refunds.some((refund) => refund.status === 'Pending')) return 'under-processing'
  const left = refundableMinor(capturedMinor, refunds)
  if (left === 0) return 'fully-refunded'
  if (amountMinor > left) return 'exceeds-refundable'
  return undefined
}

/**
 * What reaches the customer (`RefundAmount`): the amount, less the refunded share of the
 * payment's service charge when the customer bears it (`ServiceChargeOnCustomer`), pro rata and
 * rounded half up in minor units; never below 0. Without it, the whole amount.
 */
export function customerRefundMinor(options: {
  readonly amountMinor: number
  readonly capturedMinor: number
  readonly serviceChargeMinor: number
  readonly serviceChargeOnCustomer: boolean
}): number {
  const { amountMinor, capturedMinor, serviceChargeMinor, serviceChargeOnCustomer } = options
  assertMinor(amountMinor, 'refund amount')
  assertMinor(capturedMinor, 'captured amount')
  assertMinor(serviceChargeMinor, 'service charge')
  if (!serviceChargeOnCustomer || serviceChargeMinor === 0 || capturedMinor === 0) return amountMinor
  // BigInt: charge × amount can pass 2^53 within the largest amounts accepted.
  const share = (BigInt(serviceChargeMinor) * BigInt(amountMinor) * 2n + BigInt(capturedMinor)) / (2n * BigInt(capturedMinor))
  return Math.max(0, amountMinor - Number(share))
}

/** `RefundReference`: local year of its creation followed by the merchant's six-digit refund count, like InvoiceReference. */
export function refundReference(refund: NumberedRow, timeZone: string): string {
  return `${toLocal(refund.created_at, timeZone).year}${String(referenceNumberOf(refund)).padStart(6, '0')}`
}

/**
 * The merchant's refund number a `RefundReference` names, or undefined when it cannot be one
 * (the caller still compares the whole reference with the row's, year included).
 */
export function refundNumberOfReference(reference: string): number | undefined {
  const match = /^\s*\d{4}(\d{6,10})\s*$/.exec(reference)
  if (!match?.[1]) return undefined
  const id = Number(match[1])
  return Number.isSafeInteger(id) && id > 0 ? id : undefined
}

function assertMinor(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`The ${what} must be a non-negative integer of minor units, got ${value}`)
}
