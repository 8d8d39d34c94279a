import { describe, expect, it } from 'vitest'

import { nextAttemptAt } from '../../src/domain/recurrence.js'
import { parseLocalDate } from '../../src/domain/schedule.js'
import { checkChaosInvariants, type ChaosSnapshot, type RecurrenceRow } from './invariants.js'

/**
 * The checker of the crash-injection runs must catch what it is there to catch: a clean
 * fabricated history passes, and each planted inconsistency (double charge, lost charge, phantom
 * payment, stuck attempt, skipped cycle, skipped retry, undelivered event) is reported.
 */

const TIME_ZONE = 'Asia/Kuwait'
const CHARGE_HOUR = 4
const schedule = (r: Pick<RecurrenceRow, 'anchor_date' | 'recurring_type' | 'interval_days' | 'iteration' | 'retry_count'>) => ({
  anchorDate: parseLocalDate(r.anchor_date),
  type: r.recurring_type,
  intervalDays: r.interval_days,
  iteration: r.iteration,
  retryCount: r.retry_count,
  timeZone: TIME_ZONE,
  chargeHour: CHARGE_HOUR,
})
// 2026-03-03 10:00 in Kuwait (UTC+3): cycles 1 and 2 of a daily recurrence anchored on 03-01 are due.
const NOW = Date.UTC(2026, 2, 3, 7, 0)

/** A customer payment (invoice 1), a daily recurrence charged twice (invoices 2, 3), a refund, and their events. */
function cleanHistory(): ChaosSnapshot {
  const base = { anchor_date: '2026-03-01', recurring_type: 'Daily' as const, interval_days: null, iteration: 0, retry_count: 1 }
  const progress = { status: 'Active' as const, nextCycle: 3, failedAttempts: 0, executedTimes: 2 }
  return {
    ledger: [
      { idempotency_key: 'attempt-1', merchant_id: 1, amount_minor: 1000, outcome: 'approved', operation: 'charge', refund_of: null },
      { idempotency_key: 'attempt-2', merchant_id: 1, amount_minor: 500, outcome: 'declined', operation: 'charge', refund_of: null },
      { idempotency_key: 'attempt-3', merchant_id: 1, amount_minor: 500, outcome: 'approved', operation: 'charge', refund_of: null },
      { idempotency_key: 'attempt-4', merchant_id: 1, amount_minor: 500, outcome: 'approved', operation: 'charge', refund_of: null },
      { idempotency_key: 'attempt-5', merchant_id: 1, amount_minor: 400, outcome: 'approved', operation: 'refund', refund_of: 'attempt-1' },
    ],
    attempts: [
      { id: 1, merchant_id: 1, invoice_id: 1, kind: 'customer', recurrence_id: null, cycle: null, attempt_number: null, status: 'approved' },
      { id: 2, merchant_id: 1, invoice_id: 2, kind: 'renewal', recurrence_id: 7, cycle: 1, attempt_number: 0, status: 'declined' },
      { id: 3, merchant_id: 1, invoice_id: 2, kind: 'retry', recurrence_id: 7, cycle: 1, attempt_number: 1, status: 'approved' },
      { id: 4, merchant_id: 1, invoice_id: 3, kind: 'renewal', recurrence_id: 7, cycle: 2, attempt_number: 0, status: 'approved' },
      { id: 5, merchant_id: 1, invoice_id: 1, kind: 'refund', recurrence_id: null, cycle: null, attempt_number: null, status: 'approved' },
    ],
    invoices: [
      { id: 1, merchant_id: 1, status: 'Paid', recurrence_id: null, recurrence_cycle: null },
      { id: 2, merchant_id: 1, status: 'Paid', recurrence_id: 7, recurrence_cycle: 1 },
      { id: 3, merchant_id: 1, status: 'Paid', recurrence_id: 7, recurrence_cycle: 2 },
    ],
    transactions: [
      { id: 1, invoice_id: 1, status: 'Succss', attempt_id: 1 },
      { id: 2, invoice_id: 2, status: 'Failed', attempt_id: 2 },
      { id: 3, invoice_id: 2, status: 'Succss', attempt_id: 3 },
      { id: 4, invoice_id: 3, status: 'Succss', attempt_id: 4 },
    ],
    refunds: [{ id: 1, attempt_id: 5, status: 'Refunded' }],
    recurrences: [
      { id: 7, merchant_id: 1, status: 'Active', ...base, executed_times: 2, next_cycle: 3, failed_attempts: 0, next_attempt_at: nextAttemptAt(schedule(base), progress) },
    ],
    outbox: [
      { id: 11, reference_number: 1, merchant_id: 1, status: 'delivered', target_url: 'http://127.0.0.1/hook' },
      { id: 12, reference_number: 2, merchant_id: 1, status: 'delivered', target_url: 'http://127.0.0.1/hook' },
      { id: 13, reference_number: 3, merchant_id: 1, status: 'skipped', target_url: null },
    ],
    merchants: [{ id: 1, now: NOW, timeZone: TIME_ZONE }],
    receivedReferences: ['WH-1', 'WH-2', 'WH-2'],
    chargeHour: CHARGE_HOUR,
  }
}

/** The clean history with one change. */
const planted = (change: (s: ChaosSnapshot) => Partial<ChaosSnapshot>): ChaosSnapshot => {
  const s = cleanHistory()
  return { ...s, ...change(s) }
}

