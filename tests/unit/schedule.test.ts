import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { AppError } from '../../src/domain/errors.js'
import {
  addDays,
  compareLocalDates,
  cycleDate,
  daysInMonth,
  dueInstant,
  formatLocalDate,
  fromEpochDay,
  isRecurringType,
  isValidLocalDate,
  localDateOf,
  midnightInstant,
  parseLocalDate,
  RECURRING_TYPES,
  retryDate,
  toEpochDay,
  type LocalDate,
  type RecurringType,
} from '../../src/domain/schedule.js'

const d = parseLocalDate
const iso = (date: LocalDate) => formatLocalDate(date)
const DAY_MS = 86_400_000

// An independent oracle built on Date.UTC's own overflow rules, so the tests do not share the
// implementation's integer algorithms.
function oracle(anchor: LocalDate, type: RecurringType, intervalDays: number | null, n: number): LocalDate {
  const fromUtc = (ms: number) => {
    const date = new Date(ms)
    return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() }
  }
  const step = type === 'Daily' ? 1 : type === 'Weekly' ? 7 : (intervalDays ?? 0)
  if (type !== 'Monthly') return fromUtc(Date.UTC(anchor.year, anchor.month - 1, anchor.day + step * n))
  const first = fromUtc(Date.UTC(anchor.year, anchor.month - 1 + n, 1))
  const lastDay = new Date(Date.UTC(first.year, first.month, 0)).getUTCDate()
  return { ...first, day: Math.min(anchor.day, lastDay) }
}

const arbDate = (minYear = 1970, maxYear = 2200) =>
  fc
    .record({
      year: fc.integer({ min: minYear, max: maxYear }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 31 }),
    })
    .map(({ year, month, day }) => ({ year, month, day: Math.min(day, daysInMonth(year, month)) }))

const arbType = fc.constantFrom(...RECURRING_TYPES)
const arbInterval = fc.integer({ min: 1, max: 180 })
const arbPlan = fc.record({ anchor: arbDate(), type: arbType, interval: arbInterval })
const intervalFor = (type: RecurringType, interval: number) => (type === 'Custom' ? interval : null)

describe('LocalDate text', () => {
  it('parses and formats YYYY-MM-DD', () => {
    expect(d('2026-01-31')).toEqual({ year: 2026, month: 1, day: 31 })
    expect(iso({ year: 2028, month: 2, day: 9 })).toBe('2028-02-09')
    expect(iso(d('2024-02-29'))).toBe('2024-02-29')
  })

  it.each(['2026-02-29', '2026-13-01', '2026-00-10', '2026-1-31', '2026-01-31T00:00', '', 'tomorrow'])(
    'rejects %j',
    (text) => {
      expect(() => d(text)).toThrow(AppError)
    },
  )

  it('round-trips every date', () => {
    fc.assert(
      fc.property(arbDate(1000, 9999), (date) => {
        expect(d(iso(date))).toEqual(date)
      }),
    )
  })

  it('knows the recurring types', () => {
    expect(isRecurringType('Monthly')).toBe(true)
    expect(isRecurringType('monthly')).toBe(false)
  })
})

