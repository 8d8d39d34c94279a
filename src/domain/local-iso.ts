import { fromLocal } from './local-time.js'

const LOCAL_ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/

/**
 * Parses an ISO 8601 date or date-time. Without an offset it is read as local time of
 * `timeZone`, as MyFatoorah reads dates in Kuwait time. Returns epoch ms or undefined.
 */
export function parseLocalIsoDateTime(text: string, timeZone: string): number | undefined {
  const match = LOCAL_ISO.exec(text)
  if (!match) return undefined
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '0', zone] = match
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(s)
  const millisecond = Math.floor(Number(`0.${fraction}`) * 1000)
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 59) return undefined
  const local = { year, month, day, hour, minute, second, millisecond }
  if (zone === undefined) return fromLocal(local, timeZone)
  // fromLocal in UTC rather than Date.UTC, which would read years 0–99 as 1900–1999.
  const utc = fromLocal(local, 'UTC')
  if (zone === 'Z') return utc
  const sign = zone.startsWith('-') ? -1 : 1
  const digits = zone.slice(1).replace(':', '')
  const offsetHours = Number(digits.slice(0, 2))
  const offsetMinutes = Number(digits.slice(2))
  if (offsetHours > 23 || offsetMinutes > 59) return undefined
  return utc - sign * (offsetHours * 60 + offsetMinutes) * 60_000
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}
