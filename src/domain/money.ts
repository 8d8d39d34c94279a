import { getCurrency, type CurrencyCode } from './currencies.js'

/**
 * Amounts are integer minor units (fils, halalas…) everywhere inside dawri. These functions
 * are the only place where decimal text or JSON numbers become minor units and back.
 */

/** Why a decimal amount could not be turned into minor units. */
export type ParseAmountFailure = 'not-a-number' | 'too-many-decimals' | 'too-large'

/** Largest amount in minor units we accept: keeps every sum well inside 2^53. */
export const MAX_MINOR_UNITS = 10 ** 15

const DECIMAL_TEXT = /^(-)?(\d+)(?:\.(\d+))?$/

/**
 * Parses a decimal amount given as text or as a JSON number into minor units of `currency`,
 * without ever doing floating-point arithmetic. A JSON number is read through its shortest
 * round-trip text (`2.5` → "2.5"), so `0.1` stays exactly one tenth.
 */
export function parseAmount(
  value: number | string,
  currency: CurrencyCode,
): { ok: true; minor: number } | { ok: false; reason: ParseAmountFailure } {
  const exponent = getCurrency(currency).exponent
  let text: string
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, reason: 'not-a-number' }
    text = numberToPlainText(value)
  } else {
    text = value.trim()
  }
  const match = DECIMAL_TEXT.exec(text)
  if (!match) return { ok: false, reason: 'not-a-number' }
  const [, sign, whole = '', rawFraction = ''] = match
  const fraction = rawFraction.replace(/0+$/, '')
  if (fraction.length > exponent) return { ok: false, reason: 'too-many-decimals' }
  const digits = (whole.replace(/^0+(?=\d)/, '') + fraction.padEnd(exponent, '0')).replace(/^0+(?=\d)/, '')
  if (digits.length > 16) return { ok: false, reason: 'too-large' }
  const minor = Number(digits)
  if (minor > MAX_MINOR_UNITS) return { ok: false, reason: 'too-large' }
  return { ok: true, minor: sign && minor !== 0 ? -minor : minor }
}

/** Renders a JS number as plain decimal text (no exponent), e.g. 1e-7 → "0.0000001". */
function numberToPlainText(value: number): string {
  const text = String(value)
  if (!/e/i.test(text)) return text
  const [mantissa = '0', exponentText = '0'] = text.toLowerCase().split('e')
  const exp = Number(exponentText)
  const negative = mantissa.startsWith('-')
  const [intPart = '0', fracPart = ''] = mantissa.replace('-', '').split('.')
  const allDigits = intPart + fracPart
  const pointAt = intPart.length + exp
  let plain: string
  if (pointAt <= 0) plain = '0.' + '0'.repeat(-pointAt) + allDigits
  else if (pointAt >= allDigits.length) plain = allDigits + '0'.repeat(pointAt - allDigits.length)
  else plain = allDigits.slice(0, pointAt) + '.' + allDigits.slice(pointAt)
  return (negative ? '-' : '') + plain
}

/** Formats minor units with the currency's decimals: 1500 KWD → "1.500". */
export function formatAmount(minor: number, currency: CurrencyCode, options: { grouping?: boolean } = {}): string {
  const exponent = getCurrency(currency).exponent
  const negative = minor < 0
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0')
  let whole = digits.slice(0, digits.length - exponent)
  const fraction = digits.slice(digits.length - exponent)
  if (options.grouping) whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return (negative ? '-' : '') + whole + (exponent > 0 ? '.' + fraction : '')
}

/**
 * Minor units as a JSON number in major units (1500 KWD → 1.5). Only for output fields the
 * reference types as numbers; the division result is the shortest decimal text JSON prints.
 */
export function minorToMajorNumber(minor: number, currency: CurrencyCode): number {
  return Number(formatAmount(minor, currency))
}

/** `InvoiceDisplayValue` as the official PHP library reads it: "1,234.500 KWD" (reference §11). */
export function formatDisplayValue(minor: number, currency: CurrencyCode): string {
  return `${formatAmount(minor, currency, { grouping: true })} ${currency}`
}

/**
 * Multiplies a unit price by an integer quantity in minor units, refusing results that would
 * leave the exactly representable range.
 */
export function multiplyMinor(unitMinor: number, quantity: number): number | undefined {
  const product = unitMinor * quantity
  return Number.isSafeInteger(product) && Math.abs(product) <= MAX_MINOR_UNITS ? product : undefined
}