describe('day arithmetic', () => {
  it('matches Date.UTC for epoch days', () => {
    fc.assert(
      fc.property(arbDate(1900, 9999), (date) => {
        expect(toEpochDay(date)).toBe(Date.UTC(date.year, date.month - 1, date.day) / DAY_MS)
      }),
    )
  })

  it('round-trips epoch days, including before 1970 and before year 100', () => {
    fc.assert(
      fc.property(fc.integer({ min: -800_000, max: 3_000_000 }), (n) => {
        const date = fromEpochDay(n)
        expect(isValidLocalDate(date)).toBe(true)
        expect(toEpochDay(date)).toBe(n)
      }),
    )
    expect(fromEpochDay(0)).toEqual({ year: 1970, month: 1, day: 1 })
    expect(fromEpochDay(-1)).toEqual({ year: 1969, month: 12, day: 31 })
  })

  it('adds days across month, year and leap-day boundaries', () => {
    expect(iso(addDays(d('2024-02-28'), 1))).toBe('2024-02-29')
    expect(iso(addDays(d('2023-02-28'), 1))).toBe('2023-03-01')
    expect(iso(addDays(d('2025-12-31'), 1))).toBe('2026-01-01')
    expect(iso(addDays(d('2026-03-01'), -1))).toBe('2026-02-28')
  })

  it('compares dates', () => {
    expect(compareLocalDates(d('2026-01-31'), d('2026-02-01'))).toBeLessThan(0)
    expect(compareLocalDates(d('2026-02-01'), d('2026-01-31'))).toBeGreaterThan(0)
    expect(compareLocalDates(d('2026-02-01'), d('2026-02-01'))).toBe(0)
  })

  it('puts retries one day apart after the cycle date', () => {
    expect(iso(retryDate(d('2026-02-28'), 1))).toBe('2026-03-01')
    expect(iso(retryDate(d('2026-02-28'), 5))).toBe('2026-03-05')
    expect(() => retryDate(d('2026-02-28'), -1)).toThrow(AppError)
  })
})

describe('cycleDate examples', () => {
  const monthly = (anchor: string, n: number) => iso(cycleDate(d(anchor), 'Monthly', null, n))

  it('clamps the 31st to short months and comes back (leap year)', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => monthly('2028-01-31', n))).toEqual([
      '2028-01-31',
      '2028-02-29',
      '2028-03-31',
      '2028-04-30',
      '2028-05-31',
      '2028-06-30',
    ])
  })

  it('clamps to Feb 28 in common years and crosses the year end', () => {
    expect(monthly('2026-01-31', 1)).toBe('2026-02-28')
    expect(monthly('2026-01-31', 2)).toBe('2026-03-31')
    expect(monthly('2025-12-31', 2)).toBe('2026-02-28')
    expect(monthly('2026-11-30', 3)).toBe('2027-02-28')
    expect(monthly('2026-03-15', 12)).toBe('2027-03-15')
    expect(monthly('2024-02-29', 12)).toBe('2025-02-28')
    expect(monthly('2024-02-29', 48)).toBe('2028-02-29')
  })

  it('steps Daily by one day and Weekly by seven', () => {
    expect(iso(cycleDate(d('2024-02-28'), 'Daily', null, 1))).toBe('2024-02-29')
    expect(iso(cycleDate(d('2024-02-28'), 'Daily', null, 2))).toBe('2024-03-01')
    expect(iso(cycleDate(d('2026-12-29'), 'Weekly', null, 1))).toBe('2027-01-05')
    expect(iso(cycleDate(d('2026-01-01'), 'Weekly', null, 52))).toBe('2026-12-31')
  })

  it('matches the GetRecurringPayment samples (reference §5.1)', () => {
    expect(iso(cycleDate(d('2021-04-22'), 'Custom', 180, 1))).toBe('2021-10-19')
    expect(iso(cycleDate(d('2021-04-13'), 'Custom', 1, 1))).toBe('2021-04-14')
    // RECUR2137: two automatic charges done, the third (failed) cycle is shown as NextPayDate.
    expect(iso(cycleDate(d('2021-04-13'), 'Custom', 1, 3))).toBe('2021-04-16')
  })

  it('ignores IntervalDays unless Custom, and validates it for Custom', () => {
    expect(cycleDate(d('2026-01-01'), 'Daily', 30, 1)).toEqual(d('2026-01-02'))
    for (const bad of [null, 0, 181, 1.5]) {
      expect(() => cycleDate(d('2026-01-01'), 'Custom', bad, 1)).toThrow(AppError)
    }
  })

  it('rejects negative or fractional cycles and impossible anchors', () => {
    expect(() => cycleDate(d('2026-01-01'), 'Daily', null, -1)).toThrow(AppError)
    expect(() => cycleDate(d('2026-01-01'), 'Daily', null, 1.5)).toThrow(AppError)
    expect(() => cycleDate({ year: 2026, month: 2, day: 30 }, 'Monthly', null, 1)).toThrow(AppError)
  })

  it('returns the anchor for cycle 0', () => {
    fc.assert(
      fc.property(arbPlan, ({ anchor, type, interval }) => {
        expect(cycleDate(anchor, type, intervalFor(type, interval), 0)).toEqual(anchor)
      }),
    )
  })
})

