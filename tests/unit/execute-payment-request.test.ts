import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import type { FieldError } from '../../src/domain/errors.js'
import {
  CUSTOMER_MOBILE_RULE,
  parseExecutePaymentRequest,
  type ExecutePaymentCommand,
  type ExecutePaymentRules,
} from '../../src/domain/execute-payment-request.js'

// 2026-01-10T12:00:00 in Kuwait (UTC+3).
const NOW = Date.UTC(2026, 0, 10, 9, 0, 0)
const SESSION_ID = '36201229-25ce-4360-9afc-5d901715b3a3'

const RULES: ExecutePaymentRules = {
  baseCurrency: 'KWD',
  timeZone: 'Asia/Kuwait',
  now: NOW,
  production: false,
  recurringEnabled: true,
  bypass3dsEnabled: false,
}

const PRODUCTION: Partial<ExecutePaymentRules> = { production: true }

const BASE = { PaymentMethodId: 2, InvoiceValue: 10 }

function parse(body: unknown, rules: Partial<ExecutePaymentRules> = {}) {
  return parseExecutePaymentRequest(body, { ...RULES, ...rules })
}

function accept(body: unknown, rules: Partial<ExecutePaymentRules> = {}): ExecutePaymentCommand {
  const result = parse(body, rules)
  if (!result.ok) throw new Error(`expected a valid request, got ${JSON.stringify(result.errors)}`)
  return result.command
}

function reject(body: unknown, rules: Partial<ExecutePaymentRules> = {}): FieldError[] {
  const result = parse(body, rules)
  if (result.ok) throw new Error(`expected field errors, got ${JSON.stringify(result.command)}`)
  expect(result.errors.length).toBeGreaterThan(0)
  return result.errors
}

/** Asserts that the body fails with exactly one error, on `name`, whose text matches `error`. */
function expectOnly(body: unknown, name: string, error?: string | RegExp, rules: Partial<ExecutePaymentRules> = {}): void {
  const errors = reject(body, rules)
  expect(errors, JSON.stringify(errors)).toHaveLength(1)
  expect(errors[0]?.Name).toBe(name)
  if (typeof error === 'string') expect(errors[0]?.Error).toBe(error)
  else if (error) expect(errors[0]?.Error).toMatch(error)
}

