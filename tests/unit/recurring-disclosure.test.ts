import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { AppError } from '../../src/domain/errors.js'
import { RECURRENCE_STATUSES } from '../../src/domain/recurrence.js'
import { recurringDisclosure, type DisclosedTerms } from '../../src/domain/recurring-disclosure.js'
import { addDays, formatLocalDate, RECURRING_TYPES, toEpochDay, type LocalDate } from '../../src/domain/schedule.js'

const KUWAIT = 'Asia/Kuwait'
const iso = (date: LocalDate) => formatLocalDate(date)
const at = (text: string) => Date.parse(text)

const terms = (overrides: Partial<DisclosedTerms> = {}): DisclosedTerms => ({
  status: 'Draft',
  type: 'Monthly',
  intervalDays: null,
  iteration: 3,
  amountMinor: 10_000,
  currency: 'KWD',
  ...overrides,
})

/** The local date of an instant in a zone, read with Intl: an oracle independent of domain/local-time.ts. */
function intlLocalDate(epochMs: number, timeZone: string): LocalDate {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(epochMs)
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value)
  return { year: part('year'), month: part('month'), day: part('day') }
}

const daysBetween = (a: LocalDate, b: LocalDate) => toEpochDay(b) - toEpochDay(a)

describe('recurringDisclosure', () => {
  it('Monthly, 3 charges: amount, frequency, count, first and last renewal from today, month ends clamped', () => {
    const disclosure = recurringDisclosure(terms(), at('2026-01-31T09:00:00Z'), KUWAIT)
    expect(disclosure).toBeDefined()
    expect(disclosure?.amountMinor).toBe(10_000)
    expect(disclosure?.currency).toBe('KWD')
    expect(disclosure?.frequency).toEqual({ kind: 'monthly' })
    expect(iso(disclosure!.firstRenewal)).toBe('2026-02-28')
    expect(disclosure?.charges.kind).toBe('limited')
    if (disclosure?.charges.kind !== 'limited') throw new Error('limited expected')
    expect(disclosure.charges.count).toBe(3)
    expect(iso(disclosure.charges.lastDate)).toBe('2026-04-30')
  })

  it('dates are those of the merchant time zone, not UTC', () => {
    // 22:30 UTC on 27 November is 01:30 on 28 November in Kuwait (UTC+3).
    const now = at('2026-11-27T22:30:00Z')
    expect(iso(recurringDisclosure(terms({ type: 'Daily' }), now, KUWAIT)!.firstRenewal)).toBe('2026-11-29')
    expect(iso(recurringDisclosure(terms({ type: 'Daily' }), now, 'UTC')!.firstRenewal)).toBe('2026-11-28')
  })

  it('Daily, Weekly and Custom frequencies; a Custom interval of one day is daily; IntervalDays is ignored unless Custom', () => {
    const now = at('2026-03-10T12:00:00Z')
    expect(recurringDisclosure(terms({ type: 'Daily' }), now, KUWAIT)?.frequency).toEqual({ kind: 'daily' })
    expect(recurringDisclosure(terms({ type: 'Weekly', intervalDays: 5 }), now, KUWAIT)).toMatchObject({ frequency: { kind: 'weekly' } })
    expect(iso(recurringDisclosure(terms({ type: 'Weekly', intervalDays: 5 }), now, KUWAIT)!.firstRenewal)).toBe('2026-03-17')
    const custom = recurringDisclosure(terms({ type: 'Custom', intervalDays: 10 }), now, KUWAIT)
    expect(custom?.frequency).toEqual({ kind: 'every-n-days', days: 10 })
    expect(iso(custom!.firstRenewal)).toBe('2026-03-20')
    expect(recurringDisclosure(terms({ type: 'Custom', intervalDays: 1 }), now, KUWAIT)?.frequency).toEqual({ kind: 'daily' })
  })

  it('Iteration 0 charges until cancelled', () => {
    const disclosure = recurringDisclosure(terms({ iteration: 0 }), at('2026-05-01T08:00:00Z'), KUWAIT)
    expect(disclosure?.charges).toEqual({ kind: 'until-cancelled' })
    expect(iso(disclosure!.firstRenewal)).toBe('2026-06-01')
  })

  it('only a Draft recurrence is disclosed: any other status starts nothing when its first invoice is paid', () => {
    for (const status of RECURRENCE_STATUSES) {
      const disclosure = recurringDisclosure(terms({ status }), at('2026-05-01T08:00:00Z'), KUWAIT)
      expect(disclosure === undefined, status).toBe(status !== 'Draft')
    }
  })

  it('a Custom recurrence without a valid interval is refused (stored terms broken), never disclosed wrongly', () => {
    for (const intervalDays of [null, 0, 181, 1.5]) {
      expect(() => recurringDisclosure(terms({ type: 'Custom', intervalDays }), 0, KUWAIT)).toThrow(AppError)
    }
  })

  const ZONES = ['Asia/Kuwait', 'Asia/Riyadh', 'Asia/Dubai', 'Africa/Cairo', 'Europe/London', 'America/New_York', 'Pacific/Kiritimati', 'UTC']
  const anyTerms = fc.record({
    status: fc.constant('Draft' as const),
    type: fc.constantFrom(...RECURRING_TYPES),
    intervalDays: fc.integer({ min: 1, max: 180 }),
    iteration: fc.integer({ min: 0, max: 500 }),
    amountMinor: fc.integer({ min: 1, max: 1e12 }),
    currency: fc.constantFrom('KWD', 'SAR', 'AED', 'EGP'),
  })
  const anyNow = fc.integer({ min: at('2000-01-01T00:00:00Z'), max: at('2090-12-31T00:00:00Z') })

  it('properties: the first renewal is one period after the local day of payment; the last, Iteration periods after', () => {
    fc.assert(
      fc.property(anyTerms, anyNow, fc.constantFrom(...ZONES), (t, now, zone) => {
        const disclosure = recurringDisclosure(t, now, zone)
        if (!disclosure) return false
        const today = intlLocalDate(now, zone)
        expect(disclosure.amountMinor).toBe(t.amountMinor)
        expect(disclosure.currency).toBe(t.currency)
        const step = t.type === 'Daily' ? 1 : t.type === 'Weekly' ? 7 : t.type === 'Custom' ? t.intervalDays : null
        if (step === null) {
          // Monthly: the next calendar month, on the same day or that month's last day.
          const gap = daysBetween(today, disclosure.firstRenewal)
          expect(gap).toBeGreaterThanOrEqual(28)
          expect(gap).toBeLessThanOrEqual(31)
          expect((disclosure.firstRenewal.year * 12 + disclosure.firstRenewal.month) - (today.year * 12 + today.month)).toBe(1)
          expect(disclosure.firstRenewal.day).toBeLessThanOrEqual(today.day)
        } else {
          expect(iso(disclosure.firstRenewal)).toBe(iso(addDays(today, step)))
          expect(disclosure.frequency).toEqual(
            t.type === 'Daily' || step === 1 ? { kind: 'daily' } : t.type === 'Weekly' ? { kind: 'weekly' } : { kind: 'every-n-days', days: step },
          )
        }
        if (t.iteration === 0) {
          expect(disclosure.charges).toEqual({ kind: 'until-cancelled' })
        } else {
          if (disclosure.charges.kind !== 'limited') return false
          expect(disclosure.charges.count).toBe(t.iteration)
          if (step !== null) expect(iso(disclosure.charges.lastDate)).toBe(iso(addDays(today, step * t.iteration)))
          const span = daysBetween(disclosure.firstRenewal, disclosure.charges.lastDate)
          expect(span === 0).toBe(t.iteration === 1)
          expect(span).toBeGreaterThanOrEqual(0)
        }
        return true
      }),
      { numRuns: 400 },
    )
  })
})
