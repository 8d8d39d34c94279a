import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import {
  CARD_BRANDS,
  CARD_VIEW_BRAND_NAMES,
  cardExpiresAt,
  checkCard,
  detectCardBrand,
  isCardBrand,
  isCardExpired,
  isLuhnValid,
  isValidExpiryMonth,
  isValidExpiryYear,
  isValidSecurityCode,
  MADA_BINS,
  maskCardNumber,
  normalizeCardNumber,
  PAYMENT_STATUS_BRAND_NAMES,
} from '../../src/domain/cards.js'
import {
  isPaymentErrorCode,
  PAYMENT_ERROR_CODES,
  PAYMENT_ERRORS,
  paymentErrorMessage,
} from '../../src/domain/payment-errors.js'

/** The check digit that makes `payload` + digit pass Luhn (independent of the code under test). */
function luhnCheckDigit(payload: string): string {
  let sum = 0
  for (let i = 0; i < payload.length; i++) {
    // Counting from the right of the final number, payload digits at odd positions are doubled.
    let digit = Number(payload[payload.length - 1 - i])
    if (i % 2 === 0) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
  }
  return String((10 - (sum % 10)) % 10)
}

const digitString = (min: number, max: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((ds) => ds.join(''))

/** Luhn-valid numbers of 12 to 19 digits. */
const validNumber = digitString(11, 18).map((payload) => payload + luhnCheckDigit(payload))

// The test-card table (docs/test-cards.md) and MyFatoorah's published demo cards (reference §8.2).
const SANDBOX_CARDS = [
  '5123450000000008',
  '4508750015741019',
  '2223000000000007',
  '4000000000000002',
  '4000000000009995',
  '4000000000000069',
  '4000000000000127',
  '4000000000000119',
  '4000000000000341',
  '4000000000001018',
  '4000000000001026',
  '4000000000001034',
  '4000000000002016',
]

describe('normalizeCardNumber', () => {
  it('strips spaces and dashes only', () => {
    expect(normalizeCardNumber(' 5123 4500-0000 0008 ')).toBe('5123450000000008')
    expect(normalizeCardNumber('5123\t4500\n0000')).toBe('512345000000')
    expect(normalizeCardNumber('5123.4500')).toBe('5123.4500')
  })

  it('is idempotent', () => {
    fc.assert(fc.property(fc.string(), (s) => normalizeCardNumber(normalizeCardNumber(s)) === normalizeCardNumber(s)))
  })
})

describe('isLuhnValid', () => {
  it('accepts every sandbox and published test card', () => {
    for (const number of SANDBOX_CARDS) expect(isLuhnValid(number), number).toBe(true)
    for (const number of ['345678901234564', '4464040000000007', '5297412542005689']) {
      expect(isLuhnValid(number), number).toBe(true)
    }
    // KNET's demo card does not follow Luhn: KNET is a debit network, not a card brand here.
    expect(isLuhnValid('8888880000000001')).toBe(false)
  })

  it('accepts a number ending in its check digit', () => {
    fc.assert(fc.property(validNumber, (number) => isLuhnValid(number)))
  })

  it('refuses any single changed digit', () => {
    fc.assert(
      fc.property(validNumber, fc.nat(), fc.integer({ min: 1, max: 9 }), (number, at, delta) => {
        const i = at % number.length
        const changed = (Number(number[i]) + delta) % 10
        const altered = number.slice(0, i) + String(changed) + number.slice(i + 1)
        return !isLuhnValid(altered)
      }),
    )
  })

  it('refuses wrong lengths and non-digits', () => {
    expect(isLuhnValid('0000000000')).toBe(false)
    expect(isLuhnValid('0'.repeat(20))).toBe(false)
    expect(isLuhnValid('5123 4500 0000 0008')).toBe(false)
    expect(isLuhnValid('')).toBe(false)
    expect(isLuhnValid('5123450000000009')).toBe(false)
  })
})

describe('detectCardBrand', () => {
  it('knows the test cards', () => {
    expect(detectCardBrand('5123450000000008')).toBe('mastercard')
    expect(detectCardBrand('2223000000000007')).toBe('mastercard')
    expect(detectCardBrand('4508750015741019')).toBe('visa')
    expect(detectCardBrand('4000000000000002')).toBe('visa')
    expect(detectCardBrand('345678901234564')).toBe('amex')
    expect(detectCardBrand('371449635398431')).toBe('amex')
    expect(detectCardBrand('4464040000000007')).toBe('mada')
    expect(detectCardBrand('5297412542005689')).toBe('mada')
    expect(detectCardBrand('8888880000000001')).toBeUndefined()
    expect(detectCardBrand('6011000990139424')).toBeUndefined()
    expect(detectCardBrand('5123 4500-0000 0008')).toBe('mastercard')
    expect(detectCardBrand('')).toBeUndefined()
  })

  it('reads Mastercard ranges 51–55 and 2221–2720 exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 9999 }), digitString(8, 12), (prefix, rest) => {
        const number = `${prefix}${rest}`
        const isMaster = (prefix >= 5100 && prefix <= 5599) || (prefix >= 2221 && prefix <= 2720)
        const brand = detectCardBrand(number)
        if (MADA_BINS.includes(number.slice(0, 6))) return brand === 'mada'
        return (brand === 'mastercard') === isMaster
      }),
    )
    expect(detectCardBrand('2220990000000000')).toBeUndefined()
    expect(detectCardBrand('2721000000000000')).toBeUndefined()
    expect(detectCardBrand('5000000000000000')).toBeUndefined()
    expect(detectCardBrand('5600000000000000')).toBeUndefined()
  })

  it('reads Visa from a leading 4 unless the BIN is Mada', () => {
    fc.assert(
      fc.property(digitString(5, 18), (rest) => {
        const number = `4${rest}`
        const expected = MADA_BINS.includes(number.slice(0, 6)) ? 'mada' : 'visa'
        return detectCardBrand(number) === expected
      }),
    )
  })

  it('works on a BIN alone, as the Card View reports it', () => {
    expect(detectCardBrand('446404')).toBe('mada')
    expect(detectCardBrand('4')).toBe('visa')
    expect(detectCardBrand('37')).toBe('amex')
  })
})

