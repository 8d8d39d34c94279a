import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import type { FieldError } from '../../src/domain/errors.js'
import { FieldReader } from '../../src/domain/field-reader.js'

function read(raw: unknown): { reader: FieldReader; errors: FieldError[] } {
  const errors: FieldError[] = []
  return { reader: new FieldReader(raw, errors), errors }
}

describe('FieldReader: binding', () => {
  it('only treats plain objects as objects', () => {
    for (const raw of [null, undefined, 1, 'text', true, [], [{ a: 1 }]]) {
      const { reader, errors } = read(raw)
      expect(reader.isObject, JSON.stringify(raw)).toBe(false)
      expect(reader.has('a')).toBe(false)
      expect(reader.string('a')).toBeUndefined()
      expect(errors).toEqual([])
    }
    expect(read({}).reader.isObject).toBe(true)
  })

  it('matches property names case-insensitively', () => {
    const { reader, errors } = read({ invoiceValue: 10, PAYMENTMETHODID: '2', customername: 'Ali' })
    expect(reader.decimal('InvoiceValue')).toBe(10)
    expect(reader.integer('PaymentMethodId')).toBe(2)
    expect(reader.string('CustomerName')).toBe('Ali')
    expect(reader.has('invoicevalue')).toBe(true)
    expect(errors).toEqual([])
  })

  it('names fields as the client spelled them, or as documented when absent', () => {
    const { reader, errors } = read({ invoiceValue: 'ten' })
    expect(reader.nameOf('InvoiceValue')).toBe('invoiceValue')
    expect(reader.nameOf('PaymentMethodId')).toBe('PaymentMethodId')
    expect(reader.decimal('InvoiceValue')).toBeUndefined()
    expect(reader.integer('PaymentMethodId', { required: true })).toBeUndefined()
    expect(errors).toEqual([
      { Name: 'invoiceValue', Error: 'InvoiceValue must be a number' },
      { Name: 'PaymentMethodId', Error: 'PaymentMethodId is required' },
    ])
    expect(reader.fieldErrors).toBe(errors)
  })

  it('treats null, empty and blank strings as absent', () => {
    const { reader, errors } = read({ A: null, B: '', C: '   ', D: '\t\n', E: 0, F: false, G: 'x' })
    for (const field of ['A', 'B', 'C', 'D', 'Missing']) {
      expect(reader.has(field), field).toBe(false)
      expect(reader.raw(field), field).toBeUndefined()
      expect(reader.string(field, { required: false }), field).toBeUndefined()
      expect(reader.integer(field), field).toBeUndefined()
      expect(reader.decimal(field), field).toBeUndefined()
      expect(reader.boolean(field), field).toBeUndefined()
      expect(reader.object(field), field).toBeUndefined()
      expect(reader.array(field), field).toBeUndefined()
    }
    // Zero and false are values, not absence.
    expect(reader.has('E')).toBe(true)
    expect(reader.has('F')).toBe(true)
    expect(reader.has('G')).toBe(true)
    expect(errors).toEqual([])
  })

  it('reports a required field that is absent, null or empty', () => {
    const { reader, errors } = read({ A: null, b: '' })
    reader.string('A', { required: true })
    reader.string('B', { required: true })
    reader.integer('C', { required: true })
    reader.decimal('D', { required: true })
    reader.object('E', { required: true })
    expect(errors).toEqual([
      { Name: 'A', Error: 'A is required' },
      { Name: 'b', Error: 'B is required' },
      { Name: 'C', Error: 'C is required' },
      { Name: 'D', Error: 'D is required' },
      { Name: 'E', Error: 'E is required' },
    ])
  })

  it('with duplicate spellings takes the first non-empty value', () => {
    expect(read({ InvoiceValue: 5, invoiceValue: 10 }).reader.decimal('InvoiceValue')).toBe(5)
    const emptyFirst = read({ InvoiceValue: '', invoiceValue: 10 }).reader
    expect(emptyFirst.decimal('InvoiceValue')).toBe(10)
    expect(emptyFirst.nameOf('InvoiceValue')).toBe('invoiceValue')
    const nullFirst = read({ invoicevalue: null, INVOICEVALUE: '7' }).reader
    expect(nullFirst.decimal('InvoiceValue')).toBe('7')
    expect(nullFirst.nameOf('InvoiceValue')).toBe('INVOICEVALUE')
    const bothEmpty = read({ InvoiceValue: '', invoiceValue: null }).reader
    expect(bothEmpty.has('InvoiceValue')).toBe(false)
  })

  it('does not confuse own fields with Object.prototype members', () => {
    const { reader, errors } = read(JSON.parse('{"__proto__": {"x": 1}, "constructor": "c", "toString": 5}'))
    expect(reader.has('hasOwnProperty')).toBe(false)
    expect(reader.string('constructor')).toBe('c')
    expect(reader.integer('toString')).toBe(5)
    expect(reader.object('__proto__')?.integer('x')).toBe(1)
    expect(errors).toEqual([])
  })
})

