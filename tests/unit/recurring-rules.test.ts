import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { attemptIdempotencyKey, declined, NO_ANSWER_ERROR_CODE, recurringChargeKind } from '../../src/domain/charge.js'
import { INVOICE_STATUSES, paymentRefusal } from '../../src/domain/invoice.js'
import { PAYMENT_ERROR_CODES, PAYMENT_ERRORS } from '../../src/domain/payment-errors.js'
import {
  activate,
  cancel,
  cancelRefusal,
  chargeAmountOf,
  decideAfterAttempt,
  decideAfterResume,
  draftProgress,
  isFinalStatus,
  isResumeAttempt,
  nextAttemptNumber,
  progressAfterCharge,
  RECURRENCE_STATUSES,
  type AttemptOutcome,
  type RecurrenceSchedule,
} from '../../src/domain/recurrence.js'
import { RECURRING_TYPES } from '../../src/domain/schedule.js'
import { progress, schedule } from '../support/recurrence-fixtures.js'


const arbSchedule = fc
  .record({
    anchorDate: fc.record({ year: fc.integer({ min: 2000, max: 2100 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }) }),
    type: fc.constantFrom(...RECURRING_TYPES),
    intervalDays: fc.integer({ min: 1, max: 180 }),
    iteration: fc.integer({ min: 0, max: 12 }),
    retryCount: fc.integer({ min: 0, max: 5 }),
    timeZone: fc.constantFrom('Asia/Kuwait', 'Africa/Cairo'),
    chargeHour: fc.integer({ min: 0, max: 23 }),
  })
  .map((s): RecurrenceSchedule => ({ ...s, intervalDays: s.type === 'Custom' ? s.intervalDays : null }))

const arbOutcome = fc.constantFrom<AttemptOutcome>('approved', 'declined')

/** A schedule with progress that agrees with it (never past the last iteration unless Completed). */
const arbState = arbSchedule.chain((s) =>
  fc
    .record({
      status: fc.constantFrom(...RECURRENCE_STATUSES),
      done: fc.nat(s.iteration > 0 ? s.iteration - 1 : 40),
      failedAttempts: fc.nat(s.retryCount + 1),
    })
    .map(({ status, done, failedAttempts }) => {
      const executedTimes = status === 'Completed' && s.iteration > 0 ? s.iteration : done
      const failed = status === 'Uncompleted' ? s.retryCount + 1 : status === 'Active' ? Math.min(failedAttempts, s.retryCount) : failedAttempts
      return { s, p: progress({ status, executedTimes, nextCycle: executedTimes + 1, failedAttempts: failed }) }
    }),
)

describe('nextAttemptNumber', () => {
  it('numbers automatic attempts by the failures so far', () => {
    for (let failed = 0; failed <= 3; failed++) {
      expect(nextAttemptNumber('automatic', progress({ failedAttempts: failed }), failed - 1)).toBe(failed)
    }
  })

  it('gives a Resume the number after the highest used, never below the failures', () => {
    const stuck = progress({ status: 'Uncompleted', failedAttempts: 4 })
    expect(nextAttemptNumber('resume', stuck, 3)).toBe(4)
    expect(nextAttemptNumber('resume', stuck, 6)).toBe(7)
    expect(nextAttemptNumber('resume', stuck, -1)).toBe(4)
    expect(isResumeAttempt(4, 3)).toBe(true)
    expect(isResumeAttempt(3, 3)).toBe(false)
  })

  it('never repeats a number in a cycle over declines then resumes, and resumes are > RetryCount', () => {
    fc.assert(
      fc.property(arbSchedule, fc.array(arbOutcome, { maxLength: 8 }), (s, resumeOutcomes) => {
        let p = activate()
        const used: number[] = []
        const highest = () => (used.length === 0 ? -1 : Math.max(...used))
        while (p.status === 'Active') {
          const n = nextAttemptNumber('automatic', p, highest())
          expect(isResumeAttempt(n, s.retryCount)).toBe(false)
          expect(recurringChargeKind(n, s.retryCount)).toBe(n === 0 ? 'renewal' : 'retry')
          used.push(n)
          p = progressAfterCharge(s, p, { cycle: 1, attemptNumber: n }, 'declined')
        }
        expect(used).toEqual([...Array(s.retryCount + 1).keys()])
        expect(p.status).toBe('Uncompleted')
        for (const outcome of resumeOutcomes) {
          if (p.status !== 'Uncompleted') break
          const n = nextAttemptNumber('resume', p, highest())
          expect(isResumeAttempt(n, s.retryCount)).toBe(true)
          expect(recurringChargeKind(n, s.retryCount)).toBe('resume')
          expect(used).not.toContain(n)
          used.push(n)
          p = progressAfterCharge(s, p, { cycle: 1, attemptNumber: n }, outcome)
        }
        expect(new Set(used).size).toBe(used.length)
      }),
    )
  })
})

