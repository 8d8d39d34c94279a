import { isCurrencyCode } from '../../../domain/currencies.js'
import { formatLocalIso } from '../../../domain/local-time.js'
import { formatAmount } from '../../../domain/money.js'

/** An amount in integer minor units with its currency's decimals (3 for KWD, BHD, OMR, JOD): `1,234.500 KWD`. */
export function formatMoney(minor: number, currency: string): string {
  return isCurrencyCode(currency) ? `${formatAmount(minor, currency, { grouping: true })} ${currency}` : `${minor} ${currency}`
}

/** An amount without its code, for chart axes. */
export function formatMoneyPlain(minor: number, currency: string): string {
  return isCurrencyCode(currency) ? formatAmount(minor, currency, { grouping: true }) : String(minor)
}

/** `2026-03-14 04:00` in `timeZone`. */
export function formatTime(epochMs: number | null, timeZone: string): string {
  if (epochMs === null) return '—'
  return formatLocalIso(epochMs, timeZone).slice(0, 16).replace('T', ' ')
}

/** `2026-03-14` of a day number (days since 1970-01-01 in the zone the days were counted in). */
export function formatDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10)
}

/** `03-14`: a short day label for chart axes. */
export function formatShortDay(day: number): string {
  return formatDay(day).slice(5)
}
