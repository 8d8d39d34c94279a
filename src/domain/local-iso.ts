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
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined
  const probe = new Date(Date.UTC(year, month - 1, day))
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return undefined
  if (zone === undefined) return fromLocal({ year, month, day, hour, minute, second, millisecond }, timeZone)
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millisecond)
  if (zone === 'Z') return utc
  const sign = zone.startsWith('-') ? -1 : 1
  const digits = zone.slice(1).replace(':', '')
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))
  return utc - sign * offsetMinutes * 60_000
}