describe('FieldReader: strings', () => {
  it('accepts numbers and booleans as their text and rejects objects', () => {
    const { reader, errors } = read({ A: 12345678, B: true, C: { x: 1 }, D: [1] })
    expect(reader.string('A')).toBe('12345678')
    expect(reader.string('B')).toBe('true')
    expect(reader.string('C')).toBeUndefined()
    expect(reader.string('D')).toBeUndefined()
    expect(errors).toEqual([
      { Name: 'C', Error: 'C must be a text value' },
      { Name: 'D', Error: 'D must be a text value' },
    ])
  })

  it('applies max length and pattern', () => {
    const { reader, errors } = read({ A: 'abcd', B: 'abc', C: 'x1', D: 'xy' })
    expect(reader.string('A', { max: 3 })).toBeUndefined()
    expect(reader.string('B', { max: 3 })).toBe('abc')
    expect(reader.string('C', { pattern: /^[a-z]+$/ })).toBeUndefined()
    expect(reader.string('D', { pattern: /^[a-z]+$/, patternMessage: 'letters only' })).toBe('xy')
    reader.string('C', { pattern: /^[a-z]+$/, patternMessage: 'letters only' })
    expect(errors).toEqual([
      { Name: 'A', Error: 'A must not be longer than 3 characters' },
      { Name: 'C', Error: 'C is not in the expected format' },
      { Name: 'C', Error: 'letters only' },
    ])
  })
})

describe('FieldReader: integers', () => {
  it('accepts JSON integers and numeric strings', () => {
    const { reader, errors } = read({ A: 2, B: '2', C: ' 12 ', D: '2.0', E: 3.0, F: '+4', G: -5, H: '-6' })
    expect([reader.integer('A'), reader.integer('B'), reader.integer('C'), reader.integer('D')]).toEqual([2, 2, 12, 2])
    expect([reader.integer('E'), reader.integer('F'), reader.integer('G'), reader.integer('H')]).toEqual([3, 4, -5, -6])
    expect(errors).toEqual([])
  })

  it('rejects fractions, non-numbers and unsafe integers', () => {
    const raw = { A: 2.5, B: '2.5', C: 'two', D: true, E: {}, F: [], G: '1e3', H: 2 ** 53, I: '99999999999999999999', J: '0x10' }
    const { reader, errors } = read(raw)
    for (const field of Object.keys(raw)) expect(reader.integer(field), field).toBeUndefined()
    expect(errors.map((e) => e.Name)).toEqual(Object.keys(raw))
    for (const error of errors) expect(error.Error).toBe(`${error.Name} must be a whole number`)
  })

  it('checks bounds with a message that states them', () => {
    const { reader, errors } = read({ A: 0, B: 181, C: -1, D: 6, E: 1, F: 180 })
    expect(reader.integer('A', { min: 1, max: 180 })).toBeUndefined()
    expect(reader.integer('B', { min: 1, max: 180 })).toBeUndefined()
    expect(reader.integer('C', { min: 0 })).toBeUndefined()
    expect(reader.integer('D', { max: 5 })).toBeUndefined()
    expect(reader.integer('E', { min: 1, max: 180 })).toBe(1)
    expect(reader.integer('F', { min: 1, max: 180 })).toBe(180)
    expect(errors).toEqual([
      { Name: 'A', Error: 'A must be between 1 and 180' },
      { Name: 'B', Error: 'B must be between 1 and 180' },
      { Name: 'C', Error: 'C must be at least 0' },
      { Name: 'D', Error: 'D must be at most 5' },
    ])
  })
})

