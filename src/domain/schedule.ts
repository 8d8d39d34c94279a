import { AppError } from './errors.js'
import { fromLocal, toLocal, zoneOffsetMs } from './local-time.js'

/**
 * Calendar arithmetic for recurring charges. Dates are local calendar dates of the account's
 * time zone; all arithmetic is on integer day numbers, so the host's time zone never matters
 * and every cycle date is computed directly from the anchor (no drift from repeated steps).
 */

/** `RecurringModel.RecurringType` values, PascalCase as on the wire (reference §2.3). */
export const RECURRING_TYPES = ['Custom', 'Daily', 'Weekly', 'Monthly'] as const

/** A value of {@link RECURRING_TYPES}. */
export type RecurringType = (typeof RECURRING_TYPES)[number]

/** Smallest `IntervalDays` accepted for a `Custom` recurrence. */
export const MIN_INTERVAL_DAYS = 1

/** Largest `IntervalDays` accepted for a `Custom` recurrence. */
export const MAX_INTERVAL_DAYS = 180

/** A local calendar date without time of day or zone. Months are 1–12. */
export interface LocalDate {
  readonly year: number
  readonly month: number
  readonly day: number
}

/** True when `value` is a supported recurring type (exact, PascalCase). */
export function isRecurringType(value: string): value is RecurringType {
  return (RECURRING_TYPES as readonly string[]).includes(value)
}

/** True for Gregorian leap years. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

const MONTH_LENGTHS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const

/** Number of days in `month` (1–12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2 && isLeapYear(year)) return 29
  const length = MONTH_LENGTHS[month - 1]
  if (length === undefined) throw invalid(`Month ${month} is outside 1..12`)
  return length
}

/** True when `date` names a real calendar day with integer fields. */
export function isValidLocalDate(date: LocalDate): boolean {
  const { year, month, day } = date
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  )
}

const LOCAL_DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/

/** Parses `YYYY-MM-DD` into a {@link LocalDate}; throws VALIDATION_FAILED for any other text or an impossible day. */
export function parseLocalDate(text: string): LocalDate {
  const match = LOCAL_DATE_TEXT.exec(text)
  const date = match
    ? { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) }
    : null
  if (!date || !isValidLocalDate(date)) {
    throw invalid(`"${text}" is not a calendar date; expected YYYY-MM-DD`)
  }
  return date
}

const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000
// Longer than any daylight-saving shift in tzdata (the largest is 2 h).
const FALL_BACK_WINDOW_MS = 3 * HOUR_MS

const pad = (value: number, width = 2) => String(value).padStart(width, '0')

