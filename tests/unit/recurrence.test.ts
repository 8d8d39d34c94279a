import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { AppError } from '../../src/domain/errors.js'
import {
  activate,
  cancel,
  canTransition,
  decideAfterAttempt,
  decideAfterResume,
  draftProgress,
  isFinalStatus,
  isRecurrenceStatus,
  nextAttemptAt,
  nextPayDate,
  RECURRENCE_STATUSES,
  RECURRENCE_TRANSITIONS,
  shownNextPayDate,
  type AttemptOutcome,
  type RecurrenceProgress,
  type RecurrenceSchedule,
  type RecurrenceStatus,
} from '../../src/domain/recurrence.js'
import { formatLocalDate, parseLocalDate, RECURRING_TYPES } from '../../src/domain/schedule.js'
import { progress, schedule } from '../support/recurrence-fixtures.js'


const isoInstant = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

function expectAppError(fn: () => unknown, code: AppError['code']) {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe(code)
    return
  }
  expect.fail(`expected an AppError ${code}`)
}

const arbSchedule = fc.record({
  anchorDate: fc
    .record({
      year: fc.integer({ min: 2000, max: 2100 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
    }),
  type: fc.constantFrom(...RECURRING_TYPES),
  intervalDays: fc.integer({ min: 1, max: 180 }),
  iteration: fc.integer({ min: 0, max: 12 }),
  retryCount: fc.integer({ min: 0, max: 5 }),
  timeZone: fc.constantFrom('Asia/Kuwait', 'Africa/Cairo'),
  chargeHour: fc.integer({ min: 0, max: 23 }),
}).map((s): RecurrenceSchedule => ({ ...s, intervalDays: s.type === 'Custom' ? s.intervalDays : null }))

const arbOutcome = fc.constantFrom<AttemptOutcome>('approved', 'declined')

describe('status graph', () => {
  const allowed: ReadonlyArray<readonly [RecurrenceStatus, RecurrenceStatus]> = [
    ['Draft', 'Active'],
    ['Draft', 'Canceled'],
    ['Active', 'Completed'],
    ['Active', 'Uncompleted'],
    ['Active', 'Canceled'],
    ['Uncompleted', 'Active'],
    ['Uncompleted', 'Completed'],
    ['Uncompleted', 'Canceled'],
  ]
  const pairs = RECURRENCE_STATUSES.flatMap((from) => RECURRENCE_STATUSES.map((to) => [from, to] as const))

  it.each(pairs)('%s → %s', (from, to) => {
    const expected = allowed.some(([a, b]) => a === from && b === to)
    expect(canTransition(from, to)).toBe(expected)
    expect(RECURRENCE_TRANSITIONS[from].includes(to)).toBe(expected)
  })

  it('has exactly Completed and Canceled as final states', () => {
    expect(RECURRENCE_STATUSES.filter(isFinalStatus)).toEqual(['Completed', 'Canceled'])
    for (const status of ['Completed', 'Canceled'] as const) {
      for (const to of RECURRENCE_STATUSES) expect(canTransition(status, to)).toBe(false)
    }
  })

  it('spells statuses PascalCase with a single-L Canceled', () => {
    expect(RECURRENCE_STATUSES).toEqual(['Draft', 'Active', 'Completed', 'Uncompleted', 'Canceled'])
    expect(isRecurrenceStatus('Canceled')).toBe(true)
    expect(isRecurrenceStatus('Cancelled')).toBe(false)
    expect(isRecurrenceStatus('ACTIVE')).toBe(false)
  })
})

describe('activation and cancellation', () => {
  it('starts Draft and becomes Active on cycle 1 when the first invoice is paid', () => {
    expect(draftProgress()).toEqual({ status: 'Draft', nextCycle: 1, failedAttempts: 0, executedTimes: 0 })
    const expected = { status: 'Active', nextCycle: 1, failedAttempts: 0, executedTimes: 0 }
    expect(activate()).toEqual(expected)
    expect(activate(draftProgress())).toEqual(expected)
  })

  it('activates only a Draft', () => {
    for (const status of ['Active', 'Uncompleted', 'Completed', 'Canceled'] as const) {
      expectAppError(() => activate(progress({ status })), 'INVALID_STATE')
    }
  })

  it('cancels Draft, Active and Uncompleted, keeping the counters', () => {
    for (const status of ['Draft', 'Active', 'Uncompleted'] as const) {
      const before = progress({ status, nextCycle: 3, executedTimes: 2, failedAttempts: 1 })
      expect(cancel(before)).toEqual({ ...before, status: 'Canceled' })
    }
    expectAppError(() => cancel(progress({ status: 'Canceled' })), 'INVALID_STATE')
    expectAppError(() => cancel(progress({ status: 'Completed' })), 'INVALID_STATE')
  })
})

describe('NextPayDate and attempt instants', () => {
  it('shows the next cycle date, cycle 1 for a Draft', () => {
    const s = schedule({ anchorDate: parseLocalDate('2021-04-13'), type: 'Custom', intervalDays: 1 })
    expect(formatLocalDate(nextPayDate(s, draftProgress()))).toBe('2021-04-14')
    // RECUR2137 (reference §5.1): Uncompleted after 2 executions, NextPayDate 2021-04-16.
    const stuck = progress({ status: 'Uncompleted', nextCycle: 3, executedTimes: 2, failedAttempts: 4 })
    expect(formatLocalDate(nextPayDate(s, stuck))).toBe('2021-04-16')
  })

  it('shows one NextPayDate everywhere: Active never before today, the schedule’s next cycle otherwise', () => {
    const s = schedule()
    const shown = (p: RecurrenceProgress, today: string) => formatLocalDate(shownNextPayDate(s, p, parseLocalDate(today)))
    // Active: the due cycle (Feb 28), the day of its next retry, or today once it is overdue.
    expect(shown(progress(), '2026-02-01')).toBe('2026-02-28')
    expect(shown(progress({ failedAttempts: 2 }), '2026-02-28')).toBe('2026-03-02')
    expect(shown(progress({ nextCycle: 2 }), '2026-05-10')).toBe('2026-05-10')
    // Nothing runs on its own: the cycle the schedule would charge next, past or not.
    for (const status of ['Draft', 'Uncompleted', 'Completed', 'Canceled'] as const) {
      expect(shown(progress({ status, nextCycle: 2, failedAttempts: 1 }), '2026-05-10'), status).toBe('2026-03-31')
    }
  })

  it('is due at the charge hour of the cycle date, then once a day per failed attempt', () => {
    const s = schedule()
    expect(isoInstant(nextAttemptAt(s, progress()))).toBe('2026-02-28T01:00:00.000Z')
    expect(isoInstant(nextAttemptAt(s, progress({ nextCycle: 2 })))).toBe('2026-03-31T01:00:00.000Z')
    expect(isoInstant(nextAttemptAt(s, progress({ failedAttempts: 1 })))).toBe('2026-03-01T01:00:00.000Z')
    expect(isoInstant(nextAttemptAt(s, progress({ failedAttempts: 3 })))).toBe('2026-03-03T01:00:00.000Z')
  })

  it('has no attempt unless Active', () => {
    for (const status of ['Draft', 'Uncompleted', 'Completed', 'Canceled'] as const) {
      expect(nextAttemptAt(schedule(), progress({ status }))).toBeNull()
    }
  })

  it('keeps retries at the charge hour, 1 day apart in Kuwait', () => {
    fc.assert(
      fc.property(arbSchedule, fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 4 }), (s, cycle, failed) => {
        const kuwait = { ...s, timeZone: 'Asia/Kuwait' }
        const first = nextAttemptAt(kuwait, progress({ nextCycle: cycle })) ?? Number.NaN
        const retry = nextAttemptAt(kuwait, progress({ nextCycle: cycle, failedAttempts: failed + 1 })) ?? Number.NaN
        expect(retry - first).toBe((failed + 1) * 86_400_000)
      }),
    )
  })
})