describe('ExecutePayment: valid requests', () => {
  it('accepts the seed sample with a Custom RecurringModel', () => {
    const command = accept({
      PaymentMethodId: 2,
      InvoiceValue: 10,
      RecurringModel: { RecurringType: 'Custom', IntervalDays: 1, Iteration: 3, RetryCount: 5 },
    })
    expect(command).toMatchObject({
      invoiceValueMinor: 10_000,
      currency: 'KWD',
      paymentMethodId: 2,
      sessionId: null,
      language: 'EN',
      recurring: { recurringType: 'Custom', intervalDays: 1, iteration: 3, retryCount: 5 },
      autoCapture: true,
      bypass3ds: false,
      items: [],
      suppliers: [],
      shippingMethod: null,
      shippingConsignee: null,
      expiresAt: null,
      customerAddress: null,
    })
  })

  it('accepts the reference embedded sample: camelCase invoiceValue, SessionId, IntervalDays null', () => {
    const command = accept({
      SessionId: SESSION_ID.toUpperCase(),
      invoiceValue: 20,
      RecurringModel: { RecurringType: 'Daily', IntervalDays: null, Iteration: 1, RetryCount: 5 },
    })
    expect(command.sessionId).toBe(SESSION_ID)
    expect(command.paymentMethodId).toBeNull()
    expect(command.invoiceValueMinor).toBe(20_000)
    expect(command.recurring).toEqual({ recurringType: 'Daily', intervalDays: null, iteration: 1, retryCount: 5 })
  })

  it('accepts the Flutter SDK numeric strings', () => {
    const command = accept({
      InvoiceValue: '10.0',
      PaymentMethodId: '2',
      RecurringModel: { RecurringType: 'Monthly', IntervalDays: '0', Iteration: '12', RetryCount: '3' },
    })
    expect(command.invoiceValueMinor).toBe(10_000)
    expect(command.paymentMethodId).toBe(2)
    expect(command.recurring).toEqual({ recurringType: 'Monthly', intervalDays: null, iteration: 12, retryCount: 3 })
  })

  it('accepts all-camelCase and all-lowercase keys, names included', () => {
    const command = accept({
      paymentMethodId: 20,
      invoicevalue: '2.500',
      displaycurrencyiso: 'kwd',
      language: 'ar',
      recurringModel: { recurringType: 'weekly', iteration: 0 },
      processingDetails: { autoCapture: 'true', bypass3ds: 'false' },
      invoiceItems: [{ itemName: 'Plan', quantity: '1', unitPrice: '2.5' }],
    })
    expect(command).toMatchObject({
      paymentMethodId: 20,
      invoiceValueMinor: 2500,
      currency: 'KWD',
      language: 'AR',
      recurring: { recurringType: 'Weekly', intervalDays: null, iteration: 0, retryCount: 0 },
      autoCapture: true,
      bypass3ds: false,
      items: [{ itemName: 'Plan', quantity: 1, unitPriceMinor: 2500, weight: null, width: null, height: null, depth: null }],
    })
  })

  it('accepts what the official PHP library sends: empty optional strings, SupplierCode 0, SourceInfo', () => {
    const command = accept({
      CustomerName: 'Fatima Al Sabah',
      InvoiceValue: 33.75,
      DisplayCurrencyIso: 'KWD',
      MobileCountryCode: '965',
      CustomerMobile: '55512345',
      CustomerEmail: '',
      CallBackUrl: 'https://shop.example.com/callback',
      ErrorUrl: 'https://shop.example.com/error',
      Language: 'en',
      CustomerReference: '981',
      CustomerCivilId: '',
      UserDefinedField: '',
      ExpiryDate: '',
      SupplierCode: 0,
      SupplierValue: 0,
      SourceInfo: 'MyFatoorah PHP Library 2.2',
      PaymentMethodId: 2,
      CustomerAddress: { Block: '', Street: '', HouseBuildingNo: '', Address: 'Salmiya', AddressInstructions: '' },
      InvoiceItems: [
        { ItemName: 'Gold plan (monthly)', Quantity: 2, UnitPrice: 12.75 },
        { ItemName: 'Setup fee', Quantity: 1, UnitPrice: 4.5 },
        { ItemName: 'SMS bundle', Quantity: 3, UnitPrice: 1.25 },
      ],
    })
    expect(command).toMatchObject({
      invoiceValueMinor: 33_750,
      customerEmail: null,
      customerCivilId: null,
      userDefinedField: null,
      expiresAt: null,
      mobileCountryCode: '965',
      customerMobile: '55512345',
      suppliers: [],
      customerAddress: { block: null, street: null, houseBuildingNo: null, address: 'Salmiya', addressInstructions: null },
    })
    expect(command.items.map((item) => item.unitPriceMinor)).toEqual([12_750, 4500, 1250])
  })

  it('normalises every optional field', () => {
    const command = accept({
      ...BASE,
      CustomerName: 'Ali',
      MobileCountryCode: '+965',
      CustomerMobile: 55512345,
      CustomerEmail: 'ali@example.com',
      CallBackUrl: '  https://shop.example.com/cb?x=1  ',
      ErrorUrl: 'http://shop.example.com/err',
      WebhookUrl: 'https://shop.example.com/hook',
      CustomerReference: 'ORD-1',
      CustomerCivilId: '123',
      UserDefinedField: 'u'.repeat(500),
      ExpiryDate: '2030-12-31T23:59:59',
    })
    expect(command).toMatchObject({
      customerName: 'Ali',
      mobileCountryCode: '+965',
      customerMobile: '55512345',
      customerEmail: 'ali@example.com',
      callBackUrl: 'https://shop.example.com/cb?x=1',
      errorUrl: 'http://shop.example.com/err',
      webhookUrl: 'https://shop.example.com/hook',
      customerReference: 'ORD-1',
      customerCivilId: '123',
      expiresAt: Date.UTC(2030, 11, 31, 20, 59, 59),
    })
    expect(command.userDefinedField).toHaveLength(500)
  })

  it('accepts matching InvoiceItems, shipping and suppliers together', () => {
    const command = accept({
      ...BASE,
      InvoiceValue: '10.000',
      InvoiceItems: [
        { ItemName: 'A', Quantity: 2, UnitPrice: 2.5, Weight: 0, Width: 200, Height: 160, Depth: 0.5 },
        { ItemName: 'B', Quantity: 1, UnitPrice: '5', Weight: 100 },
      ],
      ShippingMethod: 2,
      ShippingConsignee: {
        PersonName: 'Ali',
        Mobile: '55512345',
        EmailAddress: 'ali@example.com',
        LineAddress: 'Block 4, Street 1',
        CityName: 'Salmiya',
        PostalCode: '20001',
        CountryCode: 'KWT',
      },
      Suppliers: [
        { SupplierCode: 1, InvoiceShare: 6, ProposedShare: 5.5 },
        { SupplierCode: 2, InvoiceShare: '4.000' },
      ],
    })
    expect(command.items).toEqual([
      { itemName: 'A', quantity: 2, unitPriceMinor: 2500, weight: 0, width: 200, height: 160, depth: 0.5 },
      { itemName: 'B', quantity: 1, unitPriceMinor: 5000, weight: 100, width: null, height: null, depth: null },
    ])
    expect(command.shippingMethod).toBe(2)
    expect(command.shippingConsignee).toEqual({
      personName: 'Ali',
      mobile: '55512345',
      emailAddress: 'ali@example.com',
      lineAddress: 'Block 4, Street 1',
      cityName: 'Salmiya',
      postalCode: '20001',
      countryCode: 'KWT',
    })
    expect(command.suppliers).toEqual([
      { supplierCode: 1, invoiceShareMinor: 6000, proposedShareMinor: 5500 },
      { supplierCode: 2, invoiceShareMinor: 4000, proposedShareMinor: null },
    ])
  })

  it('accepts loopback callback URLs in sandbox mode', () => {
    const command = accept({ ...BASE, CallBackUrl: 'http://localhost:3000/cb', ErrorUrl: 'http://127.0.0.1/err', WebhookUrl: 'http://localhost/hook' })
    expect(command.callBackUrl).toBe('http://localhost:3000/cb')
    expect(command.webhookUrl).toBe('http://localhost/hook')
  })
})

describe('ExecutePayment: request body', () => {
  it('rejects anything that is not a JSON object', () => {
    for (const body of [null, undefined, 'x', 1, true, [], [BASE]]) {
      expect(parse(body)).toEqual({ ok: false, errors: [{ Name: 'request', Error: 'The request body must be a JSON object' }] })
    }
  })

  it('reports every bad field at once', () => {
    const errors = reject({ InvoiceValue: 0, CustomerMobile: 'abc', CallBackUrl: 'nope', Language: 'fr' })
    expect(errors.map((e) => e.Name).sort()).toEqual(['CallBackUrl', 'CustomerMobile', 'InvoiceValue', 'Language', 'PaymentMethodId'])
  })
})