/** Formats a {@link LocalDate} as `YYYY-MM-DD`. */
export function formatLocalDate(date: LocalDate): string {
  return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`);
 * pure integer arithmetic, unlike `Date.UTC`, which maps years 0–99 to 1900–1999.
 */
export function toEpochDay(date: LocalDate): number {
  const y = date.month <= 2 ? date.year - 1 : date.year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const monthFromMarch = date.month > 2 ? date.month - 3 : date.month + 9
  const dayOfYear = Math.floor((153 * monthFromMarch + 2) / 5) + date.day - 1
  const dayOfEra =
    yearOfEra * 365 +
    Math.floor(yearOfEra / 4) -
    Math.floor(yearOfEra / 100) +
    dayOfYear
  return era * 146097 + dayOfEra - 719468
}

/** The date `epochDay` days after 1970-01-01 (inverse of {@link toEpochDay}). */
export function fromEpochDay(epochDay: number): LocalDate {
  const z = epochDay + 719468
  const era = Math.floor(z / 146097)
  const dayOfEra = z - era * 146097
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36524) -
      Math.floor(dayOfEra / 146096)) /
      365,
  )
  const dayOfYear =
    dayOfEra -
    (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100))
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153)
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
  return { year, month, day }
}

/** The date `days` days after `date` (negative goes back). */
export function addDays(date: LocalDate, days: number): LocalDate {
  if (!Number.isInteger(days)) throw invalid(`Day count ${days} is not an integer`)
  return fromEpochDay(toEpochDay(date) + days)
}

/** Negative, zero or positive as `a` is before, equal to or after `b`. */
export function compareLocalDates(a: LocalDate, b: LocalDate): number {
  return Math.sign(toEpochDay(a) - toEpochDay(b))
}

/**
 * The local calendar date of automatic cycle `cycle` (cycle 0 is the anchor itself). Monthly
 * keeps the anchor's day of month, clamped to short months, so Jan 31 gives Feb 28/29, Mar 31,
 * Apr 30…; `intervalDays` is only read for `Custom`, as MyFatoorah ignores it otherwise.
 */
export function cycleDate(
  anchor: LocalDate,
  type: RecurringType,
  intervalDays: number | null,
  cycle: number,
): LocalDate {
  if (!isValidLocalDate(anchor)) {
    throw invalid(`Anchor ${JSON.stringify(anchor)} is not a calendar date`)
  }
  if (!Number.isInteger(cycle) || cycle < 0) {
    throw invalid(`Cycle ${cycle} must be an integer >= 0`)
  }
  switch (type) {
    case 'Daily':
      return addDays(anchor, cycle)
    case 'Weekly':
      return addDays(anchor, 7 * cycle)
    case 'Custom':
      return addDays(anchor, checkedIntervalDays(intervalDays) * cycle)
    case 'Monthly': {
      const monthIndex = anchor.year * 12 + (anchor.month - 1) + cycle
      const year = Math.floor(monthIndex / 12)
      const month = monthIndex - year * 12 + 1
      return { year, month, day: Math.min(anchor.day, daysInMonth(year, month)) }
    }
  }
}

function checkedIntervalDays(intervalDays: number | null): number {
  if (
    intervalDays === null ||
    !Number.isInteger(intervalDays) ||
    intervalDays < MIN_INTERVAL_DAYS ||
    intervalDays > MAX_INTERVAL_DAYS
  ) {
    throw invalid(
      `IntervalDays ${intervalDays} must be an integer ${MIN_INTERVAL_DAYS}..${MAX_INTERVAL_DAYS} for Custom`,
    )
  }
  return intervalDays
}

/** The retry date of retry `retryNumber` (1-based) of a cycle: retries run once a day after the cycle date. */
export function retryDate(cycleDay: LocalDate, retryNumber: number): LocalDate {
  if (!Number.isInteger(retryNumber) || retryNumber < 0) {
    throw invalid(`Retry number ${retryNumber} must be an integer >= 0`)
  }
  return addDays(cycleDay, retryNumber)
}

/**
 * Epoch ms at which the wall clock of `timeZone` first shows `chargeHour`:00 on `date`. An
 * hour skipped by a daylight-saving jump resolves to the instant right after the jump, an hour
 * repeated by a fall-back to its first occurrence.
 */
export function dueInstant(date: LocalDate, timeZone: string, chargeHour: number): number {
  if (!Number.isInteger(chargeHour) || chargeHour < 0 || chargeHour > 23) {
    throw invalid(`Charge hour ${chargeHour} must be an integer 0..23`)
  }
  const instant = fromLocal({ ...date, hour: chargeHour, minute: 0, second: 0 }, timeZone)
  // fromLocal may land on the second occurrence of a repeated hour; the first one is the
  // same wall time under the offset in force just before the fall-back.
  const offsetBefore = zoneOffsetMs(instant - FALL_BACK_WINDOW_MS, timeZone)
  if (offsetBefore > zoneOffsetMs(instant, timeZone)) {
    const wallAsUtc = toEpochDay(date) * DAY_MS + chargeHour * HOUR_MS
    const earlier = wallAsUtc - offsetBefore
    if (earlier < instant && zoneOffsetMs(earlier, timeZone) === offsetBefore) return earlier
  }
  return instant
}

/** Epoch ms of the start of `date` in `timeZone` (first instant of that local day). */
export function midnightInstant(date: LocalDate, timeZone: string): number {
  return dueInstant(date, timeZone, 0)
}

/** The local calendar date in `timeZone` at the instant `epochMs`. */
export function localDateOf(epochMs: number, timeZone: string): LocalDate {
  const { year, month, day } = toLocal(epochMs, timeZone)
  return { year, month, day }
}

function invalid(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message)
}