describe('decideAfterAttempt', () => {
  it('moves to the next cycle on approval and resets the failure counter', () => {
    const s = schedule({ iteration: 3 })
    expect(decideAfterAttempt(s, progress({ failedAttempts: 2 }), 'approved')).toEqual(
      progress({ nextCycle: 2, executedTimes: 1 }),
    )
  })

  it('completes on the last iteration', () => {
    const s = schedule({ iteration: 3 })
    const last = progress({ nextCycle: 3, executedTimes: 2 })
    expect(decideAfterAttempt(s, last, 'approved')).toEqual({
      status: 'Completed',
      nextCycle: 4,
      failedAttempts: 0,
      executedTimes: 3,
    })
  })

  it('never completes with Iteration 0 (unlimited)', () => {
    let p = activate()
    for (let i = 0; i < 1000; i++) p = decideAfterAttempt(schedule({ iteration: 0 }), p, 'approved')
    expect(p).toEqual(progress({ nextCycle: 1001, executedTimes: 1000 }))
  })

  it('becomes Uncompleted after the first attempt and RetryCount retries failed, on the same cycle', () => {
    const s = schedule({ retryCount: 2 })
    const declined = (p: RecurrenceProgress) => decideAfterAttempt(s, p, 'declined')
    const p1 = declined(progress({ nextCycle: 4, executedTimes: 3 }))
    expect(p1).toEqual(progress({ nextCycle: 4, executedTimes: 3, failedAttempts: 1 }))
    const p2 = declined(p1)
    expect(p2.status).toBe('Active')
    expect(declined(p2)).toEqual({ status: 'Uncompleted', nextCycle: 4, failedAttempts: 3, executedTimes: 3 })
  })

  it('with RetryCount 0 the first decline is final', () => {
    expect(decideAfterAttempt(schedule({ retryCount: 0 }), progress(), 'declined').status).toBe('Uncompleted')
  })

  it('refuses any status but Active', () => {
    for (const status of ['Draft', 'Uncompleted', 'Completed', 'Canceled'] as const) {
      expectAppError(() => decideAfterAttempt(schedule(), progress({ status }), 'approved'), 'INVALID_STATE')
    }
  })

  it('refuses to charge beyond the last iteration of inconsistent progress', () => {
    expectAppError(
      () => decideAfterAttempt(schedule({ iteration: 2 }), progress({ executedTimes: 2, nextCycle: 3 }), 'approved'),
      'INVALID_STATE',
    )
  })

  it('rejects out-of-range RetryCount and Iteration', () => {
    expectAppError(() => decideAfterAttempt(schedule({ retryCount: 6 }), progress(), 'declined'), 'VALIDATION_FAILED')
    expectAppError(() => decideAfterAttempt(schedule({ iteration: -1 }), progress(), 'declined'), 'VALIDATION_FAILED')
  })

  it('goes Uncompleted exactly after RetryCount + 1 consecutive declines in one cycle', () => {
    fc.assert(
      fc.property(arbSchedule, fc.integer({ min: 0, max: 50 }), (s, done) => {
        fc.pre(s.iteration === 0 || done < s.iteration)
        let p = progress({ nextCycle: done + 1, executedTimes: done })
        for (let k = 1; k <= s.retryCount + 1; k++) {
          p = decideAfterAttempt(s, p, 'declined')
          expect(p.failedAttempts).toBe(k)
          expect(p.nextCycle).toBe(done + 1)
          expect(p.executedTimes).toBe(done)
          expect(p.status).toBe(k === s.retryCount + 1 ? 'Uncompleted' : 'Active')
        }
      }),
    )
  })

  it('resets the failure counter on approval after any number of retries', () => {
    fc.assert(
      fc.property(arbSchedule, fc.nat(5), (s, declines) => {
        fc.pre(declines <= s.retryCount)
        let p = activate()
        for (let k = 0; k < declines; k++) p = decideAfterAttempt(s, p, 'declined')
        p = decideAfterAttempt(s, p, 'approved')
        expect(p.failedAttempts).toBe(0)
        expect(p.nextCycle).toBe(2)
        expect(p.executedTimes).toBe(1)
        expect(p.status).toBe(s.iteration === 1 ? 'Completed' : 'Active')
      }),
    )
  })
})

