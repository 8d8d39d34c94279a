import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { CURRENCY_CODES, getCurrency, type CurrencyCode } from '../../src/domain/currencies.js'
import {
  formatAmount,
  formatDisplayValue,
  MAX_MINOR_UNITS,
  minorToMajorNumber,
  multiplyMinor,
  parseAmount,
} from '../../src/domain/money.js'
import { EMBEDDED_CARD_METHOD_ID, findPaymentMethod, PAYMENT_METHODS, serviceChargeMinor } from '../../src/domain/payment-methods.js'

const currency = fc.constantFrom(...CURRENCY_CODES)
const safeMinor = fc.integer({ min: -MAX_MINOR_UNITS, max: MAX_MINOR_UNITS })

/** Minor units of a decimal text computed with BigInt: an oracle independent of parseAmount. */
function oracleMinor(sign: string, whole: string, fraction: string, exponent: number): bigint | 'too-many-decimals' {
  const trimmed = fraction.replace(/0+$/, '')
  if (trimmed.length > exponent) return 'too-many-decimals'
  const value = BigInt(whole) * 10n ** BigInt(exponent) + BigInt(trimmed.padEnd(exponent, '0') || '0')
  return sign === '-' ? -value : value
}

describe('parseAmount', () => {
  it('reads JSON numbers through their decimal text, never through float arithmetic', () => {
    expect(parseAmount(0.1, 'KWD')).toEqual({ ok: true, minor: 100 })
    expect(parseAmount(0.1, 'SAR')).toEqual({ ok: true, minor: 10 })
    expect(parseAmount(0.3, 'SAR')).toEqual({ ok: true, minor: 30 })
    expect(parseAmount(1.005, 'KWD')).toEqual({ ok: true, minor: 1005 })
    expect(parseAmount(1.15, 'SAR')).toEqual({ ok: true, minor: 115 })
    expect(parseAmount(4.35, 'SAR')).toEqual({ ok: true, minor: 435 })
    expect(parseAmount(8.675, 'KWD')).toEqual({ ok: true, minor: 8675 })
    expect(parseAmount(0.1 + 0.2, 'KWD')).toEqual({ ok: false, reason: 'too-many-decimals' })
  })

  it('reads the reference samples in both decimal conventions', () => {
    expect(parseAmount('2.500', 'KWD')).toEqual({ ok: true, minor: 2500 })
    expect(parseAmount(2.5, 'KWD')).toEqual({ ok: true, minor: 2500 })
    expect(parseAmount('10', 'SAR')).toEqual({ ok: true, minor: 1000 })
    expect(parseAmount(10, 'SAR')).toEqual({ ok: true, minor: 1000 })
    expect(parseAmount('10.0', 'KWD')).toEqual({ ok: true, minor: 10_000 })
    expect(parseAmount(10, 'KWD')).toEqual({ ok: true, minor: 10_000 })
    expect(parseAmount('0.001', 'KWD')).toEqual({ ok: true, minor: 1 })
    expect(parseAmount('0.01', 'EGP')).toEqual({ ok: true, minor: 1 })
  })

  it('rejects more decimals than the currency exponent, ignoring trailing zeros', () => {
    for (const code of CURRENCY_CODES) {
      const exponent = getCurrency(code).exponent
      const exact = '1.' + '1'.repeat(exponent)
      const tooMany = '1.' + '1'.repeat(exponent + 1)
      expect(parseAmount(exact, code).ok, `${code} ${exact}`).toBe(true)
      expect(parseAmount(tooMany, code), `${code} ${tooMany}`).toEqual({ ok: false, reason: 'too-many-decimals' })
      expect(parseAmount(exact + '0000', code).ok, code).toBe(true)
    }
    expect(parseAmount('1.005', 'SAR')).toEqual({ ok: false, reason: 'too-many-decimals' })
    expect(parseAmount('1.005', 'KWD')).toEqual({ ok: true, minor: 1005 })
    expect(parseAmount('1.0005', 'KWD')).toEqual({ ok: false, reason: 'too-many-decimals' })
    expect(parseAmount('1.500000000000000000000', 'SAR')).toEqual({ ok: true, minor: 150 })
  })

  it('expands exponent notation of tiny and huge JSON numbers', () => {
    expect(String(1e-7)).toBe('1e-7')
    expect(parseAmount(1e-7, 'KWD')).toEqual({ ok: false, reason: 'too-many-decimals' })
    expect(parseAmount(1.5e-7, 'KWD')).toEqual({ ok: false, reason: 'too-many-decimals' })
    expect(parseAmount(5e-324, 'KWD')).toEqual({ ok: false, reason: 'too-many-decimals' })
    expect(parseAmount(1e21, 'KWD')).toEqual({ ok: false, reason: 'too-large' })
    expect(parseAmount(1.23e21, 'SAR')).toEqual({ ok: false, reason: 'too-large' })
    expect(parseAmount(1e300, 'SAR')).toEqual({ ok: false, reason: 'too-large' })
    expect(parseAmount(-1e300, 'SAR')).toEqual({ ok: false, reason: 'too-large' })
    expect(parseAmount(Number.MAX_VALUE, 'KWD')).toEqual({ ok: false, reason: 'too-large' })
  })

  it('treats minus zero as zero, never as -0', () => {
    for (const value of [-0, '-0', '-0.000', '-00.0', '0', '0.00']) {
      const parsed = parseAmount(value, 'KWD')
      expect(parsed.ok, String(value)).toBe(true)
      if (parsed.ok) expect(Object.is(parsed.minor, 0), String(value)).toBe(true)
    }
  })

  it('keeps the sign of negative amounts (callers decide whether they are allowed)', () => {
    expect(parseAmount('-1.5', 'KWD')).toEqual({ ok: true, minor: -1500 })
    expect(parseAmount(-0.01, 'SAR')).toEqual({ ok: true, minor: -1 })
  })

  it('bounds amounts at MAX_MINOR_UNITS', () => {
    expect(MAX_MINOR_UNITS).toBeLessThan(Number.MAX_SAFE_INTEGER / 8)
    expect(parseAmount('1000000000000', 'KWD')).toEqual({ ok: true, minor: MAX_MINOR_UNITS })
    expect(parseAmount('1000000000000.001', 'KWD')).toEqual({ ok: false, reason: 'too-large' })
    expect(parseAmount('10000000000000', 'SAR')).toEqual({ ok: true, minor: MAX_MINOR_UNITS })
    expect(parseAmount('10000000000000.01', 'SAR')).toEqual({ ok: false, reason: 'too-large' })
    expect(parseAmount('-1000000000000.001', 'KWD')).toEqual({ ok: false, reason: 'too-large' })
    expect(parseAmount('9'.repeat(17), 'KWD')).toEqual({ ok: false, reason: 'too-large' })
    expect(parseAmount('9'.repeat(400), 'KWD')).toEqual({ ok: false, reason: 'too-large' })
    expect(parseAmount('0'.repeat(40) + '1', 'KWD')).toEqual({ ok: true, minor: 1000 })
    expect(parseAmount(9_007_199_254_740_993n.toString(), 'KWD')).toEqual({ ok: false, reason: 'too-large' })
  })

  it('trims surrounding whitespace of text but rejects anything else', () => {
    expect(parseAmount('  2.500\t', 'KWD')).toEqual({ ok: true, minor: 2500 })
    expect(parseAmount('\n10\n', 'SAR')).toEqual({ ok: true, minor: 1000 })
    for (const text of ['', '   ', '\t', '1 000', '1,000', '1.2.3', '.5', '5.', '+5', '1e3', '0x10', 'NaN', 'Infinity', '١٠', 'abc', '--1', '- 1']) {
      expect(parseAmount(text, 'KWD'), JSON.stringify(text)).toEqual({ ok: false, reason: 'not-a-number' })
    }
  })

  it('rejects non-finite numbers', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(parseAmount(value, 'KWD')).toEqual({ ok: false, reason: 'not-a-number' })
    }
  })

  it('agrees with a BigInt oracle on arbitrary decimal text', () => {
    const text = fc.record({
      sign: fc.constantFrom('', '-'),
      whole: fc.stringMatching(/^\d{1,18}$/),
      fraction: fc.option(fc.stringMatching(/^\d{1,6}$/), { nil: undefined }),
      code: currency,
    })
    fc.assert(
      fc.property(text, ({ sign, whole, fraction, code }) => {
        const exponent = getCurrency(code).exponent
        const input = sign + whole + (fraction === undefined ? '' : '.' + fraction)
        const expected = oracleMinor(sign, whole, fraction ?? '', exponent)
        const parsed = parseAmount(input, code)
        if (expected === 'too-many-decimals') {
          expect(parsed).toEqual({ ok: false, reason: 'too-many-decimals' })
        } else if ((expected < 0n ? -expected : expected) > BigInt(MAX_MINOR_UNITS)) {
          expect(parsed).toEqual({ ok: false, reason: 'too-large' })
        } else {
          expect(parsed).toEqual({ ok: true, minor: expected === 0n ? 0 : Number(expected) })
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('parse(format(x)) === x for every currency and every amount in range', () => {
    fc.assert(
      fc.property(safeMinor, currency, (minor, code) => {
        expect(parseAmount(formatAmount(minor, code), code)).toEqual({ ok: true, minor: minor === 0 ? 0 : minor })
      }),
      { numRuns: 2000 },
    )
  })

  it('reads a JSON number exactly as the decimal it prints as', () => {
    // Below 10^15 every decimal with at most 15 significant digits survives Number() and back.
    const below = fc.integer({ min: -(MAX_MINOR_UNITS - 1), max: MAX_MINOR_UNITS - 1 })
    fc.assert(
      fc.property(below, currency, (minor, code) => {
        const json = JSON.parse(formatAmount(minor, code)) as number
        expect(parseAmount(json, code)).toEqual({ ok: true, minor: minor === 0 ? 0 : minor })
      }),
      { numRuns: 2000 },
    )
  })

  it('never throws and, when it accepts a double, its minor units print back to that double', () => {
    fc.assert(
      fc.property(fc.double(), currency, (value, code) => {
        const parsed = parseAmount(value, code)
        if (parsed.ok) {
          expect(Number.isSafeInteger(parsed.minor)).toBe(true)
          expect(Number(formatAmount(parsed.minor, code))).toBe(value === 0 ? 0 : value)
        }
      }),
      { numRuns: 3000 },
    )
  })

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), currency, (value, code) => {
        const parsed = parseAmount(value, code)
        if (parsed.ok) expect(Number.isSafeInteger(parsed.minor)).toBe(true)
      }),
    )
  })
})