describe('progressAfterCharge', () => {
  it('treats the expected automatic attempt as decideAfterAttempt', () => {
    fc.assert(
      fc.property(arbState, arbOutcome, ({ s, p }, outcome) => {
        fc.pre(p.status === 'Active')
        const attempt = { cycle: p.nextCycle, attemptNumber: p.failedAttempts }
        expect(progressAfterCharge(s, p, attempt, outcome)).toEqual(decideAfterAttempt(s, p, outcome))
      }),
    )
  })

  it('treats a Resume of the blocked cycle of an Uncompleted recurrence as decideAfterResume', () => {
    fc.assert(
      fc.property(arbState, arbOutcome, fc.nat(5), ({ s, p }, outcome, extra) => {
        fc.pre(p.status === 'Uncompleted')
        const attempt = { cycle: p.nextCycle, attemptNumber: s.retryCount + 1 + extra }
        expect(progressAfterCharge(s, p, attempt, outcome)).toEqual(decideAfterResume(s, p, outcome))
      }),
    )
  })

  it('keeps a Canceled status when the in-flight attempt is answered', () => {
    const canceled = progress({ status: 'Canceled', nextCycle: 3, executedTimes: 2, failedAttempts: 1 })
    const attempt = { cycle: 3, attemptNumber: 1 }
    expect(progressAfterCharge(schedule(), canceled, attempt, 'declined')).toEqual(canceled)
    // Money moved: count it and never charge that cycle again, but stay Canceled.
    expect(progressAfterCharge(schedule(), canceled, attempt, 'approved')).toEqual({
      status: 'Canceled',
      nextCycle: 4,
      failedAttempts: 0,
      executedTimes: 3,
    })
    // Even when that approval paid the last iteration, a Canceled recurrence does not become Completed.
    expect(progressAfterCharge(schedule({ iteration: 3 }), canceled, attempt, 'approved').status).toBe('Canceled')
  })

  it('keeps the status when the recurrence no longer expects the attempt', () => {
    const s = schedule({ retryCount: 3 })
    const active = progress({ nextCycle: 3, executedTimes: 2, failedAttempts: 1 })
    const stale = [
      { cycle: 2, attemptNumber: 1 }, // an earlier cycle
      { cycle: 3, attemptNumber: 0 }, // an earlier number of this cycle
      { cycle: 3, attemptNumber: 4 }, // a Resume while Active
    ]
    for (const attempt of stale) {
      expect(progressAfterCharge(s, active, attempt, 'declined')).toEqual(active)
      expect(progressAfterCharge(s, active, attempt, 'approved')).toEqual(progress({ nextCycle: 4, executedTimes: 3 }))
    }
    const stuck = progress({ status: 'Uncompleted', nextCycle: 3, executedTimes: 2, failedAttempts: 4 })
    expect(progressAfterCharge(s, stuck, { cycle: 3, attemptNumber: 3 }, 'declined')).toEqual(stuck)
    expect(progressAfterCharge(s, stuck, { cycle: 2, attemptNumber: 5 }, 'approved').status).toBe('Uncompleted')
  })

  it('keeps final statuses final; ExecutedTimes grows by exactly one per approval, never decreases', () => {
    const arbAttempt = fc.record({ cycleShift: fc.integer({ min: -2, max: 1 }), attemptNumber: fc.nat(9) })
    fc.assert(
      fc.property(arbState, arbAttempt, arbOutcome, ({ s, p }, { cycleShift, attemptNumber }, outcome) => {
        const attempt = { cycle: Math.max(1, p.nextCycle + cycleShift), attemptNumber }
        const after = progressAfterCharge(s, p, attempt, outcome)
        if (isFinalStatus(p.status)) expect(after.status).toBe(p.status)
        const expected =
          (p.status === 'Active' && attempt.cycle === p.nextCycle && attemptNumber === p.failedAttempts) ||
          (p.status === 'Uncompleted' && attempt.cycle === p.nextCycle && isResumeAttempt(attemptNumber, s.retryCount))
        // A late approval that pays the last iteration completes a recurrence that had not ended.
        const completesLate =
          !expected && outcome === 'approved' && (p.status === 'Active' || p.status === 'Uncompleted') && s.iteration > 0 && p.executedTimes + 1 >= s.iteration
        if (!expected) expect(after.status).toBe(completesLate ? 'Completed' : p.status)
        expect(after.executedTimes - p.executedTimes).toBe(outcome === 'approved' ? 1 : 0)
        expect(after.nextCycle - p.nextCycle).toBe(outcome === 'approved' ? 1 : 0)
        if (outcome === 'approved') expect(after.failedAttempts).toBe(0)
        if (outcome === 'declined' && !expected) expect(after).toEqual(p)
      }),
    )
  })
})

describe('final statuses', () => {
  it('are exactly Completed and Canceled, with a refusal text each', () => {
    for (const status of RECURRENCE_STATUSES) {
      expect(isFinalStatus(status)).toBe(status === 'Completed' || status === 'Canceled')
      if (!isFinalStatus(status)) expect(cancelRefusal(status)).toBeUndefined()
    }
    expect(cancelRefusal('Canceled')).toMatch(/already canceled/)
    expect(cancelRefusal('Completed')).toMatch(/completed/)
    expect(cancelRefusal('Completed')).not.toMatch(/canceled/)
  })

  it('cancel throws INVALID_STATE with the refusal text for a final status', () => {
    for (const status of ['Completed', 'Canceled'] as const) {
      const refusal = cancelRefusal(status)
      expect(() => cancel(progress({ status }))).toThrow(expect.objectContaining({ code: 'INVALID_STATE', message: refusal }))
    }
  })
})