describe('ExecutePayment: InvoiceValue', () => {
  it('is required', () => {
    expectOnly({ PaymentMethodId: 2 }, 'InvoiceValue', 'InvoiceValue is required')
    expectOnly({ PaymentMethodId: 2, InvoiceValue: null }, 'InvoiceValue', 'InvoiceValue is required')
    expectOnly({ PaymentMethodId: 2, InvoiceValue: '' }, 'InvoiceValue', 'InvoiceValue is required')
  })

  it('must be more than 0, with the reference message', () => {
    for (const value of [0, '0', '0.000', -0, -1, '-2.5']) {
      expectOnly({ PaymentMethodId: 2, InvoiceValue: value }, 'InvoiceValue', 'Invoice value must be more than 0')
    }
  })

  it('must not have more decimals than the currency', () => {
    expectOnly({ PaymentMethodId: 2, InvoiceValue: 10.0001 }, 'InvoiceValue', 'InvoiceValue has more decimals than KWD allows')
    expectOnly({ PaymentMethodId: 2, InvoiceValue: 1e-7 }, 'InvoiceValue', /more decimals/)
    expectOnly({ PaymentMethodId: 2, InvoiceValue: 10.005 }, 'InvoiceValue', 'InvoiceValue has more decimals than SAR allows', { baseCurrency: 'SAR' })
    expect(accept({ PaymentMethodId: 2, InvoiceValue: 10.05 }, { baseCurrency: 'SAR' }).invoiceValueMinor).toBe(1005)
  })

  it('must be a number', () => {
    for (const value of ['ten', true, {}, [], [10], '1,000', '10 KWD', '1e3']) {
      expectOnly({ PaymentMethodId: 2, InvoiceValue: value }, 'InvoiceValue', 'InvoiceValue must be a number')
    }
  })

  it('must not be too large', () => {
    expectOnly({ PaymentMethodId: 2, InvoiceValue: 1e20 }, 'InvoiceValue', 'InvoiceValue is too large')
    expectOnly({ PaymentMethodId: 2, InvoiceValue: '9'.repeat(30) }, 'InvoiceValue', 'InvoiceValue is too large')
  })

  it('is named as the client spelled it', () => {
    expectOnly({ PaymentMethodId: 2, invoiceValue: 0 }, 'invoiceValue', 'Invoice value must be more than 0')
    expectOnly({ PaymentMethodId: 2, INVOICEVALUE: 'x' }, 'INVOICEVALUE', 'InvoiceValue must be a number')
  })
})

describe('ExecutePayment: PaymentMethodId and SessionId', () => {
  it('requires one of them', () => {
    expectOnly({ InvoiceValue: 10 }, 'PaymentMethodId', 'PaymentMethodId or SessionId is required')
    expectOnly({ InvoiceValue: 10, PaymentMethodId: '', SessionId: null }, 'PaymentMethodId', 'PaymentMethodId or SessionId is required')
  })

  it('refuses both', () => {
    expectOnly({ ...BASE, SessionId: SESSION_ID }, 'SessionId', 'Send either PaymentMethodId or SessionId, not both')
    expectOnly({ ...BASE, sessionId: SESSION_ID }, 'sessionId', 'Send either PaymentMethodId or SessionId, not both')
  })

  it('refuses an unknown or malformed PaymentMethodId', () => {
    expectOnly({ InvoiceValue: 10, PaymentMethodId: 99 }, 'PaymentMethodId', /not enabled/)
    expectOnly({ InvoiceValue: 10, PaymentMethodId: '3' }, 'PaymentMethodId', /not enabled/)
    expectOnly({ InvoiceValue: 10, PaymentMethodId: 'VISA' }, 'PaymentMethodId', 'PaymentMethodId must be a whole number')
    expectOnly({ InvoiceValue: 10, PaymentMethodId: 2.5 }, 'PaymentMethodId', 'PaymentMethodId must be a whole number')
    expectOnly({ InvoiceValue: 10, PaymentMethodId: 0 }, 'PaymentMethodId', 'PaymentMethodId must be at least 1')
    expectOnly({ InvoiceValue: 10, PaymentMethodId: -2 }, 'PaymentMethodId', 'PaymentMethodId must be at least 1')
  })

  it('accepts every sandbox method', () => {
    for (const id of [1, 2, 9, 20]) expect(accept({ InvoiceValue: 10, PaymentMethodId: id }).paymentMethodId).toBe(id)
  })

  it('refuses a SessionId that is not a GUID', () => {
    expectOnly({ InvoiceValue: 10, SessionId: 'abc' }, 'SessionId', 'SessionId is not valid')
    expectOnly({ InvoiceValue: 10, SessionId: SESSION_ID + '0' }, 'SessionId', 'SessionId is not valid')
    expectOnly({ InvoiceValue: 10, SessionId: 12345 }, 'SessionId', 'SessionId is not valid')
  })
})