describe('FieldReader: decimals', () => {
  it('returns JSON numbers as numbers and numeric strings as trimmed text', () => {
    const { reader, errors } = read({ A: 2.5, B: '2.500', C: ' 10 ', D: '-1.5', E: 0 })
    expect(reader.decimal('A')).toBe(2.5)
    expect(reader.decimal('B')).toBe('2.500')
    expect(reader.decimal('C')).toBe('10')
    expect(reader.decimal('D')).toBe('-1.5')
    expect(reader.decimal('E')).toBe(0)
    expect(errors).toEqual([])
  })

  it('rejects anything that is not a plain decimal', () => {
    const raw = { A: 'ten', B: true, C: {}, D: [], E: '1e3', F: '1,5', G: '.5', H: '١٠' }
    const { reader, errors } = read(raw)
    for (const field of Object.keys(raw)) expect(reader.decimal(field), field).toBeUndefined()
    expect(errors).toEqual(Object.keys(raw).map((Name) => ({ Name, Error: `${Name} must be a number` })))
  })
})

describe('FieldReader: booleans', () => {
  it('accepts true/false, their text in any case and 1/0', () => {
    const raw = { A: true, B: false, C: 'true', D: 'FALSE', E: 1, F: 0, G: '1', H: '0', I: ' True ' }
    const { reader, errors } = read(raw)
    expect(Object.keys(raw).map((field) => reader.boolean(field))).toEqual([true, false, true, false, true, false, true, false, true])
    expect(errors).toEqual([])
  })

  it('rejects other values', () => {
    const raw = { A: 'yes', B: 2, C: {}, D: [], E: -1 }
    const { reader, errors } = read(raw)
    for (const field of Object.keys(raw)) expect(reader.boolean(field), field).toBeUndefined()
    expect(errors).toEqual(Object.keys(raw).map((Name) => ({ Name, Error: `${Name} must be true or false` })))
  })
})

describe('FieldReader: choices', () => {
  it('matches case-insensitively and returns the canonical spelling', () => {
    const { reader, errors } = read({ Language: 'en', RecurringType: ' monthly ', Other: 'ar' })
    expect(reader.choice('Language', ['EN', 'AR'] as const)).toBe('EN')
    expect(reader.choice('RecurringType', ['Custom', 'Daily', 'Weekly', 'Monthly'] as const)).toBe('Monthly')
    expect(reader.choice('Other', ['EN', 'AR'] as const)).toBe('AR')
    expect(reader.choice('Missing', ['EN', 'AR'] as const)).toBeUndefined()
    expect(errors).toEqual([])
  })

  it('lists the choices when the value is not one of them, and honours required', () => {
    const { reader, errors } = read({ language: 'fr' })
    expect(reader.choice('Language', ['EN', 'AR'] as const)).toBeUndefined()
    expect(reader.choice('RecurringType', ['Daily'] as const, { required: true })).toBeUndefined()
    expect(errors).toEqual([
      { Name: 'language', Error: 'Language must be one of: EN, AR' },
      { Name: 'RecurringType', Error: 'RecurringType is required' },
    ])
  })
})