describe('formatAmount', () => {
  it('prints the currency decimals', () => {
    expect(formatAmount(1500, 'KWD')).toBe('1.500')
    expect(formatAmount(1500, 'SAR')).toBe('15.00')
    expect(formatAmount(0, 'KWD')).toBe('0.000')
    expect(formatAmount(0, 'EGP')).toBe('0.00')
    expect(formatAmount(5, 'KWD')).toBe('0.005')
    expect(formatAmount(5, 'SAR')).toBe('0.05')
    expect(formatAmount(50, 'BHD')).toBe('0.050')
    expect(formatAmount(-1, 'OMR')).toBe('-0.001')
    expect(formatAmount(-2500, 'JOD')).toBe('-2.500')
    expect(formatAmount(-0, 'KWD')).toBe('0.000')
    expect(formatAmount(MAX_MINOR_UNITS, 'KWD')).toBe('1000000000000.000')
  })

  it('groups thousands of the whole part only when asked', () => {
    expect(formatAmount(12_345_000, 'KWD', { grouping: true })).toBe('12,345.000')
    expect(formatAmount(12_345_000, 'KWD')).toBe('12345.000')
    expect(formatAmount(123_456_789_012, 'SAR', { grouping: true })).toBe('1,234,567,890.12')
    expect(formatAmount(100_000, 'KWD', { grouping: true })).toBe('100.000')
    expect(formatAmount(1_000_000, 'KWD', { grouping: true })).toBe('1,000.000')
    expect(formatAmount(-1_234_500, 'KWD', { grouping: true })).toBe('-1,234.500')
    expect(formatAmount(999_999, 'SAR', { grouping: true })).toBe('9,999.99')
    expect(formatAmount(1_234_567, 'KWD', { grouping: true })).toBe('1,234.567')
  })

  it('grouped text without the commas is the ungrouped text', () => {
    fc.assert(
      fc.property(safeMinor, currency, (minor, code) => {
        const grouped = formatAmount(minor, code, { grouping: true })
        expect(grouped.replace(/,/g, '')).toBe(formatAmount(minor, code))
        expect(grouped).toMatch(/^-?\d{1,3}(,\d{3})*(\.\d+)?$/)
      }),
    )
  })

  it('always prints exactly the currency exponent of decimals', () => {
    fc.assert(
      fc.property(safeMinor, currency, (minor, code) => {
        const fraction = formatAmount(minor, code).split('.')[1] ?? ''
        expect(fraction.length).toBe(getCurrency(code).exponent)
      }),
    )
  })
})