describe('ExecutePayment: customer fields', () => {
  it('CustomerMobile must be ASCII', () => {
    expectOnly({ ...BASE, CustomerMobile: '٥٥٥١٢٣٤٥' }, 'CustomerMobile', 'CustomerMobile must contain only ASCII characters')
    expectOnly({ ...BASE, customerMobile: '５５５１２３４５' }, 'customerMobile', /ASCII/)
  })

  it('CustomerMobile must have at most 11 characters', () => {
    expectOnly({ ...BASE, CustomerMobile: '123456789012' }, 'CustomerMobile', CUSTOMER_MOBILE_RULE)
    expectOnly({ ...BASE, CustomerMobile: '1234567890123' }, 'CustomerMobile', 'CustomerMobile must be 3 to 11 digits (the number without its country code, which goes in MobileCountryCode)')
    expectOnly({ ...BASE, CustomerMobile: '+9655551234' + '5' }, 'CustomerMobile', CUSTOMER_MOBILE_RULE)
    expect(accept({ ...BASE, CustomerMobile: '12345678901' }).customerMobile).toBe('12345678901')
  })

  it('CustomerMobile must match the documented pattern', () => {
    for (const mobile of ['+96555512', '0096555512', '*1234', '55512345#', '123', 12345678]) {
      expect(accept({ ...BASE, CustomerMobile: mobile }).customerMobile, String(mobile)).toBe(String(mobile))
    }
    for (const mobile of ['12', '5551-2345', '555 12345', '+', '#123', '123#4', '++123', 'abc', '+-123', '1.5']) {
      expectOnly({ ...BASE, CustomerMobile: mobile }, 'CustomerMobile', CUSTOMER_MOBILE_RULE)
    }
  })

  it('MobileCountryCode must be a dialling code', () => {
    for (const code of ['+965', '965', '+20', '20']) expect(accept({ ...BASE, MobileCountryCode: code }).mobileCountryCode).toBe(code)
    for (const code of ['+96555', 'KW', '+', '00965']) {
      expectOnly({ ...BASE, MobileCountryCode: code }, 'MobileCountryCode')
    }
  })

  it('CustomerEmail must look like an email address', () => {
    expectOnly({ ...BASE, CustomerEmail: 'not-an-email' }, 'CustomerEmail', 'CustomerEmail is not a valid email address')
    expectOnly({ ...BASE, CustomerEmail: 'a@b' }, 'CustomerEmail', 'CustomerEmail is not a valid email address')
  })

  it('UserDefinedField is at most 500 characters', () => {
    expectOnly({ ...BASE, UserDefinedField: 'u'.repeat(501) }, 'UserDefinedField', 'UserDefinedField must not be longer than 500 characters')
  })

  it('Language is EN or AR in any case', () => {
    expect(accept({ ...BASE, Language: 'Ar' }).language).toBe('AR')
    expect(accept({ ...BASE, Language: 'en' }).language).toBe('EN')
    expectOnly({ ...BASE, Language: 'fr' }, 'Language', 'Language must be one of: EN, AR')
  })

  it('text fields refuse objects', () => {
    expectOnly({ ...BASE, CustomerName: { first: 'Ali' } }, 'CustomerName', 'CustomerName must be a text value')
    expectOnly({ ...BASE, CustomerAddress: 'Salmiya' }, 'CustomerAddress', 'CustomerAddress must be an object')
    expectOnly({ ...BASE, CustomerAddress: { Block: 'b'.repeat(501) } }, 'CustomerAddress.Block')
  })
})

describe('ExecutePayment: CallBackUrl, ErrorUrl and WebhookUrl', () => {
  for (const field of ['CallBackUrl', 'ErrorUrl']) {
    it(`${field} is at most 254 characters`, () => {
      const base = 'https://shop.example.com/'
      expect(accept({ ...BASE, [field]: base + 'x'.repeat(254 - base.length) })).toBeDefined()
      expectOnly({ ...BASE, [field]: base + 'x'.repeat(255 - base.length) }, field, `${field} must not be longer than 254 characters`)
    })

    it(`${field} must be an absolute http(s) URL`, () => {
      for (const url of ['not a url', '/relative/path', 'shop.example.com/cb', 'ftp://shop.example.com/', 'javascript:alert(1)', 'mailto:a@b.c']) {
        expectOnly({ ...BASE, [field]: url }, field, `${field} must be an absolute http or https URL`)
      }
    })

    it(`${field} may be localhost only outside production`, () => {
      for (const url of ['http://localhost/cb', 'http://LOCALHOST:8080/', 'http://127.0.0.1/x', 'http://[::1]/', 'http://app.localhost/']) {
        expect(accept({ ...BASE, [field]: url }), url).toBeDefined()
        expectOnly({ ...BASE, [field]: url }, field, `${field} must not point to localhost`, PRODUCTION)
      }
      expect(accept({ ...BASE, [field]: 'http://shop.example.com/cb' }, PRODUCTION)).toBeDefined()
    })
  }

  it('WebhookUrl must use https in production', () => {
    expectOnly({ ...BASE, WebhookUrl: 'http://shop.example.com/hook' }, 'WebhookUrl', 'WebhookUrl must use https', PRODUCTION)
    expect(accept({ ...BASE, WebhookUrl: 'https://shop.example.com/hook' }, PRODUCTION).webhookUrl).toBe('https://shop.example.com/hook')
  })
})

describe('ExecutePayment: DisplayCurrencyIso', () => {
  it('is one of the eight currencies, in any case', () => {
    expect(accept({ ...BASE, DisplayCurrencyIso: 'sar' }).currency).toBe('SAR')
    expect(accept(BASE, { baseCurrency: 'EGP' }).currency).toBe('EGP')
    expectOnly({ ...BASE, DisplayCurrencyIso: 'USD' }, 'DisplayCurrencyIso', 'DisplayCurrencyIso must be one of: KWD, SAR, BHD, AED, QAR, OMR, JOD, EGP')
  })

  it('sets the decimals of every amount', () => {
    expect(accept({ ...BASE, InvoiceValue: '10.5', DisplayCurrencyIso: 'SAR' }).invoiceValueMinor).toBe(1050)
    expectOnly({ ...BASE, InvoiceValue: 10.005, DisplayCurrencyIso: 'SAR' }, 'InvoiceValue', 'InvoiceValue has more decimals than SAR allows')
    expect(accept({ ...BASE, InvoiceValue: 10.005, DisplayCurrencyIso: 'BHD' }, { baseCurrency: 'SAR' }).invoiceValueMinor).toBe(10_005)
    expectOnly(
      { ...BASE, DisplayCurrencyIso: 'AED', InvoiceItems: [{ ItemName: 'A', Quantity: 1, UnitPrice: 9.999 }, { ItemName: 'B', Quantity: 1, UnitPrice: 0.01 }] },
      'InvoiceItems[0].UnitPrice',
      'UnitPrice has more decimals than AED allows',
    )
    expectOnly(
      { ...BASE, DisplayCurrencyIso: 'QAR', Suppliers: [{ SupplierCode: 1, InvoiceShare: 10, ProposedShare: 9.995 }] },
      'Suppliers[0].ProposedShare',
      'ProposedShare has more decimals than QAR allows',
    )
  })
})

