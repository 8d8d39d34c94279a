import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { COUNTRY_CODES, getCountry } from '../../src/domain/countries.js'
import { DEFAULT_INVOICE_LIFETIME_MS, invoiceReference, trackIdOf, INVOICE_STATUSES, TRANSACTION_STATUSES } from '../../src/domain/invoice.js'
import { parseLocalIsoDateTime } from '../../src/domain/local-iso.js'
import {
  formatCompactLocal,
  formatLocalDashedDate,
  formatLocalHumanDate,
  formatLocalIso,
  formatLocalTime,
  fromLocal,
  toLocal,
  zoneOffsetMs,
  type LocalDateTime,
} from '../../src/domain/local-time.js'

const KUWAIT = 'Asia/Kuwait'
const CAIRO = 'Africa/Cairo'
const HOUR = 3_600_000
const ZONES = [...new Set(COUNTRY_CODES.map((code) => getCountry(code).timeZone))]

/** 2026-01-10T00:15:07.293 in Kuwait. */
const SAMPLE = Date.UTC(2026, 0, 9, 21, 15, 7, 293)

const instant = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2045, 0, 1) })
const zone = fc.constantFrom(...ZONES)

/** An independent oracle: the wall clock as Intl prints it with an explicit offset name. */
const offsetFormatters = new Map<string, Intl.DateTimeFormat>()
function offsetName(epochMs: number, timeZone: string): string {
  let formatter = offsetFormatters.get(timeZone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    offsetFormatters.set(timeZone, formatter)
  }
  const parts = formatter.formatToParts(new Date(epochMs))
  return parts.find((part) => part.type === 'timeZoneName')?.value ?? ''
}

function offsetMsFromName(name: string): number {
  const match = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name)
  if (!match) throw new Error(`unexpected offset ${name}`)
  if (!match[1]) return 0
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * HOUR + Number(match[3]) * 60_000)
}

