import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import {
  fromInvoiceId,
  fromPaymentId,
  fromRecurringId,
  makePublicIdKeys,
  MAX_INTERNAL_ID,
  permute,
  PUBLIC_ID_KINDS,
  toInvoiceId,
  toPaymentId,
  toRecurringId,
  unpermute,
} from '../../src/domain/public-ids.js'

const KEYS = makePublicIdKeys('0123456789abcdef0123456789abcdef')
const OTHER_KEYS = makePublicIdKeys('fedcba9876543210fedcba9876543210')
const internalId = fc.integer({ min: 0, max: MAX_INTERNAL_ID })
const instanceKey = fc.string({ minLength: 1, maxLength: 64 })

describe('makePublicIdKeys', () => {
  it('derives four 32-bit round keys per kind, deterministically', () => {
    for (const kind of PUBLIC_ID_KINDS) {
      expect(KEYS[kind]).toHaveLength(4)
      for (const key of KEYS[kind]) {
        expect(Number.isInteger(key)).toBe(true)
        expect(key).toBeGreaterThanOrEqual(0)
        expect(key).toBeLessThan(2 ** 32)
      }
    }
    expect(makePublicIdKeys('0123456789abcdef0123456789abcdef')).toEqual(KEYS)
  })

  it('gives each kind its own keys', () => {
    expect(KEYS.invoice).not.toEqual(KEYS.payment)
    expect(KEYS.invoice).not.toEqual(KEYS.recurring)
    expect(KEYS.payment).not.toEqual(KEYS.recurring)
  })
})

describe('permute / unpermute', () => {
  it('stays inside [0, MAX_INTERNAL_ID]', () => {
    expect(MAX_INTERNAL_ID).toBe(2 ** 30 - 1)
    fc.assert(
      fc.property(internalId, (value) => {
        const permuted = permute(value, KEYS.invoice)
        expect(Number.isSafeInteger(permuted)).toBe(true)
        expect(permuted).toBeGreaterThanOrEqual(0)
        expect(permuted).toBeLessThanOrEqual(MAX_INTERNAL_ID)
      }),
    )
  })

  it('are inverse of each other for random values and instance keys', () => {
    fc.assert(
      fc.property(internalId, instanceKey, fc.constantFrom(...PUBLIC_ID_KINDS), (value, key, kind) => {
        const roundKeys = makePublicIdKeys(key)[kind]
        expect(unpermute(permute(value, roundKeys), roundKeys)).toBe(value)
        expect(permute(unpermute(value, roundKeys), roundKeys)).toBe(value)
      }),
      { numRuns: 1000 },
    )
  })

  it('are inverse at the edges of the range', () => {
    for (const value of [0, 1, 2, 2 ** 15 - 1, 2 ** 15, 2 ** 15 + 1, MAX_INTERNAL_ID - 1, MAX_INTERNAL_ID]) {
      for (const kind of PUBLIC_ID_KINDS) {
        expect(unpermute(permute(value, KEYS[kind]), KEYS[kind])).toBe(value)
      }
    }
  })

  it('is injective on a sample of sequential and random keys', () => {
    const sample = new Set([
      ...Array.from({ length: 20_000 }, (_, i) => i),
      ...Array.from({ length: 5_000 }, (_, i) => MAX_INTERNAL_ID - i),
      ...fc.sample(internalId, { numRuns: 20_000, seed: 42 }),
    ])
    for (const kind of PUBLIC_ID_KINDS) {
      const images = new Set<number>()
      for (const value of sample) images.add(permute(value, KEYS[kind]))
      expect(images.size, kind).toBe(sample.size)
    }
  })

  it('does not leave small keys small (ids are not guessable from the row count)', () => {
    const smallOutputs = Array.from({ length: 1000 }, (_, i) => permute(i + 1, KEYS.invoice)).filter((v) => v < 1000)
    expect(smallOutputs.length).toBeLessThan(10)
  })

  it('refuses values outside the permuted range instead of colliding', () => {
    for (const value of [-1, MAX_INTERNAL_ID + 1, 2 ** 31, 1.5, Number.NaN]) {
      expect(() => permute(value, KEYS.invoice), String(value)).toThrow(RangeError)
      expect(() => unpermute(value, KEYS.invoice), String(value)).toThrow(RangeError)
      expect(() => toInvoiceId(value, KEYS), String(value)).toThrow(RangeError)
      expect(() => toPaymentId(value, KEYS), String(value)).toThrow(RangeError)
      expect(() => toRecurringId(value, KEYS), String(value)).toThrow(RangeError)
    }
  })
})