describe('the crash-injection checker', () => {
  it('passes a clean history and counts it', () => {
    const verdict = checkChaosInvariants(cleanHistory())
    expect(verdict.violations).toEqual([])
    expect(verdict.figures).toEqual({
      approvedCharges: 3,
      declinedCharges: 1,
      renewalCyclesCharged: 2,
      recurrencesChecked: 1,
      refunds: 1,
      captures: 0,
      releases: 0,
      eventsDelivered: 2,
      duplicateDeliveries: 1,
    })
  })

  it('catches a second approved charge of one invoice (a retry after a crash charged again)', () => {
    const verdict = checkChaosInvariants(
      planted((s) => ({
        ledger: [...s.ledger, { idempotency_key: 'attempt-9', merchant_id: 1, amount_minor: 1000, outcome: 'approved', operation: 'charge', refund_of: null }],
        attempts: [...s.attempts, { id: 9, merchant_id: 1, invoice_id: 1, kind: 'customer', recurrence_id: null, cycle: null, attempt_number: null, status: 'approved' }],
        transactions: [...s.transactions, { id: 9, invoice_id: 1, status: 'Succss', attempt_id: 9 }],
      })),
    )
    expect(verdict.violations).toContain('double charge: invoice 1 has 2 approved charges at the processor')
  })

  it('catches a recurrence cycle charged twice on two invoices', () => {
    const verdict = checkChaosInvariants(
      planted((s) => ({
        ledger: [...s.ledger, { idempotency_key: 'attempt-9', merchant_id: 1, amount_minor: 500, outcome: 'approved', operation: 'charge', refund_of: null }],
        attempts: [...s.attempts, { id: 9, merchant_id: 1, invoice_id: 4, kind: 'renewal', recurrence_id: 7, cycle: 2, attempt_number: 0, status: 'approved' }],
        invoices: [...s.invoices, { id: 4, merchant_id: 1, status: 'Paid', recurrence_id: 7, recurrence_cycle: 2 }],
        transactions: [...s.transactions, { id: 9, invoice_id: 4, status: 'Succss', attempt_id: 9 }],
      })),
    )
    expect(verdict.violations).toContain('double charge: recurrence cycle 7/2 has 2 approved charges at the processor')
  })

  it('catches a charge the processor approved that dawri left unpaid (lost), and its attempt left open (stuck)', () => {
    const verdict = checkChaosInvariants(
      planted((s) => ({
        attempts: s.attempts.map((a) => (a.id === 1 ? { ...a, status: 'open' as const } : a)),
        invoices: s.invoices.map((i) => (i.id === 1 ? { ...i, status: 'Pending' } : i)),
        transactions: s.transactions.map((t) => (t.id === 1 ? { ...t, status: 'InProgress' } : t)),
      })),
    )
    expect(verdict.violations).toEqual(
      expect.arrayContaining([
        'lost: the processor approved charge attempt-1; its attempt is open',
        'stuck: attempt 1 (customer, invoice 1) is still open',
        'lost: invoice 1 charged by attempt-1 is Pending',
      ]),
    )
  })

  it('catches a payment recorded as Succss that the processor never approved', () => {
    const verdict = checkChaosInvariants(planted((s) => ({ ledger: s.ledger.filter((e) => e.idempotency_key !== 'attempt-4') })))
    expect(verdict.violations).toEqual(
      expect.arrayContaining([
        'phantom: attempt 4 (renewal) is approved; the processor says nothing',
        'phantom: transaction 4 of invoice 3 is Succss without an approved charge (attempt 4)',
      ]),
    )
  })

  it('catches a skipped cycle: the recurrence moved on without charging cycle 2', () => {
    const verdict = checkChaosInvariants(
      planted((s) => ({ ledger: s.ledger.filter((e) => e.idempotency_key !== 'attempt-4'), attempts: s.attempts.filter((a) => a.id !== 4), transactions: s.transactions.filter((t) => t.id !== 4) })),
    )
    expect(verdict.violations.some((v) => v.startsWith('skipped cycle: recurrence 7') && v.includes('approved cycles [1], expected [1, 2]'))).toBe(true)
  })

  it('catches a due cycle never charged: the clock passed its due time', () => {
    const verdict = checkChaosInvariants(planted((s) => ({ merchants: s.merchants.map((m) => ({ ...m, now: m.now + 86_400_000 })) })))
    expect(verdict.violations.some((v) => v.startsWith('skipped cycle: recurrence 7 (Active, cycle 3) was due at 2026-03-04T01:00:00.000Z'))).toBe(true)
  })

  it('catches a retry counted but never made', () => {
    const verdict = checkChaosInvariants(
      planted((s) => ({
        recurrences: s.recurrences.map((r) => {
          const progress = { status: 'Active' as const, nextCycle: 3, failedAttempts: 1, executedTimes: 2 }
          return { ...r, failed_attempts: 1, next_attempt_at: nextAttemptAt(schedule(r), progress) }
        }),
      })),
    )
    expect(verdict.violations).toContain('skipped retry: recurrence 7 (Active, cycle 3) counts 1 failures; attempt 0 of the cycle is not a recorded decline')
  })

  it('catches an event never delivered to the receiver', () => {
    const verdict = checkChaosInvariants(planted(() => ({ receivedReferences: ['WH-1'] })))
    expect(verdict.violations).toEqual(['undelivered: the receiver never got WH-2'])
  })

  it('catches a refund the processor made that dawri still shows as pending', () => {
    const verdict = checkChaosInvariants(planted(() => ({ refunds: [{ id: 1, attempt_id: 5, status: 'Pending' }] })))
    expect(verdict.violations).toEqual(["lost: refund attempt-5 approved; dawri's refund is Pending"])
  })
})