describe('FieldReader: nested objects and arrays', () => {
  it('prefixes nested names with the path as the client spelled it', () => {
    const { reader, errors } = read({ recurringModel: { intervalDays: 0 } })
    const nested = reader.object('RecurringModel')
    expect(nested?.isObject).toBe(true)
    expect(nested?.integer('IntervalDays', { min: 1, max: 180 })).toBeUndefined()
    nested?.string('RecurringType', { required: true })
    expect(errors).toEqual([
      { Name: 'recurringModel.intervalDays', Error: 'IntervalDays must be between 1 and 180' },
      { Name: 'recurringModel.RecurringType', Error: 'RecurringType is required' },
    ])
  })

  it('rejects non-objects where an object is expected', () => {
    const { reader, errors } = read({ A: [], B: 'x', C: 5, D: true })
    for (const field of ['A', 'B', 'C', 'D']) expect(reader.object(field), field).toBeUndefined()
    expect(errors).toEqual(['A', 'B', 'C', 'D'].map((Name) => ({ Name, Error: `${Name} must be an object` })))
  })

  it('indexes array elements: InvoiceItems[0].UnitPrice', () => {
    const { reader, errors } = read({
      InvoiceItems: [
        { ItemName: 'A', Quantity: 1, UnitPrice: 'x' },
        { itemName: 'B', quantity: '2', unitPrice: '1.5' },
      ],
    })
    const items = reader.array('InvoiceItems')
    expect(items).toHaveLength(2)
    expect(items?.[0]?.decimal('UnitPrice')).toBeUndefined()
    expect(items?.[1]?.decimal('UnitPrice')).toBe('1.5')
    expect(items?.[1]?.integer('Quantity')).toBe(2)
    items?.[1]?.fail('ItemName', 'bad')
    expect(errors).toEqual([
      { Name: 'InvoiceItems[0].UnitPrice', Error: 'UnitPrice must be a number' },
      { Name: 'InvoiceItems[1].itemName', Error: 'bad' },
    ])
  })

  it('uses the client spelling of the array and nested paths of any depth', () => {
    const { reader, errors } = read({ invoiceItems: [{ Detail: { Weight: 'x' } }] })
    reader.array('InvoiceItems')?.[0]?.object('Detail')?.decimal('Weight')
    expect(errors).toEqual([{ Name: 'invoiceItems[0].Detail.Weight', Error: 'Weight must be a number' }])
  })

  it('reports non-object elements and skips them', () => {
    const { reader, errors } = read({ Suppliers: [1, null, { SupplierCode: 3 }, [], 'x'] })
    const readers = reader.array('Suppliers')
    expect(readers).toHaveLength(1)
    expect(readers?.[0]?.integer('SupplierCode')).toBe(3)
    expect(errors.map((e) => e.Name)).toEqual(['Suppliers[0]', 'Suppliers[1]', 'Suppliers[3]', 'Suppliers[4]'])
  })

  it('rejects a non-list and a list that is too long', () => {
    const { reader, errors } = read({ A: { x: 1 }, B: [{}, {}, {}], C: [] })
    expect(reader.array('A')).toBeUndefined()
    expect(reader.array('B', { max: 2 })).toBeUndefined()
    expect(reader.array('C')).toEqual([])
    expect(errors).toEqual([
      { Name: 'A', Error: 'A must be a list' },
      { Name: 'B', Error: 'B must not have more than 2 entries' },
    ])
  })
})

describe('FieldReader: robustness', () => {
  it('never throws on any JSON value with any accessor', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom('a', 'A', 'b', '__proto__', 'constructor', ''), (raw, field) => {
        const container = { a: raw, [field]: raw }
        const { reader, errors } = read(container)
        reader.string(field, { required: true, max: 3, pattern: /^x$/ })
        reader.integer(field, { required: true, min: 0, max: 10 })
        reader.decimal(field, { required: true })
        reader.boolean(field)
        reader.choice(field, ['X', 'Y'] as const, { required: true })
        reader.object(field)?.string('a')
        reader.array(field, { max: 5 })?.forEach((element) => element.decimal('a'))
        for (const error of errors) {
          expect(typeof error.Name).toBe('string')
          expect(typeof error.Error).toBe('string')
          expect(error.Error.length).toBeGreaterThan(0)
        }
      }),
    )
  })

  it('reads every integer back from its numeric string', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (value) => {
        const { reader } = read({ A: String(value), B: value })
        expect(reader.integer('A')).toBe(value)
        expect(reader.integer('B')).toBe(value)
      }),
    )
  })
})
