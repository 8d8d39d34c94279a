import { setTimeout as delay } from 'node:timers/promises'

import { addCounts, emptyCounts, type BillingCounts } from '../billing/billing-counts.js'
import { isContention } from '../billing/contention.js'
import { runBillingPass } from '../billing/run-billing-pass.js'
import { AppError, coerceError, validationError, type FieldError } from '../domain/errors.js'
import { FieldReader } from '../domain/field-reader.js'
import { formatLocalIso, fromLocal } from '../domain/local-time.js'
import { merchantNow, type Merchant } from '../domain/merchant.js'
import { advanceClockOffset, readClockOffset } from '../store/merchant.repository.js'
import { findNextOutboxAttemptAt } from '../store/outbox.repository.js'
import { findNextAttemptDue } from '../store/recurring-payment.repository.js'
import { deliverDueWebhooks } from '../webhooks/dispatcher.js'
import type { Deps } from '../deps.js'

const DAY_MS = 86_400_000
/** Latest instant a JavaScript Date can hold. */
const MAX_INSTANT = 8.64e15
/** How long to wait for rows another worker holds before taking them over (safe: idempotent). */
const LEASE_PATIENCE_MS = 2_000
/** After this long without progress the call fails instead of spinning. */
const STUCK_AFTER_MS = 15_000
/** The longest jump one call may make; longer spans take several calls. */
export const MAX_ADVANCE_DAYS = 366

/** `Data` of AdvanceClock. */
export interface AdvanceClockData {
  /** The merchant's new local time, in the API's date format. */
  Now: string
  /** Automatic charge attempts recorded (first attempts, retries, recovered attempts). */
  Charges: number
  Approved: number
  Declined: number
  /** Of `Charges`, how many were retries of a failed cycle. */
  Retries: number
  /** Recurrences whose status changed (Completed, Uncompleted…). */
  StatusChanges: number
  /** Webhook delivery attempts made while advancing, and how they ended. */
  WebhookAttempts: number
  WebhooksDelivered: number
  WebhooksFailed: number
}

/**
 * POST /v2/sandbox/AdvanceClock: moves one merchant's clock forward by `Days` (a whole number
 * > 0) or to `Until` (an ISO time later than the merchant's clock; without an offset it is read
 * as the merchant's local time), and returns only once everything due up to then has run.
 *
 * Time is walked due-time by due-time: at each instant when something is due (a charge, a
 * retry, a webhook retry) the clock is moved there, billing runs at that instant, then due
 * webhooks are delivered, so histories look as if time had passed (an invoice of the 14th is
 * created on the 14th at the charge hour). The offset only grows. One call jumps at most
 * {@link MAX_ADVANCE_DAYS} days, and stops between two due times once `signal` aborts (the client
 * went away): the clock then stays where the work got to.
 */
export async function advanceSandboxClock(
  deps: Deps,
  merchant: Merchant,
  body: unknown,
  options: { readonly signal?: AbortSignal } = {},
): Promise<AdvanceClockData> {
  if (deps.config.mode !== 'sandbox') throw new AppError('SANDBOX_ONLY', 'The sandbox clock exists only in sandbox mode')
  const offset = await readClockOffset(deps.store.db, merchant.id)
  const start = merchantNow(deps.clock.now(), { clockOffsetMs: offset })
  const target = parseTarget(body, start, merchant.timeZone)

  const counts = emptyCounts()
  const webhooks = { attempted: 0, delivered: 0, failed: 0 }
  let t = start
  let stalledSince: number | undefined
  // Run billing at `t` even when nothing is due: at the start (attempts left open need no due
  // date), and again after a pass left attempts open (errors, no answer), until they settle.
  let billAtT = true

  /**
   * One step: to the next due time, billing there, webhooks there. 'stalled' when billing could
   * not move (rows another process holds, attempts that failed): the step runs again.
   */
  const step = async (): Promise<'done' | 'moved' | 'stalled'> => {
    const billingDue = await findNextAttemptDue(deps.store.db, merchant.id, target)
    const webhookDue = await nextWebhookDue(deps, merchant.id, t, target)
    const next = billAtT ? t : minDefined(billingDue, webhookDue)
    if (next === undefined) return 'done'
    t = Math.max(t, next)
    await moveClock(deps, merchant.id, t)

    const dueNow = billingDue !== undefined && billingDue <= t
    if (billAtT || dueNow) {
      const stalledFor = stalledSince === undefined ? 0 : deps.clock.now() - stalledSince
      const pass = await runBillingPass(deps, merchant, { now: t, ignoreLeases: stalledFor > LEASE_PATIENCE_MS })
      addCounts(counts, pass)
      // Failed or unanswered attempts stay open (and leased): the next step takes them again.
      billAtT = pass.errors > 0 || pass.unresolved > 0
      const moved = pass.charges + pass.recordedElsewhere + pass.customerRecovered > 0
      // Due rows that could not be claimed: another process holds them. Wait, then take over.
      if (!moved && (billAtT || dueNow)) return 'stalled'
      if (billAtT) return 'moved'
    }
    await deliverAt(deps, merchant.id, t, webhooks)
    return 'moved'
  }

  for (;;) {
    if (options.signal?.aborted) {
      deps.logger.info({ merchantId: merchant.id }, 'AdvanceClock stopped: the client went away')
      return { Now: formatLocalIso(t, merchant.timeZone), ...countsData(counts), ...webhookData(webhooks) }
    }
    const outcome = await orOnContention(deps, merchant.id, step, 'stalled')
    if (outcome === 'done') break
    if (outcome === 'moved') {
      stalledSince = undefined
      continue
    }
    stalledSince ??= deps.clock.now()
    if (deps.clock.now() - stalledSince > STUCK_AFTER_MS) {
      // Not a 500: nothing is wrong with the request, and what was billed stays billed.
      throw new AppError(
        'INVALID_STATE',
        `Billing made no progress for ${STUCK_AFTER_MS / 1000} s while advancing the clock (attempts failing or held by another process; ` +
          `see the server log). The clock stands at ${formatLocalIso(t, merchant.timeZone)}; call AdvanceClock again to go on.`,
      )
    }
    await delay(20)
  }
  for (;;) {
    const finished = await orOnContention(
      deps,
      merchant.id,
      async () => {
        await moveClock(deps, merchant.id, target)
        await deliverAt(deps, merchant.id, target, webhooks)
        return true
      },
      false,
    )
    if (finished) break
    await delay(20)
  }

  return { Now: formatLocalIso(target, merchant.timeZone), ...countsData(counts), ...webhookData(webhooks) }
}