describe('formatDisplayValue', () => {
  it('is the grouped amount and the ISO code, as the PHP library splits it', () => {
    expect(formatDisplayValue(12_345_000, 'KWD')).toBe('12,345.000 KWD')
    expect(formatDisplayValue(10_000, 'KWD')).toBe('10.000 KWD')
    expect(formatDisplayValue(1000, 'SAR')).toBe('10.00 SAR')
    expect(formatDisplayValue(1_234_500, 'BHD')).toBe('1,234.500 BHD')
  })

  it('always has exactly one space, followed by the currency code', () => {
    fc.assert(
      fc.property(safeMinor, currency, (minor, code: CurrencyCode) => {
        const parts = formatDisplayValue(minor, code).split(' ')
        expect(parts).toHaveLength(2)
        expect(parts[1]).toBe(code)
      }),
    )
  })
})

describe('minorToMajorNumber', () => {
  it('converts to a JSON number in major units', () => {
    expect(minorToMajorNumber(1500, 'KWD')).toBe(1.5)
    expect(minorToMajorNumber(1, 'KWD')).toBe(0.001)
    expect(minorToMajorNumber(1, 'SAR')).toBe(0.01)
    expect(minorToMajorNumber(1000, 'SAR')).toBe(10)
    expect(JSON.stringify(minorToMajorNumber(10_010, 'KWD'))).toBe('10.01')
  })

  it('is the correctly rounded quotient for every amount in range', () => {
    fc.assert(
      fc.property(safeMinor, currency, (minor, code) => {
        expect(minorToMajorNumber(minor, code)).toBe(minor / 10 ** getCurrency(code).exponent)
      }),
    )
  })
})