describe('decideAfterResume', () => {
  const stuck = progress({ status: 'Uncompleted', nextCycle: 3, executedTimes: 2, failedAttempts: 4 })

  it('continues Active on approval, with the next cycle caught up at once', () => {
    const s = schedule({ retryCount: 3, iteration: 5 })
    const resumed = decideAfterResume(s, stuck, 'approved')
    expect(resumed).toEqual({ status: 'Active', nextCycle: 4, failedAttempts: 0, executedTimes: 3 })
    expect(isoInstant(nextAttemptAt(s, resumed))).toBe('2026-05-31T01:00:00.000Z')
  })

  it('completes when the resumed cycle was the last iteration', () => {
    expect(decideAfterResume(schedule({ iteration: 3 }), stuck, 'approved').status).toBe('Completed')
  })

  it('stays Uncompleted, unchanged, when declined', () => {
    expect(decideAfterResume(schedule(), stuck, 'declined')).toEqual(stuck)
  })

  it('refuses any status but Uncompleted, with Data false', () => {
    for (const status of ['Draft', 'Active', 'Completed', 'Canceled'] as const) {
      expectAppError(() => decideAfterResume(schedule(), progress({ status }), 'approved'), 'INVALID_STATE')
    }
    try {
      decideAfterResume(schedule(), progress(), 'approved')
    } catch (error) {
      expect((error as AppError).data).toBe(false)
    }
  })
})

