import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { PAYMENT_ERROR_CODES, PAYMENT_ERRORS } from '../../src/domain/payment-errors.js'
import { parseLocalDate } from '../../src/domain/schedule.js'
import {
  arabicPaymentError,
  arabicPluralCategory,
  describeCharges,
  describeFrequency,
  formatDate,
  paymentErrorText,
  testCardOutcome,
} from '../../src/http/pages/i18n.js'
import { TEST_CARDS } from '../../src/processor/test-processor.js'

/** Latin words left in an Arabic text once the MF codes are taken out. */
const latinWords = (text: string) => text.replace(/\bMF\d{3}\b/g, '').match(/[A-Za-z]+/g) ?? []

describe('page wording of the recurring disclosure', () => {
  const date = parseLocalDate('2026-12-27')

  it('dates: day, month name, year; digits 0-9 in both languages', () => {
    expect(formatDate('EN', date)).toBe('27 December 2026')
    expect(formatDate('AR', date)).toBe('27 ديسمبر 2026')
    expect(formatDate('AR', parseLocalDate('2027-01-05'))).toBe('5 يناير 2027')
  })

  it('frequencies', () => {
    expect(describeFrequency('EN', { kind: 'daily' })).toBe('Every day')
    expect(describeFrequency('EN', { kind: 'weekly' })).toBe('Every week')
    expect(describeFrequency('EN', { kind: 'monthly' })).toBe('Every month')
    expect(describeFrequency('EN', { kind: 'every-n-days', days: 10 })).toBe('Every 10 days')
    expect(describeFrequency('AR', { kind: 'monthly' })).toBe('كل شهر')
    expect(describeFrequency('AR', { kind: 'every-n-days', days: 2 })).toBe('كل يومين')
    expect(describeFrequency('AR', { kind: 'every-n-days', days: 10 })).toBe('كل 10 أيام')
    expect(describeFrequency('AR', { kind: 'every-n-days', days: 14 })).toBe('كل 14 يومًا')
    expect(describeFrequency('AR', { kind: 'every-n-days', days: 100 })).toBe('كل 100 يوم')
  })

  it('number of charges, with the last date; one charge; until cancelled', () => {
    const lastDate = parseLocalDate('2027-03-27')
    expect(describeCharges('EN', { kind: 'limited', count: 3, lastDate })).toBe('3 charges, the last on 27 March 2027')
    expect(describeCharges('EN', { kind: 'limited', count: 1, lastDate: date })).toBe('1 charge')
    expect(describeCharges('EN', { kind: 'until-cancelled' })).toBe('Until cancelled')
    expect(describeCharges('AR', { kind: 'limited', count: 3, lastDate })).toBe('3 مرات، آخرها في 27 مارس 2027')
    expect(describeCharges('AR', { kind: 'limited', count: 2, lastDate })).toBe('مرتان، آخرها في 27 مارس 2027')
    expect(describeCharges('AR', { kind: 'limited', count: 1, lastDate: date })).toBe('مرة واحدة')
    expect(describeCharges('AR', { kind: 'limited', count: 12, lastDate })).toBe('12 مرة، آخرها في 27 مارس 2027')
    expect(describeCharges('AR', { kind: 'until-cancelled' })).toBe('حتى الإلغاء')
  })

  it('Arabic plural categories follow CLDR (by the last two digits above 100)', () => {
    const cases: Array<[number, string]> = [[1, 'one'], [2, 'two'], [3, 'few'], [10, 'few'], [11, 'many'], [99, 'many'], [100, 'other'], [101, 'other'], [102, 'other'], [103, 'few'], [111, 'many'], [180, 'many'], [200, 'other']]
    for (const [count, category] of cases) expect(arabicPluralCategory(count), String(count)).toBe(category)
  })

  it('properties: Arabic counts and intervals carry no Latin letters, and show the number from 3 on', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 180 }), (count, days) => {
        const charges = describeCharges('AR', { kind: 'limited', count, lastDate: parseLocalDate('2030-01-31') })
        const every = describeFrequency('AR', { kind: 'every-n-days', days })
        expect(latinWords(charges)).toEqual([])
        expect(latinWords(every)).toEqual([])
        if (count >= 3) expect(charges).toContain(String(count))
        if (days >= 3) expect(every).toContain(String(days))
      }),
    )
  })
})

describe('Arabic test-card outcomes and payment errors', () => {
  it('every test card has an outcome in each language: English quotes TEST_CARDS, Arabic has no English left', () => {
    for (const card of TEST_CARDS) {
      expect(testCardOutcome('EN', card)).toBe(card.outcome)
      const arabic = testCardOutcome('AR', card)
      expect(arabic.length, card.number).toBeGreaterThan(0)
      expect(latinWords(arabic), `${card.number}: ${arabic}`).toEqual([])
      // The MF codes of an outcome stay, as in English.
      for (const code of card.outcome.match(/MF\d{3}/g) ?? []) expect(arabic, card.number).toContain(code)
    }
  })

  it('every MF code has an Arabic text; English keeps the stored message the API prints', () => {
    for (const code of PAYMENT_ERROR_CODES) {
      const arabic = arabicPaymentError(code)
      expect(latinWords(arabic), code).toEqual([])
      expect(paymentErrorText('AR', code, PAYMENT_ERRORS[code])).toBe(arabic)
      expect(paymentErrorText('EN', code, PAYMENT_ERRORS[code])).toBe(PAYMENT_ERRORS[code])
    }
    expect(new Set(PAYMENT_ERROR_CODES.map(arabicPaymentError)).size).toBe(PAYMENT_ERROR_CODES.length)
    // An unknown code never shows English on an Arabic page.
    expect(latinWords(paymentErrorText('AR', 'XX999', 'Something odd'))).toEqual([])
  })
})