describe('toLocal and formatting in Asia/Kuwait', () => {
  it('formats the GetPaymentStatus date-time without offset', () => {
    expect(formatLocalIso(SAMPLE, KUWAIT)).toBe('2026-01-10T00:15:07.293')
    expect(formatLocalIso(Date.UTC(2026, 0, 9, 21), KUWAIT)).toBe('2026-01-10T00:00:00.000')
    expect(formatLocalIso(Date.UTC(2026, 11, 31, 20, 59, 59, 999), KUWAIT)).toBe('2026-12-31T23:59:59.999')
  })

  it('prints midnight as hour 00, never 24', () => {
    expect(toLocal(Date.UTC(2026, 0, 12, 21), KUWAIT)).toEqual({ year: 2026, month: 1, day: 13, hour: 0, minute: 0, second: 0, millisecond: 0 })
    fc.assert(
      fc.property(instant, zone, (t, z) => {
        const local = toLocal(t, z)
        expect(local.hour).toBeGreaterThanOrEqual(0)
        expect(local.hour).toBeLessThanOrEqual(23)
      }),
    )
  })

  it('formats the human date, the compact v1 date and the parts', () => {
    expect(formatLocalHumanDate(Date.UTC(2026, 0, 13, 12), KUWAIT)).toBe('January 13, 2026')
    // 21:30 UTC on the 12th is already the 13th in Kuwait.
    expect(formatLocalHumanDate(Date.UTC(2026, 0, 12, 21, 30), KUWAIT)).toBe('January 13, 2026')
    expect(formatLocalHumanDate(Date.UTC(2026, 0, 12, 20, 59), KUWAIT)).toBe('January 12, 2026')
    expect(formatLocalHumanDate(Date.UTC(2030, 11, 31, 20, 59, 59), KUWAIT)).toBe('December 31, 2030')
    expect(formatLocalHumanDate(Date.UTC(2026, 4, 5, 9), KUWAIT)).toBe('May 5, 2026')
    expect(formatCompactLocal(SAMPLE, KUWAIT)).toBe('10012026001507')
    expect(formatCompactLocal(Date.UTC(2021, 3, 6, 21), KUWAIT)).toBe('07042021000000')
    expect(formatLocalTime(SAMPLE, KUWAIT)).toBe('00:15:07.293')
    expect(formatLocalDashedDate(SAMPLE, KUWAIT)).toBe('10-01-2026')
  })

  it('names every month in the human date', () => {
    const names = Array.from({ length: 12 }, (_, m) => formatLocalHumanDate(Date.UTC(2026, m, 15, 12), KUWAIT).split(' ')[0])
    expect(names).toEqual(['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'])
  })

  it('keeps milliseconds for instants before 1970', () => {
    expect(formatLocalIso(-1, 'UTC')).toBe('1969-12-31T23:59:59.999')
    expect(toLocal(-1500, 'UTC').millisecond).toBe(500)
  })

  it('answers instants of one second alike, whatever was asked before (per-second cache)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(instant, fc.integer({ min: 0, max: 999 })), { minLength: 1, maxLength: 8 }), zone, (pairs, z) => {
        for (const [t, ms] of pairs) {
          const sameSecond = Math.floor(t / 1000) * 1000 + ms
          const offset = offsetMsFromName(offsetName(sameSecond, z))
          expect(formatLocalIso(t, z)).toBe(new Date(t + zoneOffsetMs(t, z)).toISOString().slice(0, -1))
          expect(formatLocalIso(sameSecond, z)).toBe(new Date(sameSecond + offset).toISOString().slice(0, -1))
          expect(toLocal(sameSecond, z).millisecond).toBe(ms)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('agrees with Date for UTC and with the zone offset everywhere', () => {
    fc.assert(
      fc.property(instant, zone, (t, z) => {
        expect(formatLocalIso(t, 'UTC')).toBe(new Date(t).toISOString().slice(0, -1))
        const offset = offsetMsFromName(offsetName(t, z))
        expect(zoneOffsetMs(t, z)).toBe(offset)
        expect(formatLocalIso(t, z)).toBe(new Date(t + offset).toISOString().slice(0, -1))
      }),
      { numRuns: 500 },
    )
  })

  it('the fixed formats are consistent with formatLocalIso', () => {
    fc.assert(
      fc.property(instant, zone, (t, z) => {
        const iso = formatLocalIso(t, z)
        const [y, mo, d, h, mi, s] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10), iso.slice(11, 13), iso.slice(14, 16), iso.slice(17, 19)]
        expect(formatCompactLocal(t, z)).toBe(`${d}${mo}${y}${h}${mi}${s}`)
        expect(formatLocalDashedDate(t, z)).toBe(`${d}-${mo}-${y}`)
        expect(formatLocalTime(t, z)).toBe(iso.slice(11))
        expect(formatLocalHumanDate(t, z)).toMatch(new RegExp(`^[A-Z][a-z]+ ${Number(d)}, ${y}$`))
      }),
      { numRuns: 300 },
    )
  })
})

describe('zoneOffsetMs', () => {
  it('is +3 h in Kuwait all year and follows Cairo daylight saving', () => {
    expect(zoneOffsetMs(Date.UTC(2026, 0, 1), KUWAIT)).toBe(3 * HOUR)
    expect(zoneOffsetMs(Date.UTC(2026, 6, 1), KUWAIT)).toBe(3 * HOUR)
    expect(zoneOffsetMs(Date.UTC(2024, 0, 15), CAIRO)).toBe(2 * HOUR)
    expect(zoneOffsetMs(Date.UTC(2024, 6, 15), CAIRO)).toBe(3 * HOUR)
    expect(zoneOffsetMs(Date.UTC(2024, 3, 25, 21, 59, 59, 999), CAIRO)).toBe(2 * HOUR)
    expect(zoneOffsetMs(Date.UTC(2024, 3, 25, 22), CAIRO)).toBe(3 * HOUR)
  })
})