describe('ExecutePayment: ExpiryDate', () => {
  it('is read as local time of the merchant zone, with or without offset', () => {
    expect(accept({ ...BASE, ExpiryDate: '2026-01-11T00:00:00' }).expiresAt).toBe(Date.UTC(2026, 0, 10, 21))
    expect(accept({ ...BASE, ExpiryDate: '2026-01-11' }).expiresAt).toBe(Date.UTC(2026, 0, 10, 21))
    expect(accept({ ...BASE, ExpiryDate: '2026-01-11T00:00:00Z' }).expiresAt).toBe(Date.UTC(2026, 0, 11))
    expect(accept({ ...BASE, ExpiryDate: '2026-01-11T00:00:00' }, { timeZone: 'Africa/Cairo' }).expiresAt).toBe(Date.UTC(2026, 0, 10, 22))
  })

  it('must be in the future', () => {
    expectOnly({ ...BASE, ExpiryDate: '2026-01-10T12:00:00' }, 'ExpiryDate', 'ExpiryDate must be in the future')
    expectOnly({ ...BASE, ExpiryDate: '2020-01-01T00:00:00' }, 'ExpiryDate', 'ExpiryDate must be in the future')
    expect(accept({ ...BASE, ExpiryDate: '2026-01-10T12:00:01' }).expiresAt).toBe(NOW + 1000)
  })

  it('must be a valid date-time', () => {
    for (const text of ['2026-02-30T00:00:00', '2027-02-29', '2026-13-01', '2026-01-10T24:00:00', 'tomorrow', 'December 31, 2030', '31/12/2030']) {
      expectOnly({ ...BASE, ExpiryDate: text }, 'ExpiryDate', /date-time/)
    }
  })
})

describe('ExecutePayment: InvoiceItems', () => {
  const item = { ItemName: 'Plan', Quantity: 1, UnitPrice: 10 }

  it('requires ItemName, Quantity and UnitPrice', () => {
    expectOnly({ ...BASE, InvoiceItems: [{ Quantity: 1, UnitPrice: 10 }] }, 'InvoiceItems[0].ItemName', 'ItemName is required')
    expectOnly({ ...BASE, InvoiceItems: [{ ItemName: 'Plan', UnitPrice: 10 }] }, 'InvoiceItems[0].Quantity', 'Quantity is required')
    expectOnly({ ...BASE, InvoiceItems: [{ ItemName: 'Plan', Quantity: 1 }] }, 'InvoiceItems[0].UnitPrice', 'UnitPrice is required')
  })

  it('checks Quantity and UnitPrice', () => {
    expectOnly({ ...BASE, InvoiceItems: [{ ...item, Quantity: 0 }] }, 'InvoiceItems[0].Quantity', /between 1 and/)
    expectOnly({ ...BASE, InvoiceItems: [{ ...item, Quantity: 1.5 }] }, 'InvoiceItems[0].Quantity', 'Quantity must be a whole number')
    expectOnly({ ...BASE, InvoiceItems: [{ ...item, UnitPrice: 'ten' }] }, 'InvoiceItems[0].UnitPrice', 'UnitPrice must be a number')
    expectOnly({ ...BASE, InvoiceItems: [{ ...item, UnitPrice: -10 }] }, 'InvoiceItems[0].UnitPrice', 'UnitPrice must not be negative')
    expectOnly({ ...BASE, InvoiceItems: [{ ...item, UnitPrice: 10.0001 }] }, 'InvoiceItems[0].UnitPrice', /more decimals/)
  })

  const measures = [
    ['Weight', 100],
    ['Width', 200],
    ['Height', 160],
    ['Depth', 200],
  ] as const
  for (const [field, max] of measures) {
    it(`${field} is between 0 and ${max}`, () => {
      for (const value of [0, max, max / 2, String(max)]) {
        expect(accept({ ...BASE, InvoiceItems: [{ ...item, [field]: value }] }).items[0]?.[field.toLowerCase() as 'weight']).toBe(Number(value))
      }
      for (const value of [-1, -0.5, max + 0.001, max + 1, '1000']) {
        expectOnly({ ...BASE, InvoiceItems: [{ ...item, [field]: value }] }, `InvoiceItems[0].${field}`, new RegExp(`^${field} must be between 0 and ${max} `))
      }
      expectOnly({ ...BASE, InvoiceItems: [{ ...item, [field]: 'heavy' }] }, `InvoiceItems[0].${field}`, `${field} must be a number`)
    })
  }

  it('InvoiceValue must equal the sum of Quantity × UnitPrice', () => {
    const items = [
      { ItemName: 'A', Quantity: 3, UnitPrice: 0.1 },
      { ItemName: 'B', Quantity: 7, UnitPrice: 1.3 },
    ]
    expect(accept({ ...BASE, InvoiceValue: 9.4, InvoiceItems: items }).invoiceValueMinor).toBe(9400)
    expectOnly({ ...BASE, InvoiceValue: 9.401, InvoiceItems: items }, 'InvoiceValue', /sum of Quantity × UnitPrice/)
    expectOnly({ PaymentMethodId: 2, invoiceValue: 10, InvoiceItems: items }, 'invoiceValue', /sum/)
    expect(accept({ ...BASE, InvoiceItems: [] }).items).toEqual([])
  })

  it('reports only the bad item, not a sum mismatch caused by leaving it out', () => {
    const items = [
      { ItemName: 'A', Quantity: 1, UnitPrice: 4 },
      { Quantity: 1, UnitPrice: 6 },
    ]
    expectOnly({ ...BASE, InvoiceItems: items }, 'InvoiceItems[1].ItemName', 'ItemName is required')
    expectOnly({ ...BASE, InvoiceItems: [items[0], 'not an item'] }, 'InvoiceItems[1]')
  })

  it('is a list of objects', () => {
    expectOnly({ ...BASE, InvoiceItems: item }, 'InvoiceItems', 'InvoiceItems must be a list')
    expectOnly({ ...BASE, InvoiceItems: Array.from({ length: 251 }, () => ({ ...item, UnitPrice: 0 })) }, 'InvoiceItems', /more than 250/)
  })
})