describe('InvoiceId', () => {
  it('is an integer of 7 to 10 digits that round-trips', () => {
    fc.assert(
      fc.property(internalId, (value) => {
        const id = toInvoiceId(value, KEYS)
        expect(Number.isSafeInteger(id)).toBe(true)
        expect(String(id)).toMatch(/^[1-9]\d{6,9}$/)
        expect(fromInvoiceId(id, KEYS)).toBe(value)
      }),
      { numRuns: 2000 },
    )
  })

  it('returns undefined for numbers that cannot be ours', () => {
    const bad = [0, -1, 999_999, 1_000_000 + MAX_INTERNAL_ID + 1, 1.5, 1_000_000.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, -(2 ** 60)]
    for (const value of bad) expect(fromInvoiceId(value, KEYS), String(value)).toBeUndefined()
    expect(fromInvoiceId(1_000_000, KEYS)).toBeTypeOf('number')
    expect(fromInvoiceId(1_000_000 + MAX_INTERNAL_ID, KEYS)).toBeTypeOf('number')
  })

  it('never throws on any number', () => {
    fc.assert(
      fc.property(fc.double(), (value) => {
        const id = fromInvoiceId(value, KEYS)
        if (id !== undefined) expect(toInvoiceId(id, KEYS)).toBe(value)
      }),
    )
  })
})

describe('PaymentId', () => {
  it('is 0707 followed by ten digits and round-trips', () => {
    fc.assert(
      fc.property(internalId, (value) => {
        const id = toPaymentId(value, KEYS)
        expect(id).toMatch(/^0707\d{10}$/)
        expect(fromPaymentId(id, KEYS)).toBe(value)
      }),
      { numRuns: 2000 },
    )
  })

  it('returns undefined for malformed text', () => {
    const valid = toPaymentId(42, KEYS)
    const bad = ['', '0707', '07071234', '0808' + valid.slice(4), valid + '0', valid.slice(0, -1), ` ${valid}`, `${valid}\n`, '0707999999999' + '9', '0707abcdefghij', '07071073741824', '0707-000000001', '0707+000000001', '0707１２３４５６７８９０']
    for (const text of bad) expect(fromPaymentId(text, KEYS), JSON.stringify(text)).toBeUndefined()
    expect(fromPaymentId('07071073741823', KEYS)).toBeTypeOf('number')
  })

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^0707\d{8,12}$/)), (text) => {
        const id = fromPaymentId(text, KEYS)
        if (id !== undefined) expect(toPaymentId(id, KEYS)).toBe(text)
      }),
    )
  })
})

describe('RecurringId', () => {
  it('is RECUR followed by 7 to 10 digits and round-trips', () => {
    fc.assert(
      fc.property(internalId, (value) => {
        const id = toRecurringId(value, KEYS)
        expect(id).toMatch(/^RECUR[1-9]\d{6,9}$/)
        expect(fromRecurringId(id, KEYS)).toBe(value)
      }),
      { numRuns: 2000 },
    )
  })

  it('accepts any case of the prefix and surrounding whitespace', () => {
    const id = toRecurringId(7, KEYS)
    expect(fromRecurringId(id.toLowerCase(), KEYS)).toBe(7)
    expect(fromRecurringId('Recur' + id.slice(5), KEYS)).toBe(7)
    expect(fromRecurringId(`  ${id}\n`, KEYS)).toBe(7)
  })

  it('returns undefined for malformed text', () => {
    const valid = toRecurringId(42, KEYS)
    const bad = ['', 'RECUR', 'RECUR999999', 'RECUR' + String(1_000_000 + MAX_INTERNAL_ID + 1), 'RECUR12345678901', 'RECURR1000000', 'REC1000000', '1000000', valid + 'x', valid.replace('RECUR', 'RECUR-'), 'RECUR 1000000', 'RECUR１０００００００']
    for (const text of bad) expect(fromRecurringId(text, KEYS), JSON.stringify(text)).toBeUndefined()
  })

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^RECUR\d{1,12}$/)), (text) => {
        const id = fromRecurringId(text, KEYS)
        if (id !== undefined) expect(id).toBeGreaterThanOrEqual(0)
      }),
    )
  })
})

describe('instance keys', () => {
  it('different instance keys give different public ids', () => {
    let sameInvoice = 0
    let samePayment = 0
    let sameRecurring = 0
    for (let i = 1; i <= 1000; i++) {
      if (toInvoiceId(i, KEYS) === toInvoiceId(i, OTHER_KEYS)) sameInvoice++
      if (toPaymentId(i, KEYS) === toPaymentId(i, OTHER_KEYS)) samePayment++
      if (toRecurringId(i, KEYS) === toRecurringId(i, OTHER_KEYS)) sameRecurring++
    }
    expect(sameInvoice).toBeLessThan(5)
    expect(samePayment).toBeLessThan(5)
    expect(sameRecurring).toBeLessThan(5)
  })

  it('an id of one instance does not decode to the same row on another', () => {
    const id = toInvoiceId(12345, KEYS)
    expect(fromInvoiceId(id, OTHER_KEYS)).not.toBe(12345)
  })

  it('kinds do not correlate: the same row has unrelated ids per kind', () => {
    const invoice = toInvoiceId(5, KEYS) - 1_000_000
    const payment = Number(toPaymentId(5, KEYS).slice(4))
    const recurring = Number(toRecurringId(5, KEYS).slice(5)) - 1_000_000
    expect(new Set([invoice, payment, recurring]).size).toBe(3)
  })
})