describe('brand names', () => {
  it('has a Card View and a payment-status name for every brand', () => {
    for (const brand of CARD_BRANDS) {
      expect(CARD_VIEW_BRAND_NAMES[brand]).toBeTruthy()
      expect(PAYMENT_STATUS_BRAND_NAMES[brand]).toBeTruthy()
      expect(isCardBrand(brand)).toBe(true)
    }
    expect(CARD_VIEW_BRAND_NAMES.mastercard).toBe('Master')
    expect(PAYMENT_STATUS_BRAND_NAMES.mastercard).toBe('Mastercard')
    expect(CARD_VIEW_BRAND_NAMES.visa).toBe('Visa')
    expect(isCardBrand('Master')).toBe(false)
  })
})

describe('maskCardNumber', () => {
  it('prints the MyFatoorah mask', () => {
    expect(maskCardNumber('5123450000000008')).toBe('512345xxxxxx0008')
    expect(maskCardNumber('5123 4500 0000 0008')).toBe('512345xxxxxx0008')
    expect(maskCardNumber('345678901234564')).toBe('345678xxxxx4564')
  })

  it('keeps the first six and last four digits and hides the rest', () => {
    fc.assert(
      fc.property(validNumber.filter((n) => n.length >= 13), (number) => {
        const masked = maskCardNumber(number)
        expect(masked).toHaveLength(number.length)
        expect(masked.slice(0, 6)).toBe(number.slice(0, 6))
        expect(masked.slice(-4)).toBe(number.slice(-4))
        expect(masked.slice(6, -4)).toMatch(/^x+$/)
      }),
    )
  })

  it('hides short numbers entirely', () => {
    expect(maskCardNumber('123456789012')).toBe('xxxxxxxxxxxx')
  })
})

describe('expiry', () => {
  it('validates MM and YY', () => {
    for (const month of ['01', '09', '10', '12']) expect(isValidExpiryMonth(month)).toBe(true)
    for (const month of ['00', '13', '1', '001', 'ab', '']) expect(isValidExpiryMonth(month)).toBe(false)
    for (const year of ['00', '39', '99']) expect(isValidExpiryYear(year)).toBe(true)
    for (const year of ['2039', '9', 'ab', '']) expect(isValidExpiryYear(year)).toBe(false)
    expect(() => cardExpiresAt('13', '30')).toThrow(/MM and YY/)
  })

  it('is valid through the last millisecond of the expiry month (UTC)', () => {
    expect(isCardExpired('01', '39', Date.UTC(2039, 0, 31, 23, 59, 59, 999))).toBe(false)
    expect(isCardExpired('01', '39', Date.UTC(2039, 1, 1))).toBe(true)
    expect(isCardExpired('12', '25', Date.UTC(2025, 11, 31, 23, 59))).toBe(false)
    expect(isCardExpired('12', '25', Date.UTC(2026, 0, 1))).toBe(true)
    expect(isCardExpired('02', '28', Date.UTC(2028, 1, 29, 12))).toBe(false)
  })

  it('expires exactly when the next month starts, for every month and year', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 99 }), (m, y) => {
        const month = String(m).padStart(2, '0')
        const year = String(y).padStart(2, '0')
        const lastDay = new Date(Date.UTC(2000 + y, m, 0))
        expect(lastDay.getUTCMonth()).toBe(m - 1)
        const end = cardExpiresAt(month, year)
        expect(isCardExpired(month, year, end - 1)).toBe(false)
        expect(isCardExpired(month, year, end)).toBe(true)
        expect(isCardExpired(month, year, lastDay.getTime())).toBe(false)
      }),
    )
  })

  it('is monotonic in time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 946_684_800_000, max: 4_102_444_800_000 }),
        fc.nat(),
        (m, y, t, later) => {
          const month = String(m).padStart(2, '0')
          const year = String(y).padStart(2, '0')
          return !isCardExpired(month, year, t) || isCardExpired(month, year, t + later)
        },
      ),
    )
  })
})