describe('Draft → Active', () => {
  it('activates only from Draft, naming the status it refused', () => {
    expect(activate(draftProgress())).toEqual(activate())
    for (const status of RECURRENCE_STATUSES.filter((s) => s !== 'Draft')) {
      expect(() => activate(progress({ status }))).toThrow(status)
    }
  })

  it('draftProgress is a fresh Draft on cycle 1 with nothing charged', () => {
    const a = draftProgress()
    expect(a).not.toBe(draftProgress())
    expect(a).toEqual({ status: 'Draft', nextCycle: 1, failedAttempts: 0, executedTimes: 0 })
  })
})

describe('the amount never changes after creation', () => {
  it('chargeAmountOf returns the amount agreed at creation', () => {
    fc.assert(fc.property(fc.nat(), (amountMinor) => chargeAmountOf({ amountMinor }) === amountMinor))
  })

  it('no sequence of outcomes, resumes or cancels changes any attempt amount', () => {
    const arbStep = fc.record({ outcome: arbOutcome, cancel: fc.integer({ min: 0, max: 9 }).map((n) => n === 0) })
    fc.assert(
      fc.property(arbSchedule, fc.integer({ min: 1, max: 10_000_000 }), fc.array(arbStep, { maxLength: 60 }), (s, created, steps) => {
        const terms = Object.freeze({ amountMinor: created })
        let p = activate()
        let last = -1
        for (const step of steps) {
          if (isFinalStatus(p.status)) break
          const kind = p.status === 'Uncompleted' ? 'resume' : 'automatic'
          const attemptNumber = nextAttemptNumber(kind, p, last)
          const cycle = p.nextCycle
          expect(chargeAmountOf(terms)).toBe(created)
          // Sometimes the recurrence is cancelled while the attempt is in flight.
          if (step.cancel) p = cancel(p)
          p = progressAfterCharge(s, p, { cycle, attemptNumber }, step.outcome)
          last = p.nextCycle === cycle ? attemptNumber : -1
          expect(Object.keys(p).sort()).toEqual(['executedTimes', 'failedAttempts', 'nextCycle', 'status'])
        }
        expect(terms).toEqual({ amountMinor: created })
      }),
    )
  })
})

describe('charge vocabulary', () => {
  it('gives the same idempotency key to the same attempt and distinct keys to distinct attempts', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (a, b) => {
        expect(attemptIdempotencyKey(a)).toBe(attemptIdempotencyKey(a))
        expect(attemptIdempotencyKey(a) === attemptIdempotencyKey(b)).toBe(a === b)
      }),
    )
  })

  it('names recurring attempts renewal, retry or resume', () => {
    fc.assert(
      fc.property(fc.nat(20), fc.nat(5), (n, retryCount) => {
        const kind = recurringChargeKind(n, retryCount)
        expect(kind).toBe(n === 0 ? 'renewal' : n <= retryCount ? 'retry' : 'resume')
        expect(kind === 'resume').toBe(isResumeAttempt(n, retryCount))
      }),
    )
    expect(recurringChargeKind(1, 0)).toBe('resume')
  })

  it('declined carries the MF message; no answer is MF008', () => {
    for (const code of PAYMENT_ERROR_CODES) {
      expect(declined(code)).toEqual({ status: 'declined', errorCode: code, message: PAYMENT_ERRORS[code] })
    }
    expect(NO_ANSWER_ERROR_CODE).toBe('MF008')
    expect(declined(NO_ANSWER_ERROR_CODE).message).toBe('Issuer not responding')
  })
})

describe('paymentRefusal', () => {
  it('refuses Paid, Canceled and expired Pending invoices', () => {
    const now = Date.UTC(2026, 0, 10)
    expect(paymentRefusal({ status: 'Pending', expires_at: now }, now)).toBe('expired')
    expect(paymentRefusal({ status: 'Pending', expires_at: now + 1 }, now)).toBeUndefined()
    expect(paymentRefusal({ status: 'Paid', expires_at: now - 1 }, now)).toBe('paid')
    expect(paymentRefusal({ status: 'Canceled', expires_at: now - 1 }, now)).toBe('canceled')
  })

  it('follows status first, then expiry, for any instants', () => {
    fc.assert(
      fc.property(fc.constantFrom(...INVOICE_STATUSES), fc.nat(), fc.nat(), (status, expiresAt, now) => {
        const expected =
          status === 'Paid' ? 'paid' : status === 'Canceled' ? 'canceled' : expiresAt <= now ? 'expired' : undefined
        expect(paymentRefusal({ status, expires_at: expiresAt }, now)).toBe(expected)
      }),
    )
  })
})