describe('fromLocal', () => {
  it('turns Kuwait wall-clock time into the instant', () => {
    expect(fromLocal({ year: 2026, month: 1, day: 10, hour: 0, minute: 15, second: 7, millisecond: 293 }, KUWAIT)).toBe(SAMPLE)
    expect(fromLocal({ year: 2026, month: 1, day: 13, hour: 4, minute: 0, second: 0 }, KUWAIT)).toBe(Date.UTC(2026, 0, 13, 1))
  })

  it('round-trips every instant of every country zone through its wall clock', () => {
    fc.assert(
      fc.property(instant, zone, (t, z) => {
        const local = toLocal(t, z)
        const back = fromLocal(local, z)
        // In the repeated hour after a DST change both instants show the same wall clock.
        expect(toLocal(back, z)).toEqual(local)
        if (back !== t) expect(Math.abs(back - t)).toBe(HOUR)
      }),
      { numRuns: 600 },
    )
  })

  it('round-trips every wall-clock time that exists, and moves skipped times forward', () => {
    const localTime = fc.record({
      year: fc.integer({ min: 1990, max: 2045 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.integer({ min: 0, max: 59 }),
      second: fc.integer({ min: 0, max: 59 }),
      millisecond: fc.integer({ min: 0, max: 999 }),
    })
    fc.assert(
      fc.property(localTime, zone, (local: LocalDateTime, z) => {
        const t = fromLocal(local, z)
        const shown = toLocal(t, z)
        if (JSON.stringify(shown) !== JSON.stringify(local)) {
          // A time skipped by a spring-forward jump: the wall clock shows the time an hour later.
          const wall = (l: LocalDateTime) => Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second, l.millisecond)
          expect(wall(shown) - wall(local)).toBe(HOUR)
          expect(zoneOffsetMs(t, z) - zoneOffsetMs(t - 2 * HOUR, z)).toBe(HOUR)
        }
      }),
      { numRuns: 600 },
    )
  })

  it('handles the Cairo spring-forward gap (2024-04-26 00:00 → 01:00)', () => {
    expect(fromLocal({ year: 2024, month: 4, day: 25, hour: 23, minute: 59, second: 59 }, CAIRO)).toBe(Date.UTC(2024, 3, 25, 21, 59, 59))
    expect(fromLocal({ year: 2024, month: 4, day: 26, hour: 1, minute: 0, second: 0 }, CAIRO)).toBe(Date.UTC(2024, 3, 25, 22))
    // 00:30 does not exist that night; the later instant (01:30 local) is returned.
    const skipped = fromLocal({ year: 2024, month: 4, day: 26, hour: 0, minute: 30, second: 0 }, CAIRO)
    expect(skipped).toBe(Date.UTC(2024, 3, 25, 22, 30))
    expect(formatLocalIso(skipped, CAIRO)).toBe('2024-04-26T01:30:00.000')
    expect(fromLocal({ year: 2024, month: 4, day: 26, hour: 0, minute: 0, second: 0 }, CAIRO)).toBe(Date.UTC(2024, 3, 25, 22))
  })

  it('handles the Cairo fall-back overlap (2024-10-31 24:00 → 23:00)', () => {
    const repeated = fromLocal({ year: 2024, month: 10, day: 31, hour: 23, minute: 30, second: 0 }, CAIRO)
    expect([Date.UTC(2024, 9, 31, 20, 30), Date.UTC(2024, 9, 31, 21, 30)]).toContain(repeated)
    expect(formatLocalIso(repeated, CAIRO)).toBe('2024-10-31T23:30:00.000')
    expect(fromLocal({ year: 2024, month: 10, day: 31, hour: 22, minute: 59, second: 59 }, CAIRO)).toBe(Date.UTC(2024, 9, 31, 19, 59, 59))
    expect(fromLocal({ year: 2024, month: 11, day: 1, hour: 0, minute: 0, second: 0 }, CAIRO)).toBe(Date.UTC(2024, 9, 31, 22))
  })

  it('normalises overflowing fields like Date.UTC', () => {
    expect(fromLocal({ year: 2026, month: 1, day: 32, hour: 0, minute: 0, second: 0 }, KUWAIT)).toBe(Date.UTC(2026, 1, 1) - 3 * HOUR)
    expect(fromLocal({ year: 2026, month: 13, day: 1, hour: 0, minute: 0, second: 0 }, KUWAIT)).toBe(Date.UTC(2027, 0, 1) - 3 * HOUR)
  })

  it('reads years 0–99 as themselves, not as 1900–1999', () => {
    const t = fromLocal({ year: 50, month: 3, day: 1, hour: 0, minute: 0, second: 0 }, 'UTC')
    expect(new Date(t).getUTCFullYear()).toBe(50)
    expect(toLocal(t, 'UTC')).toMatchObject({ year: 50, month: 3, day: 1 })
    expect(zoneOffsetMs(t, 'UTC')).toBe(0)
  })
})

describe('parseLocalIsoDateTime', () => {
  it('reads text without offset as local time of the zone', () => {
    expect(parseLocalIsoDateTime('2026-01-10T00:15:07.293', KUWAIT)).toBe(SAMPLE)
    expect(parseLocalIsoDateTime('2026-01-10 00:15:07.293', KUWAIT)).toBe(SAMPLE)
    expect(parseLocalIsoDateTime('2026-01-10T00:15', KUWAIT)).toBe(Date.UTC(2026, 0, 9, 21, 15))
    expect(parseLocalIsoDateTime('2026-01-10', KUWAIT)).toBe(Date.UTC(2026, 0, 9, 21))
    expect(parseLocalIsoDateTime('2024-07-01T12:00:00', CAIRO)).toBe(Date.UTC(2024, 6, 1, 9))
    expect(parseLocalIsoDateTime('2024-01-01T12:00:00', CAIRO)).toBe(Date.UTC(2024, 0, 1, 10))
  })

  it('honours an explicit offset or Z', () => {
    expect(parseLocalIsoDateTime('2026-01-10T00:15:07Z', KUWAIT)).toBe(Date.UTC(2026, 0, 10, 0, 15, 7))
    expect(parseLocalIsoDateTime('2026-01-10T00:15:07+03:00', CAIRO)).toBe(Date.UTC(2026, 0, 9, 21, 15, 7))
    expect(parseLocalIsoDateTime('2026-01-10T00:15:07+0300', CAIRO)).toBe(Date.UTC(2026, 0, 9, 21, 15, 7))
    expect(parseLocalIsoDateTime('2026-01-10T00:15:07-05:30', KUWAIT)).toBe(Date.UTC(2026, 0, 10, 5, 45, 7))
    expect(parseLocalIsoDateTime('2026-01-10T00:15:07.5+00:00', KUWAIT)).toBe(Date.UTC(2026, 0, 10, 0, 15, 7, 500))
  })

  it('truncates fractions beyond milliseconds (.NET prints seven digits)', () => {
    expect(parseLocalIsoDateTime('2026-01-10T00:15:07.2939999Z', KUWAIT)).toBe(Date.UTC(2026, 0, 10, 0, 15, 7, 293))
    expect(parseLocalIsoDateTime('2026-01-10T00:15:07.1Z', KUWAIT)).toBe(Date.UTC(2026, 0, 10, 0, 15, 7, 100))
    expect(parseLocalIsoDateTime('2026-01-10T00:15:07.01Z', KUWAIT)).toBe(Date.UTC(2026, 0, 10, 0, 15, 7, 10))
    expect(parseLocalIsoDateTime('2026-01-10T00:15:07.12345678Z', KUWAIT)).toBeUndefined()
  })

  it('accepts leap days only in leap years', () => {
    expect(parseLocalIsoDateTime('2024-02-29', KUWAIT)).toBe(Date.UTC(2024, 1, 28, 21))
    expect(parseLocalIsoDateTime('2000-02-29', KUWAIT)).toBeTypeOf('number')
    expect(parseLocalIsoDateTime('2026-02-29', KUWAIT)).toBeUndefined()
    expect(parseLocalIsoDateTime('1900-02-29', KUWAIT)).toBeUndefined()
  })

  it('returns undefined for impossible or malformed dates', () => {
    const bad = [
      '2026-02-30', '2026-02-30T00:00:00', '2026-04-31', '2026-00-10', '2026-13-01', '2026-01-00', '2026-01-32',
      '2026-01-10T24:00:00', '2026-01-10T23:60:00', '2026-01-10T23:59:60', '2026-01-10T10', '2026-1-10', '26-01-10',
      '', ' 2026-01-10', '2026-01-10 ', '2026/01/10', '10-01-2026', 'January 13, 2026', '2026-01-10T00:00:00z',
      '2026-01-10T00:00:00+3', '2026-01-10T00:00:00+03:60', '2026-01-10T00:00:00+24:00', '2026-01-10T00:00:00+99:99',
      '２０２６-01-10', '2026-01-10T00:00:00.', '2026-01-10T00:00:00,5', '+2026-01-10',
    ]
    for (const text of bad) expect(parseLocalIsoDateTime(text, KUWAIT), JSON.stringify(text)).toBeUndefined()
  })

  it('reads years 0–99 as themselves', () => {
    expect(parseLocalIsoDateTime('0050-03-01T00:00:00Z', KUWAIT)).toBe(new Date('0050-03-01T00:00:00Z').getTime())
    expect(parseLocalIsoDateTime('0050-03-01', 'UTC')).toBe(new Date('0050-03-01T00:00:00Z').getTime())
    expect(parseLocalIsoDateTime('0000-02-29', 'UTC')).toBe(new Date('0000-02-29T00:00:00Z').getTime())
  })

  it('inverts formatLocalIso in every country zone (except the repeated DST hour)', () => {
    fc.assert(
      fc.property(instant, zone, (t, z) => {
        const parsed = parseLocalIsoDateTime(formatLocalIso(t, z), z)
        expect(parsed === t || Math.abs((parsed ?? 0) - t) === HOUR).toBe(true)
        expect(formatLocalIso(parsed ?? 0, z)).toBe(formatLocalIso(t, z))
      }),
      { numRuns: 500 },
    )
  })

  it('agrees with Date.parse on text with an explicit offset', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
        const text = date.toISOString()
        expect(parseLocalIsoDateTime(text, KUWAIT)).toBe(date.getTime())
        expect(parseLocalIsoDateTime(text.replace('Z', '+00:00'), CAIRO)).toBe(date.getTime())
      }),
    )
  })

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,8})?)?)?(Z|[+-]\d{2}:?\d{2})?$/)), zone, (text, z) => {
        const parsed = parseLocalIsoDateTime(text, z)
        if (parsed !== undefined) expect(Number.isFinite(parsed)).toBe(true)
      }),
      { numRuns: 500 },
    )
  })
})