describe('security code', () => {
  it('needs 3 digits, 4 for Amex', () => {
    expect(isValidSecurityCode('100', 'mastercard')).toBe(true)
    expect(isValidSecurityCode('100', undefined)).toBe(true)
    expect(isValidSecurityCode('1000', 'mastercard')).toBe(false)
    expect(isValidSecurityCode('1000', 'amex')).toBe(true)
    expect(isValidSecurityCode('100', 'amex')).toBe(false)
    expect(isValidSecurityCode('1a0', 'visa')).toBe(false)
    expect(isValidSecurityCode('', 'visa')).toBe(false)
  })
})

describe('checkCard', () => {
  const good = { number: '5123 4500 0000 0008', expiryMonth: '01', expiryYear: '39', securityCode: '100' }

  it('accepts a well-formed card and normalises its number', () => {
    expect(checkCard(good)).toEqual({
      ok: true,
      card: {
        number: '5123450000000008',
        brand: 'mastercard',
        expiryMonth: '01',
        expiryYear: '39',
        securityCode: '100',
      },
    })
    expect(checkCard({ ...good, securityCode: null }).ok).toBe(true)
  })

  it('accepts an expired card: expiry is the processor’s MF007, not a validation failure', () => {
    expect(checkCard({ ...good, expiryYear: '20' }).ok).toBe(true)
  })

  it('lists every problem at once', () => {
    const bad = { number: '5123450000000009', expiryMonth: '13', expiryYear: '2039', securityCode: '1' }
    expect(checkCard(bad)).toEqual({
      ok: false,
      problems: ['number-malformed', 'expiry-month-malformed', 'expiry-year-malformed', 'security-code-malformed'],
    })
  })

  it('refuses KNET and other brands, and wrong lengths for a brand', () => {
    expect(checkCard({ ...good, number: '8888880000000001' })).toEqual({ ok: false, problems: ['number-malformed'] })
    expect(checkCard({ ...good, number: '6011000990139424' })).toEqual({
      ok: false,
      problems: ['number-unsupported-brand'],
    })
    // Mastercard issues 16 digits only; an 18-digit number with a valid checksum is refused.
    const payload = '51234500000000000'
    expect(checkCard({ ...good, number: payload + luhnCheckDigit(payload) })).toEqual({
      ok: false,
      problems: ['number-unsupported-brand'],
    })
  })

  it('wants 4 digits for Amex', () => {
    expect(checkCard({ ...good, number: '345678901234564', securityCode: '1000' }).ok).toBe(true)
    expect(checkCard({ ...good, number: '345678901234564', securityCode: '100' })).toEqual({
      ok: false,
      problems: ['security-code-malformed'],
    })
  })
})

describe('payment errors', () => {
  it('has the MF codes with their texts', () => {
    expect(PAYMENT_ERROR_CODES).toEqual([
      'MF001',
      'MF002',
      'MF003',
      'MF004',
      'MF005',
      'MF006',
      'MF007',
      'MF008',
      'MF009',
      'MF010',
      'MF020',
    ])
    expect(paymentErrorMessage('MF001')).toBe('3-D Secure authentication failed')
    expect(PAYMENT_ERRORS.MF002).toBe('Declined by issuer')
    expect(PAYMENT_ERRORS.MF004).toBe('Insufficient funds')
    expect(PAYMENT_ERRORS.MF007).toBe('Card expired')
    expect(PAYMENT_ERRORS.MF008).toBe('Issuer not responding')
    expect(PAYMENT_ERRORS.MF010).toBe('Wrong security code')
    expect(PAYMENT_ERRORS.MF020).toBe('Unspecified failure')
  })

  it('recognises codes exactly', () => {
    for (const code of PAYMENT_ERROR_CODES) expect(isPaymentErrorCode(code)).toBe(true)
    for (const value of ['MF011', 'mf001', '', 'toString', 'constructor']) expect(isPaymentErrorCode(value)).toBe(false)
  })
})
