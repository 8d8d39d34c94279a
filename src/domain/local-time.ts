/**
 * Wall-clock conversions in a merchant's time zone. MyFatoorah's v2 API prints local times of
 * the account's country without an offset (`2026-01-10T00:15:07.293`); these helpers produce
 * that text from epoch milliseconds, and turn local calendar dates back into instants.
 */

/** A local calendar date and time of day. Months are 1–12. */
export interface LocalDateTime {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour: number
  readonly minute: number
  readonly second: number
  readonly millisecond: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formatters.set(timeZone, formatter)
  }
  return formatter
}

/** Per time zone, the last whole second converted: batches format the same instant many times. */
const lastSecond = new Map<string, { second: number; local: LocalDateTime }>()

/** The local date and time in `timeZone` at the instant `epochMs`. */
export function toLocal(epochMs: number, timeZone: string): LocalDateTime {
  const second = Math.floor(epochMs / 1000)
  const millisecond = epochMs - second * 1000
  const cached = lastSecond.get(timeZone)
  if (cached?.second === second) return { ...cached.local, millisecond }
  const local = toLocalUncached(epochMs, timeZone)
  lastSecond.set(timeZone, { second, local })
  return local
}

function toLocalUncached(epochMs: number, timeZone: string): LocalDateTime {
  const parts = formatterFor(timeZone).formatToParts(new Date(epochMs))
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0)
  // Intl counts years before 1 AD as "1 BC", "2 BC"…; astronomical numbering makes 1 BC year 0.
  const bc = parts.find((p) => p.type === 'era')?.value === 'BC'
  return {
    year: bc ? 1 - get('year') : get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
    millisecond: ((epochMs % 1000) + 1000) % 1000,
  }
}

/** Offset of `timeZone` from UTC at `epochMs`, in milliseconds (Kuwait: +3 h). */
export function zoneOffsetMs(epochMs: number, timeZone: string): number {
  const local = toLocal(epochMs, timeZone)
  const asUtc = utcMs(local.year, local.month, local.day, local.hour, local.minute, local.second, local.millisecond)
  return asUtc - epochMs
}

/**
 * `Date.UTC` without its legacy rule that maps years 0–99 to 1900–1999; out-of-range fields
 * overflow into the next unit as with `Date.UTC`.
 */
function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number, millisecond: number): number {
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, millisecond)
  return date.getTime()
}

/**
 * The instant at which the wall clock of `timeZone` shows the given local time. For a time
 * skipped by a daylight-saving jump the later instant is returned.
 */
export function fromLocal(local: Omit<LocalDateTime, 'millisecond'> & { millisecond?: number }, timeZone: string): number {
  const asUtc = utcMs(local.year, local.month, local.day, local.hour, local.minute, local.second, local.millisecond ?? 0)
  // Two passes settle on the right offset even across a DST change.
  let guess = asUtc - zoneOffsetMs(asUtc, timeZone)
  guess = asUtc - zoneOffsetMs(guess, timeZone)
  return guess
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0')

/** `2026-01-10T00:15:07.293` — local time, no offset, as GetPaymentStatus prints it. */
export function formatLocalIso(epochMs: number, timeZone: string): string {
  const l = toLocal(epochMs, timeZone)
  return `${l.year}-${pad(l.month)}-${pad(l.day)}T${pad(l.hour)}:${pad(l.minute)}:${pad(l.second)}.${pad(l.millisecond, 3)}`
}

/** `00:15:07.293` — local time of day (GetPaymentStatus `ExpiryTime`). */
export function formatLocalTime(epochMs: number, timeZone: string): string {
  const l = toLocal(epochMs, timeZone)
  return `${pad(l.hour)}:${pad(l.minute)}:${pad(l.second)}.${pad(l.millisecond, 3)}`
}

const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
] as const

/** `January 13, 2026` — the human date GetPaymentStatus uses for `ExpiryDate`. */
export function formatLocalHumanDate(epochMs: number, timeZone: string): string {
  const l = toLocal(epochMs, timeZone)
  return `${MONTH_NAMES[l.month - 1] ?? ''} ${l.day}, ${l.year}`
}

/** `ddMMyyyyHHmmss` local time, the v1 webhook date format. */
export function formatCompactLocal(epochMs: number, timeZone: string): string {
  const l = toLocal(epochMs, timeZone)
  return `${pad(l.day)}${pad(l.month)}${l.year}${pad(l.hour)}${pad(l.minute)}${pad(l.second)}`
}

/** `10-01-2026` local date, used inside `TrackId`. */
export function formatLocalDashedDate(epochMs: number, timeZone: string): string {
  const l = toLocal(epochMs, timeZone)
  return `${pad(l.day)}-${pad(l.month)}-${l.year}`
}