describe('multiplyMinor', () => {
  it('multiplies exactly within range', () => {
    expect(multiplyMinor(2500, 4)).toBe(10_000)
    expect(multiplyMinor(0, 1_000_000)).toBe(0)
    expect(multiplyMinor(MAX_MINOR_UNITS, 1)).toBe(MAX_MINOR_UNITS)
  })

  it('refuses results outside the exact range', () => {
    expect(multiplyMinor(MAX_MINOR_UNITS, 2)).toBeUndefined()
    expect(multiplyMinor(MAX_MINOR_UNITS / 10 + 1, 10)).toBeUndefined()
    expect(multiplyMinor(Number.MAX_SAFE_INTEGER, 3)).toBeUndefined()
  })
})

describe('payment methods and service charges', () => {
  it('lists the sandbox methods with unique ids; KNET is the only one that cannot recur', () => {
    expect(PAYMENT_METHODS.map((method) => method.id)).toEqual([1, 2, 9, 20])
    expect(PAYMENT_METHODS.filter((method) => !method.isCard).map((method) => method.nameEn)).toEqual(['KNET'])
    expect(findPaymentMethod(2)?.code).toBe('vm')
    expect(findPaymentMethod(9)?.isDirectPayment).toBe(true)
    expect(findPaymentMethod(EMBEDDED_CARD_METHOD_ID)?.isEmbeddedSupported).toBe(true)
    for (const id of [0, 3, -1, 1.5, Number.NaN]) expect(findPaymentMethod(id)).toBeUndefined()
  })

  it('charges basis points rounded half up plus the fixed part scaled to the currency', () => {
    const knet = findPaymentMethod(1)!
    const card = findPaymentMethod(2)!
    expect(serviceChargeMinor(knet, 10_000, 'KWD')).toBe(100)
    expect(serviceChargeMinor(knet, 1000, 'SAR')).toBe(10)
    expect(serviceChargeMinor(card, 10_000, 'KWD')).toBe(250)
    expect(serviceChargeMinor(card, 20, 'KWD')).toBe(1) // 0.5 fils rounds up
    expect(serviceChargeMinor(card, 19, 'KWD')).toBe(0) // 0.475 fils rounds down
    expect(serviceChargeMinor(card, 0, 'SAR')).toBe(0)
  })

  it('is exact for every amount in range (BigInt oracle)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_MINOR_UNITS }), fc.constantFrom(...PAYMENT_METHODS), currency, (amount, method, code) => {
        const percentage = (BigInt(amount) * BigInt(method.feeBasisPoints) + 5000n) / 10_000n
        const fixed = Math.round(method.feeFixedThousandths / 10 ** (3 - getCurrency(code).exponent))
        expect(serviceChargeMinor(method, amount, code)).toBe(Number(percentage) + fixed)
      }),
      { numRuns: 3000 },
    )
    const card = findPaymentMethod(2)!
    expect(serviceChargeMinor(card, MAX_MINOR_UNITS - 1, 'KWD')).toBe(Number(((BigInt(MAX_MINOR_UNITS) - 1n) * 250n + 5000n) / 10_000n))
  })
})