describe('ExecutePayment: shipping', () => {
  const consignee = { PersonName: 'Ali', Mobile: '55512345', LineAddress: 'Block 4', CityName: 'Salmiya', CountryCode: 'KWT' }

  it('ShippingMethod is 1 (DHL) or 2 (ARAMEX)', () => {
    expect(accept({ ...BASE, ShippingMethod: 1, ShippingConsignee: consignee }).shippingMethod).toBe(1)
    expect(accept({ ...BASE, ShippingMethod: '2', ShippingConsignee: consignee }).shippingMethod).toBe(2)
    for (const method of [0, 3, -1]) {
      expectOnly({ ...BASE, ShippingMethod: method, ShippingConsignee: consignee }, 'ShippingMethod', 'ShippingMethod must be 1 (DHL) or 2 (ARAMEX)')
    }
    expectOnly({ ...BASE, ShippingMethod: 'DHL', ShippingConsignee: consignee }, 'ShippingMethod', 'ShippingMethod must be a whole number')
  })

  it('ShippingConsignee is required with a ShippingMethod', () => {
    expectOnly({ ...BASE, ShippingMethod: 1 }, 'ShippingConsignee', 'ShippingConsignee is required')
    expectOnly({ ...BASE, ShippingMethod: 1, ShippingConsignee: null }, 'ShippingConsignee', 'ShippingConsignee is required')
    expectOnly({ ...BASE, ShippingMethod: 1, ShippingConsignee: 'Ali' }, 'ShippingConsignee', 'ShippingConsignee must be an object')
  })

  for (const field of ['PersonName', 'Mobile', 'LineAddress', 'CityName', 'CountryCode'] as const) {
    it(`ShippingConsignee.${field} is required`, () => {
      const { [field]: _removed, ...rest } = consignee
      expectOnly({ ...BASE, ShippingMethod: 1, ShippingConsignee: rest }, `ShippingConsignee.${field}`, `${field} is required`)
      expectOnly({ ...BASE, ShippingMethod: 1, shippingConsignee: { ...consignee, [field]: '' } }, `shippingConsignee.${field}`, `${field} is required`)
    })
  }

  it('checks the optional consignee fields', () => {
    expectOnly({ ...BASE, ShippingMethod: 1, ShippingConsignee: { ...consignee, EmailAddress: 'x' } }, 'ShippingConsignee.EmailAddress', /valid email/)
    expectOnly({ ...BASE, ShippingMethod: 1, ShippingConsignee: { ...consignee, CountryCode: 'KUWAIT' } }, 'ShippingConsignee.CountryCode')
  })
})

describe('ExecutePayment: Suppliers', () => {
  it('shares must add up to InvoiceValue', () => {
    expectOnly(
      { ...BASE, Suppliers: [{ SupplierCode: 1, InvoiceShare: 6 }, { SupplierCode: 2, InvoiceShare: 3 }] },
      'Suppliers',
      'The sum of the suppliers InvoiceShare must equal InvoiceValue',
    )
  })

  it('each supplier needs a code and a positive InvoiceShare', () => {
    expectOnly({ ...BASE, Suppliers: [{ InvoiceShare: 10 }] }, 'Suppliers[0].SupplierCode', 'SupplierCode is required')
    expectOnly({ ...BASE, Suppliers: [{ SupplierCode: 'x', InvoiceShare: 10 }] }, 'Suppliers[0].SupplierCode', 'SupplierCode must be a whole number')
    expectOnly({ ...BASE, Suppliers: [{ SupplierCode: 1 }] }, 'Suppliers[0].InvoiceShare', 'InvoiceShare is required')
    expectOnly({ ...BASE, Suppliers: [{ SupplierCode: 1, InvoiceShare: 0 }] }, 'Suppliers[0].InvoiceShare', 'InvoiceShare must be more than 0')
    expectOnly({ ...BASE, Suppliers: [{ SupplierCode: 1, InvoiceShare: -10 }] }, 'Suppliers[0].InvoiceShare', 'InvoiceShare must be more than 0')
  })

  it('ProposedShare is between 0 and InvoiceShare', () => {
    expect(accept({ ...BASE, Suppliers: [{ SupplierCode: 1, InvoiceShare: 10, ProposedShare: 0 }] }).suppliers[0]?.proposedShareMinor).toBe(0)
    expect(accept({ ...BASE, Suppliers: [{ SupplierCode: 1, InvoiceShare: 10, ProposedShare: 10 }] }).suppliers[0]?.proposedShareMinor).toBe(10_000)
    expectOnly({ ...BASE, Suppliers: [{ SupplierCode: 1, InvoiceShare: 10, ProposedShare: 10.001 }] }, 'Suppliers[0].ProposedShare', 'ProposedShare must be between 0 and InvoiceShare')
    expectOnly({ ...BASE, Suppliers: [{ SupplierCode: 1, InvoiceShare: 10, ProposedShare: -1 }] }, 'Suppliers[0].ProposedShare', 'ProposedShare must be between 0 and InvoiceShare')
  })

  it('each SupplierCode appears once', () => {
    expectOnly(
      { ...BASE, Suppliers: [{ SupplierCode: 1, InvoiceShare: 5 }, { supplierCode: '1', invoiceShare: 5 }] },
      'Suppliers',
      'Each SupplierCode may appear only once',
    )
  })

  it('reports only the bad supplier, not a sum mismatch caused by leaving it out', () => {
    expectOnly({ ...BASE, Suppliers: [{ SupplierCode: 1, InvoiceShare: 5 }, { InvoiceShare: 5 }] }, 'Suppliers[1].SupplierCode', 'SupplierCode is required')
  })
})