describe('cycleDate properties', () => {
  it('Monthly: day = min(anchor day, days in month) and the month advances exactly n', () => {
    fc.assert(
      fc.property(arbDate(), fc.integer({ min: 0, max: 5000 }), (anchor, n) => {
        const date = cycleDate(anchor, 'Monthly', null, n)
        const months = (date.year - anchor.year) * 12 + (date.month - anchor.month)
        expect(months).toBe(n)
        expect(date.day).toBe(Math.min(anchor.day, daysInMonth(date.year, date.month)))
      }),
    )
  })

  it('Daily, Weekly and Custom are exactly n steps of days from the anchor', () => {
    fc.assert(
      fc.property(arbPlan, fc.integer({ min: 0, max: 5000 }), ({ anchor, type, interval }, n) => {
        fc.pre(type !== 'Monthly')
        const step = type === 'Daily' ? 1 : type === 'Weekly' ? 7 : interval
        const date = cycleDate(anchor, type, intervalFor(type, interval), n)
        expect(toEpochDay(date) - toEpochDay(anchor)).toBe(step * n)
      }),
    )
  })

  it('dates strictly increase with the cycle for every type', () => {
    fc.assert(
      fc.property(arbPlan, fc.integer({ min: 0, max: 5000 }), ({ anchor, type, interval }, n) => {
        const i = intervalFor(type, interval)
        expect(compareLocalDates(cycleDate(anchor, type, i, n), cycleDate(anchor, type, i, n + 1))).toBe(-1)
      }),
    )
  })

  it('equals the Date.UTC oracle for random cycles up to 5000', () => {
    fc.assert(
      fc.property(arbPlan, fc.integer({ min: 0, max: 5000 }), ({ anchor, type, interval }, n) => {
        const i = intervalFor(type, interval)
        expect(cycleDate(anchor, type, i, n)).toEqual(oracle(anchor, type, i, n))
      }),
    )
  })

  it('long runs: every cycle 0..5000 equals the oracle, without drift', () => {
    const anchors = [d('2028-01-31'), d('2024-02-29'), d('2025-08-30'), d('2021-04-22')]
    for (const anchor of anchors) {
      for (const type of RECURRING_TYPES) {
        const i = intervalFor(type, 180)
        for (let n = 0; n <= 5000; n++) {
          const actual = cycleDate(anchor, type, i, n)
          const expected = oracle(anchor, type, i, n)
          if (actual.year !== expected.year || actual.month !== expected.month || actual.day !== expected.day) {
            expect.fail(`${iso(anchor)} ${type} cycle ${n}: ${iso(actual)} != ${iso(expected)}`)
          }
        }
      }
    }
  })

  it('Monthly from the 29th-31st lands on Feb 29 exactly in leap years', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1970, max: 2400 }),
        fc.constantFrom(29, 30, 31),
        fc.integer({ min: 1, max: 400 }),
        (year, day, years) => {
          const anchorMonth = day === 29 ? 1 : 3
          const anchor = { year, month: anchorMonth, day }
          const n = years * 12 + (2 - anchorMonth)
          fc.pre(n > 0)
          const feb = cycleDate(anchor, 'Monthly', null, n)
          const y = feb.year
          const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
          expect(feb).toEqual({ year: y, month: 2, day: leap ? 29 : 28 })
        },
      ),
    )
    expect(iso(cycleDate(d('2099-12-31'), 'Monthly', null, 2))).toBe('2100-02-28')
    expect(iso(cycleDate(d('2399-12-31'), 'Monthly', null, 2))).toBe('2400-02-29')
  })

  it('does not depend on the order in which cycles are computed', () => {
    fc.assert(
      fc.property(
        arbPlan,
        fc.shuffledSubarray(
          Array.from({ length: 60 }, (_, n) => n),
          { minLength: 1 },
        ),
        ({ anchor, type, interval }, cycles) => {
          const i = intervalFor(type, interval)
          const inOrder = Array.from({ length: 60 }, (_, n) => cycleDate(anchor, type, i, n))
          for (const n of cycles) expect(cycleDate(anchor, type, i, n)).toEqual(inOrder[n])
        },
      ),
    )
  })
})