describe('random lifecycles', () => {
  type Action = { kind: 'attempt' | 'resume'; outcome: AttemptOutcome } | { kind: 'cancel' }
  const arbAction: fc.Arbitrary<Action> = fc.oneof(
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('attempt' as const), outcome: arbOutcome }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('resume' as const), outcome: arbOutcome }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const) }) },
  )

  function apply(s: RecurrenceSchedule, p: RecurrenceProgress, action: Action): RecurrenceProgress {
    switch (action.kind) {
      case 'attempt':
        return decideAfterAttempt(s, p, action.outcome)
      case 'resume':
        return decideAfterResume(s, p, action.outcome)
      case 'cancel':
        return cancel(p)
    }
  }

  const applicable = (status: RecurrenceStatus, action: Action) =>
    action.kind === 'attempt'
      ? status === 'Active'
      : action.kind === 'resume'
        ? status === 'Uncompleted'
        : !isFinalStatus(status)

  it('only moves along the graph and keeps the counters in range', () => {
    fc.assert(
      fc.property(arbSchedule, fc.boolean(), fc.array(arbAction, { maxLength: 80 }), (s, startDraft, actions) => {
        let p = startDraft ? draftProgress() : activate()
        let approvals = 0
        for (const action of actions) {
          if (!applicable(p.status, action)) {
            expectAppError(() => apply(s, p, action), 'INVALID_STATE')
            continue
          }
          const next = apply(s, p, action)
          if (next.status !== p.status) expect(canTransition(p.status, next.status)).toBe(true)
          if (next.executedTimes > p.executedTimes) approvals++
          p = next

          if (s.iteration > 0) expect(p.executedTimes).toBeLessThanOrEqual(s.iteration)
          expect(p.executedTimes).toBe(approvals)
          expect(p.nextCycle).toBe(p.executedTimes + 1)
          expect(p.failedAttempts).toBeGreaterThanOrEqual(0)
          expect(p.failedAttempts).toBeLessThanOrEqual(s.retryCount + 1)
          if (p.status === 'Uncompleted') expect(p.failedAttempts).toBe(s.retryCount + 1)
          if (p.status === 'Active') expect(p.failedAttempts).toBeLessThanOrEqual(s.retryCount)
          if (p.status === 'Completed') expect(p.executedTimes).toBe(s.iteration)
          expect(nextAttemptAt(s, p) === null).toBe(p.status !== 'Active')
        }
      }),
    )
  })

  it('never leaves a final state', () => {
    fc.assert(
      fc.property(arbSchedule, fc.constantFrom('Completed', 'Canceled' as const), fc.array(arbAction), (s, status, actions) => {
        const p = progress({ status, executedTimes: s.iteration, nextCycle: s.iteration + 1 })
        for (const action of actions) expectAppError(() => apply(s, p, action), 'INVALID_STATE')
        expectAppError(() => activate(p), 'INVALID_STATE')
      }),
    )
  })

  it('retries of a cycle move forward and NextPayDate never goes back', () => {
    // Across cycles the instant may go back: after late retries a Daily cycle is caught up at once.
    fc.assert(
      fc.property(arbSchedule, fc.array(arbOutcome, { maxLength: 60 }), (s, outcomes) => {
        let p = activate()
        let last = Number.NEGATIVE_INFINITY
        for (const outcome of outcomes) {
          if (p.status !== 'Active') break
          const at = nextAttemptAt(s, p) ?? Number.NaN
          if (p.failedAttempts > 0) expect(at).toBeGreaterThan(last)
          last = at
          const next = decideAfterAttempt(s, p, outcome)
          const before = formatLocalDate(nextPayDate(s, p))
          const after = formatLocalDate(nextPayDate(s, next))
          expect(after >= before).toBe(true)
          p = next
        }
      }),
    )
  })
})