describe('invoice', () => {
  it('InvoiceReference is the local year and the six-digit count of the merchant’s invoices', () => {
    const invoice = (number: number, createdAt: number) => ({ id: 900_000 + number, reference_number: number, created_at: createdAt })
    expect(invoiceReference(invoice(42, Date.UTC(2026, 5, 1)), KUWAIT)).toBe('2026000042')
    // 22:00 UTC on 31 December is already the new year in Kuwait.
    expect(invoiceReference(invoice(42, Date.UTC(2025, 11, 31, 22)), KUWAIT)).toBe('2026000042')
    expect(invoiceReference(invoice(42, Date.UTC(2025, 11, 31, 20, 59)), KUWAIT)).toBe('2025000042')
    expect(invoiceReference(invoice(1_234_567, Date.UTC(2026, 5, 1)), KUWAIT)).toBe('20261234567')
    // A row the database has not numbered (never after insert) falls back to its id.
    expect(invoiceReference({ id: 7, reference_number: null, created_at: Date.UTC(2026, 5, 1) }, KUWAIT)).toBe('2026000007')
  })

  it('TrackId is the local date and the seven-digit count of the merchant’s transactions', () => {
    expect(trackIdOf({ id: 999, reference_number: 12, created_at: Date.UTC(2026, 0, 10, 12) }, KUWAIT)).toBe('10-01-2026_0000012')
  })

  it('lists the wire spellings of statuses, Succss included', () => {
    expect(INVOICE_STATUSES).toEqual(['Pending', 'Paid', 'Canceled'])
    expect(TRANSACTION_STATUSES).toContain('Succss')
    expect(DEFAULT_INVOICE_LIFETIME_MS).toBe(3 * 24 * HOUR)
  })
})