describe('ExecutePayment: RecurringModel', () => {
  const custom = { RecurringType: 'Custom', IntervalDays: 30, Iteration: 12, RetryCount: 3 }

  it('RecurringType is required and one of Custom, Daily, Weekly, Monthly', () => {
    for (const type of ['Custom', 'daily', 'WEEKLY', 'Monthly']) {
      expect(accept({ ...BASE, RecurringModel: { ...custom, RecurringType: type } }).recurring?.recurringType.toLowerCase()).toBe(type.toLowerCase())
    }
    expectOnly({ ...BASE, RecurringModel: { ...custom, RecurringType: 'Yearly' } }, 'RecurringModel.RecurringType', 'RecurringType must be one of: Custom, Daily, Weekly, Monthly')
    expectOnly({ ...BASE, RecurringModel: { Iteration: 1 } }, 'RecurringModel.RecurringType', 'RecurringType is required')
    expectOnly({ ...BASE, RecurringModel: {} }, 'RecurringModel.RecurringType', 'RecurringType is required')
    expectOnly({ ...BASE, RecurringModel: 'Daily' }, 'RecurringModel', 'RecurringModel must be an object')
  })

  it('IntervalDays is required for Custom and between 1 and 180', () => {
    expect(accept({ ...BASE, RecurringModel: { ...custom, IntervalDays: 1 } }).recurring?.intervalDays).toBe(1)
    expect(accept({ ...BASE, RecurringModel: { ...custom, IntervalDays: '180' } }).recurring?.intervalDays).toBe(180)
    expectOnly({ ...BASE, RecurringModel: { ...custom, IntervalDays: null } }, 'RecurringModel.IntervalDays', 'IntervalDays is required')
    expectOnly({ ...BASE, RecurringModel: { RecurringType: 'Custom' } }, 'RecurringModel.IntervalDays', 'IntervalDays is required')
    for (const days of [0, 181, -1]) {
      expectOnly({ ...BASE, RecurringModel: { ...custom, IntervalDays: days } }, 'RecurringModel.IntervalDays', 'IntervalDays must be between 1 and 180')
    }
    expectOnly({ ...BASE, RecurringModel: { ...custom, IntervalDays: 1.5 } }, 'RecurringModel.IntervalDays', 'IntervalDays must be a whole number')
  })

  it('IntervalDays is ignored for other types', () => {
    for (const type of ['Daily', 'Weekly', 'Monthly']) {
      for (const days of [null, 0, 500, 'x', 30]) {
        expect(accept({ ...BASE, RecurringModel: { RecurringType: type, IntervalDays: days } }).recurring?.intervalDays).toBeNull()
      }
    }
  })

  it('Iteration is at least 0 (0 = until cancelled) and defaults to 0', () => {
    expect(accept({ ...BASE, RecurringModel: { ...custom, Iteration: 0 } }).recurring?.iteration).toBe(0)
    expect(accept({ ...BASE, RecurringModel: { RecurringType: 'Daily' } }).recurring).toEqual({ recurringType: 'Daily', intervalDays: null, iteration: 0, retryCount: 0 })
    expectOnly({ ...BASE, RecurringModel: { ...custom, Iteration: -1 } }, 'RecurringModel.Iteration', /Iteration must be between 0 and/)
    expectOnly({ ...BASE, RecurringModel: { ...custom, Iteration: 'twelve' } }, 'RecurringModel.Iteration', 'Iteration must be a whole number')
  })

  it('RetryCount is between 0 and 5', () => {
    for (const count of [0, 5, '2']) expect(accept({ ...BASE, RecurringModel: { ...custom, RetryCount: count } }).recurring?.retryCount).toBe(Number(count))
    for (const count of [-1, 6]) {
      expectOnly({ ...BASE, RecurringModel: { ...custom, RetryCount: count } }, 'RecurringModel.RetryCount', 'RetryCount must be between 0 and 5')
    }
  })

  it('needs recurring enabled for the merchant', () => {
    expectOnly({ ...BASE, RecurringModel: custom }, 'RecurringModel', 'Recurring payments are not enabled for this account', { recurringEnabled: false })
    expectOnly({ ...BASE, recurringModel: custom }, 'recurringModel', /not enabled/, { recurringEnabled: false })
    expect(accept(BASE, { recurringEnabled: false }).recurring).toBeNull()
  })

  it('needs a card payment method: KNET cannot recur', () => {
    expectOnly({ InvoiceValue: 10, PaymentMethodId: 1, RecurringModel: custom }, 'RecurringModel', /KNET cannot recur/)
    for (const id of [2, 9, 20]) expect(accept({ InvoiceValue: 10, PaymentMethodId: id, RecurringModel: custom }).recurring).not.toBeNull()
    expect(accept({ InvoiceValue: 10, SessionId: SESSION_ID, RecurringModel: custom }).recurring).not.toBeNull()
  })
})