describe('instants', () => {
  it('puts a Kuwait 04:00 charge at 01:00Z', () => {
    expect(new Date(dueInstant(d('2026-01-31'), 'Asia/Kuwait', 4)).toISOString()).toBe('2026-01-31T01:00:00.000Z')
    expect(new Date(midnightInstant(d('2025-02-10'), 'Asia/Kuwait')).toISOString()).toBe('2025-02-09T21:00:00.000Z')
  })

  it('follows Cairo across the 2024 daylight-saving changes', () => {
    const cairo = 'Africa/Cairo'
    // EET (UTC+2) before Friday 26 April 2024 00:00, EEST (UTC+3) until Thursday 31 October 24:00.
    expect(new Date(dueInstant(d('2024-04-25'), cairo, 4)).toISOString()).toBe('2024-04-25T02:00:00.000Z')
    expect(new Date(dueInstant(d('2024-04-26'), cairo, 4)).toISOString()).toBe('2024-04-26T01:00:00.000Z')
    expect(new Date(dueInstant(d('2024-10-31'), cairo, 4)).toISOString()).toBe('2024-10-31T01:00:00.000Z')
    expect(new Date(dueInstant(d('2024-11-01'), cairo, 4)).toISOString()).toBe('2024-11-01T02:00:00.000Z')
    // Midnight of 26 April does not exist in Cairo; the day starts at 01:00 EEST.
    expect(new Date(midnightInstant(d('2024-04-26'), cairo)).toISOString()).toBe('2024-04-25T22:00:00.000Z')
    // Daily charges stay at 04:00 local, so consecutive instants are 23 h or 25 h apart there.
    const at = (n: number) => dueInstant(cycleDate(d('2024-04-25'), 'Daily', null, n), cairo, 4)
    expect(at(1) - at(0)).toBe(23 * 3_600_000)
  })

  it('takes the first occurrence of a wall time repeated by a fall-back', () => {
    // Amman fell back from 01:00 to 00:00 on Friday 29 October 2021, so that midnight came twice.
    expect(new Date(midnightInstant(d('2021-10-29'), 'Asia/Amman')).toISOString()).toBe('2021-10-28T21:00:00.000Z')
    // Cairo repeats 23:00–24:00 on Thursday 31 October 2024.
    expect(new Date(dueInstant(d('2024-10-31'), 'Africa/Cairo', 23)).toISOString()).toBe('2024-10-31T20:00:00.000Z')
    expect(new Date(dueInstant(d('2024-10-30'), 'Africa/Cairo', 23)).toISOString()).toBe('2024-10-30T20:00:00.000Z')
  })

  it('maps instants back to the same local date', () => {
    const zones = ['Asia/Kuwait', 'Asia/Riyadh', 'Asia/Dubai', 'Africa/Cairo', 'Asia/Amman', 'UTC']
    fc.assert(
      fc.property(arbDate(1990, 2100), fc.constantFrom(...zones), fc.integer({ min: 0, max: 23 }), (date, zone, hour) => {
        expect(localDateOf(dueInstant(date, zone, hour), zone)).toEqual(date)
        expect(localDateOf(midnightInstant(date, zone), zone)).toEqual(date)
        expect(localDateOf(midnightInstant(date, zone) - 1, zone)).toEqual(addDays(date, -1))
      }),
    )
  })

  it('rejects charge hours outside 0..23', () => {
    expect(() => dueInstant(d('2026-01-01'), 'Asia/Kuwait', 24)).toThrow(AppError)
    expect(() => dueInstant(d('2026-01-01'), 'Asia/Kuwait', -1)).toThrow(AppError)
  })
})
