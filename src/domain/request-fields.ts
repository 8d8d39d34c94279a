import type { CurrencyCode } from './currencies.js'
import type { FieldReader } from './field-reader.js'
import { parseAmount } from './money.js'
import { topLevelNumberText } from './raw-json.js'

/**
 * Reads a `Key` field as text. A key sent as a JSON number beyond 2^53 (MyFatoorah's PHP library
 * sends PaymentIds so) is taken from the raw request text, never through a double.
 */
export function readKeyText(reader: FieldReader, rawBody: string | undefined): string | undefined {
  const raw = reader.raw('Key')
  const text = reader.string('Key', { required: true, max: 100 })?.trim()
  if (typeof raw === 'number' && rawBody !== undefined) {
    const exact = topLevelNumberText(rawBody, reader.nameOf('Key'))
    if (exact !== undefined && Number(exact) === raw) return exact
  }
  return text
}

/**
 * Reads an `Amount` in `currency` as integer minor units, more than zero. Undefined when absent
 * (a field error when `required`) or malformed (a field error).
 */
export function readPositiveAmount(
  reader: FieldReader,
  currency: CurrencyCode,
  rules: { readonly required: boolean; readonly notPositive: string },
): number | undefined {
  const raw = reader.decimal('Amount', { required: rules.required })
  if (raw === undefined) return undefined
  const parsed = parseAmount(raw, currency)
  if (!parsed.ok) {
    const messages = {
      'not-a-number': 'Amount must be a number',
      'too-many-decimals': `Amount has more decimals than ${currency} allows`,
      'too-large': 'Amount is too large',
    } as const
    return reader.fail('Amount', messages[parsed.reason])
  }
  if (parsed.minor <= 0) return reader.fail('Amount', rules.notPositive)
  return parsed.minor
}