describe('ExecutePayment: ProcessingDetails', () => {
  it('Bypass3DS needs the feature enabled', () => {
    expectOnly({ ...BASE, ProcessingDetails: { Bypass3DS: true } }, 'ProcessingDetails.Bypass3DS', 'Bypass3DS is not enabled for this account')
    expectOnly({ ...BASE, processingDetails: { bypass3DS: 'true' } }, 'processingDetails.bypass3DS', /not enabled/)
    expect(accept({ ...BASE, ProcessingDetails: { Bypass3DS: true } }, { bypass3dsEnabled: true }).bypass3ds).toBe(true)
    expect(accept({ ...BASE, ProcessingDetails: { Bypass3DS: false } }).bypass3ds).toBe(false)
  })

  it('authorise-only (AutoCapture false) is refused', () => {
    expect(accept({ ...BASE, ProcessingDetails: { AutoCapture: true } }).autoCapture).toBe(true)
    expectOnly({ ...BASE, ProcessingDetails: { AutoCapture: false } }, 'ProcessingDetails.AutoCapture', /not enabled/)
  })

  it('flags must be booleans', () => {
    expectOnly({ ...BASE, ProcessingDetails: { AutoCapture: 'yes' } }, 'ProcessingDetails.AutoCapture', 'AutoCapture must be true or false')
    expectOnly({ ...BASE, ProcessingDetails: true }, 'ProcessingDetails', 'ProcessingDetails must be an object')
  })
})

describe('ExecutePayment: robustness', () => {
  const KNOWN_FIELDS = [
    'InvoiceValue', 'PaymentMethodId', 'SessionId', 'CustomerName', 'DisplayCurrencyIso', 'MobileCountryCode',
    'CustomerMobile', 'CustomerEmail', 'CallBackUrl', 'ErrorUrl', 'Language', 'CustomerReference', 'CustomerCivilId',
    'UserDefinedField', 'CustomerAddress', 'ExpiryDate', 'InvoiceItems', 'ShippingMethod', 'ShippingConsignee',
    'Suppliers', 'RecurringModel', 'ProcessingDetails', 'WebhookUrl',
  ]

  /** Plain checks rather than expect(): these run thousands of times. */
  function checkOutcome(result: ReturnType<typeof parse>): boolean {
    if (result.ok) return result.command.invoiceValueMinor > 0
    return (
      result.errors.length > 0 &&
      result.errors.every((error) => typeof error.Name === 'string' && error.Name.length > 0 && typeof error.Error === 'string' && error.Error.length > 0)
    )
  }

  it('never throws on an arbitrary JSON body', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (body, production) => checkOutcome(parse(body, { production }))),
      { numRuns: 300 },
    )
  }, 30_000)

  it('never throws when the known fields hold arbitrary JSON values', () => {
    const anyValue = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom('', ' ', '0', '-1', '2.5', '1e3', 'Custom', SESSION_ID, 'http://localhost/', '2030-01-01'),
      fc.array(fc.dictionary(fc.constantFrom('ItemName', 'Quantity', 'UnitPrice', 'Weight', 'SupplierCode', 'InvoiceShare', 'ProposedShare'), fc.jsonValue({ maxDepth: 1 }))),
      fc.dictionary(fc.constantFrom('RecurringType', 'IntervalDays', 'Iteration', 'RetryCount', 'Bypass3DS', 'AutoCapture', 'PersonName'), fc.jsonValue({ maxDepth: 1 })),
    )
    const body = fc.dictionary(fc.constantFrom(...KNOWN_FIELDS, ...KNOWN_FIELDS.map((f) => f.toLowerCase())), anyValue)
    fc.assert(
      fc.property(body, fc.boolean(), fc.boolean(), (raw, production, recurringEnabled) =>
        checkOutcome(parse(raw, { production, recurringEnabled })),
      ),
      { numRuns: 400 },
    )
  }, 30_000)

  it('binds keys in any letter case to the same command', () => {
    const body = {
      PaymentMethodId: 2,
      InvoiceValue: '12.500',
      CustomerMobile: '55512345',
      Language: 'AR',
      RecurringModel: { RecurringType: 'Custom', IntervalDays: 7, Iteration: 2, RetryCount: 1 },
      InvoiceItems: [{ ItemName: 'A', Quantity: 5, UnitPrice: 2.5 }],
    }
    const expected = accept(body)
    const recase = (value: unknown, flips: readonly boolean[]): unknown => {
      if (Array.isArray(value)) return value.map((element) => recase(element, flips))
      if (typeof value !== 'object' || value === null) return value
      return Object.fromEntries(
        Object.entries(value).map(([key, inner]) => [
          [...key].map((ch, i) => (flips[i % flips.length] ? ch.toUpperCase() : ch.toLowerCase())).join(''),
          recase(inner, flips),
        ]),
      )
    }
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (flips) => {
        expect(accept(recase(body, flips))).toEqual(expected)
      }),
    )
  })
})