/**
 * Runs `work`; when a concurrent transaction made it fail (a deadlock, a serialization failure:
 * see billing/contention.ts), returns `fallback` instead, so that the caller runs it again.
 * Every step of AdvanceClock may run again: billing is idempotent and the clock only grows.
 */
async function orOnContention<T>(deps: Deps, merchantId: number, work: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await work()
  } catch (thrown) {
    if (!isContention(thrown)) throw thrown
    deps.logger.warn({ err: coerceError(thrown), merchantId }, 'AdvanceClock met a concurrent transaction; running the step again')
    return fallback
  }
}

/** Delivers what is due at `now` until a pass attempts nothing new. */
async function deliverAt(
  deps: Deps,
  merchantId: number,
  now: number,
  totals: { attempted: number; delivered: number; failed: number },
): Promise<void> {
  // Bounded: a delivery at `now` reschedules failures after `now`, so passes dry up quickly.
  for (let pass = 0; pass < 100; pass++) {
    const result = await deliverDueWebhooks(deps, { merchantId, now })
    totals.attempted += result.attempted
    totals.delivered += result.delivered
    totals.failed += result.failed
    if (result.attempted === 0) return
  }
}

/** The next webhook retry strictly after `after` and not after `target`. */
async function nextWebhookDue(deps: Deps, merchantId: number, after: number, target: number): Promise<number | undefined> {
  const due = await findNextOutboxAttemptAt(deps.store.db, merchantId, after)
  return due !== null && due <= target ? due : undefined
}

/** Moves the merchant's clock to `to` unless it is already there: the offset only grows. */
async function moveClock(deps: Deps, merchantId: number, to: number): Promise<void> {
  await advanceClockOffset(deps.store.db, merchantId, to - deps.clock.now())
}

function parseTarget(body: unknown, now: number, timeZone: string): number {
  const errors: FieldError[] = []
  const reader = new FieldReader(body, errors)
  if (reader.has('Days') && reader.has('Until')) {
    throw validationError([{ Name: 'Days', Error: 'Send either Days (a whole number > 0) or Until (an ISO time), not both' }])
  }
  if (!reader.has('Days') && !reader.has('Until')) {
    throw validationError([{ Name: 'Days', Error: 'Send Days (a whole number > 0) or Until (an ISO time)' }])
  }
  let target: number | undefined
  if (reader.has('Days')) {
    const days = reader.integer('Days', { min: 1, max: MAX_ADVANCE_DAYS })
    if (days !== undefined) target = now + days * DAY_MS
  } else {
    const text = reader.string('Until', { max: 40 })
    if (text !== undefined) {
      target = parseInstant(text, timeZone)
      if (target === undefined) reader.fail('Until', 'Until must be an ISO time such as 2026-03-01T04:00:00 or 2026-03-01T01:00:00Z')
      else if (target <= now) {
        reader.fail('Until', `Until must be later than the merchant's clock, now ${formatLocalIso(now, timeZone)}`)
      } else if (target > now + MAX_ADVANCE_DAYS * DAY_MS) {
        reader.fail('Until', `Until must be at most ${MAX_ADVANCE_DAYS} days after the merchant's clock; advance in several calls`)
      }
    }
  }
  if (target !== undefined && target > MAX_INSTANT) reader.fail(reader.has('Days') ? 'Days' : 'Until', 'That is beyond the last representable date')
  if (errors.length > 0 || target === undefined) throw validationError(errors)
  return target
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/

/** An ISO date or date-time; with `Z` or an offset it is absolute, otherwise local to `timeZone`. */
export function parseInstant(text: string, timeZone: string): number | undefined {
  const match = ISO_TIME.exec(text.trim())
  if (!match) return undefined
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '0', zone] = match
  const parts = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h),
    minute: Number(mi),
    second: Number(s),
    millisecond: Number(fraction.padEnd(3, '0').slice(0, 3)),
  }
  const probe = new Date(Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second))
  if (probe.getUTCMonth() !== parts.month - 1 || probe.getUTCDate() !== parts.day || parts.hour > 23 || parts.minute > 59 || parts.second > 59) {
    return undefined
  }
  if (zone === undefined) return fromLocal(parts, timeZone)
  const utc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second, parts.millisecond)
  if (zone === 'Z') return utc
  const sign = zone.startsWith('-') ? -1 : 1
  const digits = zone.slice(1).replace(':', '')
  return utc - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  return Math.min(a, b)
}

function countsData(counts: BillingCounts) {
  return {
    Charges: counts.charges,
    Approved: counts.approved,
    Declined: counts.declined,
    Retries: counts.retries,
    StatusChanges: counts.statusChanges,
  }
}

function webhookData(totals: { attempted: number; delivered: number; failed: number }) {
  return { WebhookAttempts: totals.attempted, WebhooksDelivered: totals.delivered, WebhooksFailed: totals.failed }
}
