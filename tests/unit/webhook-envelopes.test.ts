import { createHmac } from 'node:crypto'

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import {
  buildV1RecurringEvent,
  buildV1TransactionEvent,
  buildV2PaymentStatusEvent,
  buildV2RecurringEvent,
  formatUtcIso,
  formatUtcIsoSeconds,
} from '../../src/webhooks/envelopes.js'
import {
  INVOICE_STATUSES,
  RECURRING_STATUSES,
  WEBHOOK_TRANSACTION_STATUSES,
  WEBHOOK_VERSIONS,
  type PaymentFacts,
  type RecurringFacts,
  type WebhookContext,
} from '../../src/webhooks/webhook-facts.js'
import { signWebhookBody, signatureStringForBody, verifyWebhookSignature } from '../../src/webhooks/signature.js'

const SECRET = 'test-secret-key'
const DAY = 86_400_000

/** Epoch ms of a Kuwait (UTC+3, no DST) wall-clock time. */
const kuwait = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) =>
  Date.UTC(y, mo - 1, d, h - 3, mi, s, ms)

// ---------------------------------------------------------------------------------------------
// Independent re-implementation of §7.5, deliberately written differently from the module.
// ---------------------------------------------------------------------------------------------

function independentV1(data: Record<string, unknown>, secret: string): string {
  const pairs: string[] = []
  const keys = Object.keys(data).filter((k) => {
    const v = data[k]
    return !(typeof v === 'object' && v !== null)
  })
  keys.sort((a, b) => {
    const la = a.toLowerCase()
    const lb = b.toLowerCase()
    if (la !== lb) return la < lb ? -1 : 1
    return a < b ? -1 : a > b ? 1 : 0
  })
  for (const k of keys) {
    const v = data[k]
    pairs.push(k + '=' + (v === null ? '' : String(v)))
  }
  return createHmac('sha256', secret).update(pairs.join(',')).digest('base64')
}

function independentV2(code: 1 | 5, data: Record<string, unknown>, secret: string): string {
  const lists = {
    1: ['Invoice.Id', 'Invoice.Status', 'Transaction.Status', 'Transaction.PaymentId', 'Invoice.ExternalIdentifier'],
    5: ['Recurring.Id', 'Recurring.Status', 'Recurring.InitialInvoiceId'],
  }
  const text = lists[code]
    .map((path) => {
      const [group = '', leaf = ''] = path.split('.')
      const holder = data[group] as Record<string, unknown> | null | undefined
      const value = holder?.[leaf]
      return `${path}=${value === null || value === undefined ? '' : String(value)}`
    })
    .join(',')
  return createHmac('sha256', secret).update(text).digest('base64')
}

// ---------------------------------------------------------------------------------------------
// Facts reproducing the reference samples
// ---------------------------------------------------------------------------------------------

const KWT: Omit<WebhookContext, 'createdAt' | 'reference'> = { countryIsoCode: 'KWT', timeZone: 'Asia/Kuwait' }

/** A paid VISA/MASTER payment shaped like the §4.2 GetPaymentStatus sample. */
function paidPayment(overrides: Partial<PaymentFacts> = {}): PaymentFacts {
  return {
    invoice: {
      id: 6409988,
      reference: '2026007518',
      status: 'Paid',
      createdAt: kuwait(2026, 1, 10, 0, 15, 7, 293),
      expiresAt: kuwait(2026, 1, 13, 0, 15, 7, 293),
      userDefinedField: null,
      customerReference: 'order-1',
      externalIdentifier: 'asdqwd-f13sdf-fasjkz',
    },
    customer: { name: 'Anonymous', mobile: '+965', email: null },
    transaction: {
      id: '3250552',
      status: 'SUCCESS',
      paymentMethod: 'VISA/MASTER',
      paymentId: '07076409988323998875',
      referenceId: '601000325055',
      trackId: '10-01-2026_3250552',
      authorizationId: '831000',
      transactionDate: kuwait(2026, 1, 10, 0, 15, 33, 353),
      eci: '02',
      ipAddress: '192.0.2.10',
      country: 'Kuwait',
      errorCode: null,
      errorMessage: null,
      card: {
        nameOnCard: 'test',
        number: '512345xxxxxx0008',
        token: null,
        panHash: 'ab'.repeat(32),
        expiryMonth: '01',
        expiryYear: '39',
        brand: 'Mastercard',
        issuer: 'Test Bank',
        issuerCountry: 'KWT',
        fundingMethod: 'credit',
      },
    },
    amount: { currency: 'KWD', valueMinor: 1000, serviceChargeMinor: 101, serviceChargeVatMinor: 15 },
    ...overrides,
  }
}

// §7.3 v1 recurring sample: RECUR287 at 04/03/2021 21:16:15 Kuwait.
const V1_SAMPLE = {
  EventType: 5,
  Event: 'RecurringStatusChanged',
  DateTime: '04032021211615',
  CountryIsoCode: 'KWT',
  Data: {
    RecurringId: 'RECUR287',
    RecurringStatus: 'Completed',
    NextPayDate: '2021-04-07T00:00:00',
    InvoiceId: 586170,
    InvoiceReference: '2021000184',
    CreatedDate: '04032021211555',
    TransactionStatus: 'SUCCESS',
    ReferenceId: '106310001097',
    TrackId: '04-03-2021_477336',
    PaymentId: '100202106359084366',
    AuthorizationId: 'B68413',
    InvoiceValueInBaseCurrency: '456.75',
    BaseCurrency: 'KWD',
  },
}

const v1SampleFacts: RecurringFacts = {
  recurring: { id: 'RECUR287', status: 'Completed', nextPayDate: kuwait(2021, 4, 7), initialInvoiceId: 580000 },
  payment: paidPayment({
    invoice: {
      ...paidPayment().invoice,
      id: 586170,
      reference: '2021000184',
      createdAt: kuwait(2021, 3, 4, 21, 15, 55),
    },
    transaction: {
      ...paidPayment().transaction,
      paymentMethod: 'KNET',
      referenceId: '106310001097',
      trackId: '04-03-2021_477336',
      paymentId: '100202106359084366',
      authorizationId: 'B68413',
      card: null,
    },
    amount: { currency: 'KWD', valueMinor: 456_750, serviceChargeMinor: 0, serviceChargeVatMinor: 0 },
  }),
}
const v1SampleCtx: WebhookContext = { ...KWT, createdAt: kuwait(2021, 3, 4, 21, 16, 15), reference: 'WH-1' }

// §7.4 v2 recurring sample.
const V2_SAMPLE = {
  Event: {
    Code: 5,
    Name: 'RECURRING_UPDATES',
    CountryIsoCode: 'KWT',
    CreationDate: '2025-02-09T01:16:11.9770000',
    Reference: 'WH-19916',
  },
  Data: {
    Recurring: {
      Id: 'RECUR1218312623',
      NextPayDate: '2025-02-09T21:00:00Z',
      Status: 'ACTIVE',
      InitialInvoiceId: '5047674',
    },
    Payment: {
      Invoice: {
        Id: '5105602',
        Status: 'PAID',
        Reference: '2025015455',
        CreationDate: '2025-02-09T01:16:10.6259466Z',
        ExpirationDate: '2025-02-10T01:16:10.6259466Z',
        UserDefinedField: '',
      },
      Transaction: {
        Id: '121797',
        Status: 'SUCCESS',
        PaymentMethod: 'VISA/MASTER',
        PaymentId: '07075105602247796773',
        ReferenceId: '504001121797',
        TrackId: '09-02-2025_2477967',
        AuthorizationId: '262890',
        TransactionDate: '2025-02-09T01:16:11.8837517Z',
      },
    },
  },
}

const v2SampleFacts: RecurringFacts = {
  recurring: {
    id: 'RECUR1218312623',
    status: 'Active',
    nextPayDate: kuwait(2025, 2, 10),
    initialInvoiceId: 5047674,
  },
  payment: paidPayment({
    invoice: {
      ...paidPayment().invoice,
      id: 5105602,
      reference: '2025015455',
      createdAt: Date.UTC(2025, 1, 9, 1, 16, 10, 625),
      expiresAt: Date.UTC(2025, 1, 9, 1, 16, 10, 625) + DAY,
      userDefinedField: '',
    },
    transaction: {
      ...paidPayment().transaction,
      id: '121797',
      paymentId: '07075105602247796773',
      referenceId: '504001121797',
      trackId: '09-02-2025_2477967',
      authorizationId: '262890',
      transactionDate: Date.UTC(2025, 1, 9, 1, 16, 11, 883),
    },
  }),
}
const v2SampleCtx: WebhookContext = { ...KWT, createdAt: Date.UTC(2025, 1, 9, 1, 16, 11, 977), reference: 'WH-19916' }

/** MyFatoorah's 7-digit fractions, cut to our 3 digits and given the `Z` it sometimes omits. */
const toMillisIso = (text: string) => text.replace(/(\.\d{3})\d*Z?$/, '$1Z')

/** Every leaf of a v1 Data must be a string, a number or null (reference §11). */
function expectFlatV1(data: Record<string, unknown>) {
  for (const [key, value] of Object.entries(data)) {
    expect(value === null || typeof value === 'string' || typeof value === 'number', key).toBe(true)
  }
}

// ---------------------------------------------------------------------------------------------

describe('constants', () => {
  it('lists both versions and the status vocabularies', () => {
    expect(WEBHOOK_VERSIONS).toEqual(['v1', 'v2'])
    expect(INVOICE_STATUSES).toEqual(['Pending', 'Paid', 'Canceled'])
    expect(WEBHOOK_TRANSACTION_STATUSES).toEqual(['SUCCESS', 'FAILED', 'CANCELED', 'AUTHORIZE', 'INPROGRESS'])
    expect(RECURRING_STATUSES).toEqual(['Draft', 'Active', 'Completed', 'Uncompleted', 'Canceled'])
  })

  it('formats UTC instants consistently', () => {
    expect(formatUtcIso(Date.UTC(2025, 1, 9, 1, 16, 11, 977))).toBe('2025-02-09T01:16:11.977Z')
    expect(formatUtcIsoSeconds(kuwait(2025, 2, 10))).toBe('2025-02-09T21:00:00Z')
  })
})

describe('buildV1RecurringEvent', () => {
  const body = buildV1RecurringEvent(v1SampleFacts, v1SampleCtx)

  it('reproduces the §7.3 sample field by field', () => {
    expect(Object.keys(body)).toEqual(Object.keys(V1_SAMPLE))
    expect(Object.keys(body.Data)).toEqual(Object.keys(V1_SAMPLE.Data))
    expect(body.EventType).toBe(5)
    expect(body.Event).toBe('RecurringStatusChanged')
    expect(body.DateTime).toBe(V1_SAMPLE.DateTime)
    expect(body.CountryIsoCode).toBe('KWT')
    // Two documented choices differ from this old sample: UPPER status (2024 sample) and
    // amounts with the currency's decimals (same number).
    expect(body.Data).toEqual({
      ...V1_SAMPLE.Data,
      RecurringStatus: 'COMPLETED',
      InvoiceValueInBaseCurrency: '456.750',
    })
    expect(Number(body.Data.InvoiceValueInBaseCurrency)).toBe(Number(V1_SAMPLE.Data.InvoiceValueInBaseCurrency))
  })

  it('signs like the documented example once the sample values are put back', () => {
    const asSample = {
      ...body,
      Data: { ...body.Data, RecurringStatus: 'Completed', InvoiceValueInBaseCurrency: '456.75' },
    }
    expect(signatureStringForBody('v1', asSample)).toBe(
      'AuthorizationId=B68413,BaseCurrency=KWD,CreatedDate=04032021211555,InvoiceId=586170,' +
        'InvoiceReference=2021000184,InvoiceValueInBaseCurrency=456.75,NextPayDate=2021-04-07T00:00:00,' +
        'PaymentId=100202106359084366,RecurringId=RECUR287,RecurringStatus=Completed,ReferenceId=106310001097,' +
        'TrackId=04-03-2021_477336,TransactionStatus=SUCCESS',
    )
  })

  it('has a signature the independent implementation agrees with', () => {
    const signature = signWebhookBody('v1', body, SECRET)
    expect(signature).toBe(independentV1(body.Data, SECRET))
    expect(verifyWebhookSignature('v1', JSON.parse(JSON.stringify(body)), SECRET, signature)).toBe(true)
  })

  it('keeps Data flat and uses nulls when there is no deduction attempt', () => {
    expectFlatV1(body.Data)
    const empty = buildV1RecurringEvent(
      { recurring: { id: 'RECUR9', status: 'Canceled', nextPayDate: null, initialInvoiceId: 1 }, payment: null },
      v1SampleCtx,
    )
    expectFlatV1(empty.Data)
    expect(empty.Data).toEqual({
      RecurringId: 'RECUR9',
      RecurringStatus: 'CANCELED',
      NextPayDate: null,
      InvoiceId: null,
      InvoiceReference: null,
      CreatedDate: null,
      TransactionStatus: null,
      ReferenceId: null,
      TrackId: null,
      PaymentId: null,
      AuthorizationId: null,
      InvoiceValueInBaseCurrency: null,
      BaseCurrency: null,
    })
    expect(signWebhookBody('v1', empty, SECRET)).toBe(independentV1(empty.Data, SECRET))
  })

  it('upper-cases every recurring status', () => {
    for (const status of RECURRING_STATUSES) {
      const facts = { ...v1SampleFacts, recurring: { ...v1SampleFacts.recurring, status } }
      const event = buildV1RecurringEvent(facts, v1SampleCtx)
      expect(event.Data.RecurringStatus).toBe(status.toUpperCase())
    }
  })
})

describe('buildV1TransactionEvent', () => {
  const ctx: WebhookContext = { ...KWT, createdAt: kuwait(2026, 1, 10, 0, 15, 40), reference: 'WH-2' }
  const body = buildV1TransactionEvent(paidPayment(), ctx)

  it('has the documented envelope and the twenty documented Data fields, in order', () => {
    expect(body).toMatchObject({ EventType: 1, Event: 'TransactionsStatusChanged', CountryIsoCode: 'KWT' })
    expect(body.DateTime).toBe('10012026001540')
    expect(Object.keys(body.Data)).toEqual([
      'InvoiceId',
      'InvoiceReference',
      'CreatedDate',
      'CustomerReference',
      'CustomerName',
      'CustomerMobile',
      'CustomerEmail',
      'TransactionStatus',
      'PaymentMethod',
      'UserDefinedField',
      'ReferenceId',
      'TrackId',
      'PaymentId',
      'AuthorizationId',
      'InvoiceValueInBaseCurrency',
      'BaseCurrency',
      'InvoiceValueInDisplayCurreny',
      'DisplayCurrency',
      'InvoiceValueInPayCurrency',
      'PayCurrency',
    ])
    expect(body.Data).not.toHaveProperty('InvoiceValueInDisplayCurrency')
  })

  it('renders values with the wire types: numeric InvoiceId, string amounts, nulls kept', () => {
    expect(body.Data).toEqual({
      InvoiceId: 6409988,
      InvoiceReference: '2026007518',
      CreatedDate: '10012026001507',
      CustomerReference: 'order-1',
      CustomerName: 'Anonymous',
      CustomerMobile: '+965',
      CustomerEmail: null,
      TransactionStatus: 'SUCCESS',
      PaymentMethod: 'VISA/MASTER',
      UserDefinedField: null,
      ReferenceId: '601000325055',
      TrackId: '10-01-2026_3250552',
      PaymentId: '07076409988323998875',
      AuthorizationId: '831000',
      InvoiceValueInBaseCurrency: '1.000',
      BaseCurrency: 'KWD',
      InvoiceValueInDisplayCurreny: '1.000',
      DisplayCurrency: 'KWD',
      InvoiceValueInPayCurrency: '1.000',
      PayCurrency: 'KWD',
    })
    expectFlatV1(body.Data)
  })

  it('prints display and pay amounts in their own currencies', () => {
    const facts = paidPayment({
      amount: {
        currency: 'KWD',
        valueMinor: 1000,
        displayCurrency: 'SAR',
        displayValueMinor: 1225,
        serviceChargeMinor: 0,
        serviceChargeVatMinor: 0,
      },
    })
    const data = buildV1TransactionEvent(facts, ctx).Data
    expect(data).toMatchObject({
      InvoiceValueInBaseCurrency: '1.000',
      InvoiceValueInDisplayCurreny: '12.25',
      DisplayCurrency: 'SAR',
      // Pay currency defaults to the display currency.
      InvoiceValueInPayCurrency: '12.25',
      PayCurrency: 'SAR',
    })
  })

  it('refuses a foreign display currency without its value', () => {
    const facts = paidPayment({
      amount: {
        currency: 'KWD',
        valueMinor: 1000,
        displayCurrency: 'SAR',
        serviceChargeMinor: 0,
        serviceChargeVatMinor: 0,
      },
    })
    expect(() => buildV1TransactionEvent(facts, ctx)).toThrow(TypeError)
  })

  it('has a signature the independent implementation agrees with', () => {
    const signature = signWebhookBody('v1', body, SECRET)
    expect(signature).toBe(independentV1(body.Data, SECRET))
    expect(verifyWebhookSignature('v1', JSON.parse(JSON.stringify(body)), SECRET, signature)).toBe(true)
  })
})

describe('buildV2RecurringEvent', () => {
  const body = buildV2RecurringEvent(v2SampleFacts, v2SampleCtx)

  it('reproduces the §7.4 sample field by field', () => {
    expect(Object.keys(body)).toEqual(['Event', 'Data'])
    expect(body.Event).toEqual({ ...V2_SAMPLE.Event, CreationDate: toMillisIso(V2_SAMPLE.Event.CreationDate) })
    expect(body.Event.CreationDate).toBe('2025-02-09T01:16:11.977Z')
    expect(body.Data.Recurring).toEqual(V2_SAMPLE.Data.Recurring)
    expect(Object.keys(body.Data)).toEqual(['Recurring', 'Payment'])
    const payment = body.Data.Payment
    expect(payment).not.toBeNull()
    if (!payment) return
    expect(payment.Invoice).toEqual({
      ...V2_SAMPLE.Data.Payment.Invoice,
      CreationDate: toMillisIso(V2_SAMPLE.Data.Payment.Invoice.CreationDate),
      ExpirationDate: toMillisIso(V2_SAMPLE.Data.Payment.Invoice.ExpirationDate),
    })
    const sampleTransaction = V2_SAMPLE.Data.Payment.Transaction
    expect(payment.Transaction).toMatchObject({
      ...sampleTransaction,
      TransactionDate: toMillisIso(sampleTransaction.TransactionDate),
    })
  })

  it('also emits the table fields the sample omits', () => {
    const payment = body.Data.Payment
    if (!payment) throw new Error('payment expected')
    expect(Object.keys(payment)).toEqual(['Invoice', 'Transaction', 'Amount'])
    expect(Object.keys(payment.Transaction)).toEqual([
      'Id',
      'Status',
      'PaymentMethod',
      'PaymentId',
      'ReferenceId',
      'TrackId',
      'AuthorizationId',
      'TransactionDate',
      'ECI',
      'IP',
      'Error',
      'Card',
    ])
    expect(payment.Transaction.IP).toEqual({ Address: '192.0.2.10', Country: 'Kuwait' })
    expect(payment.Transaction.Error).toEqual({ Code: null, Message: null })
    expect(payment.Transaction.Card).toEqual({ Number: '512345xxxxxx0008', Brand: 'Mastercard', Issuer: 'Test Bank' })
    expect(payment.Amount).toEqual({
      BaseCurrency: 'KWD',
      ValueInBaseCurrency: '1.000',
      ServiceCharge: '0.101',
      ServiceChargeVAT: '0.015',
      // Same arithmetic as the §4.2 sample's DueDeposit 0.884.
      ReceivableAmount: '0.884',
      DisplayCurrency: 'KWD',
      ValueInDisplayCurrency: '1.000',
      PayCurrency: 'KWD',
      ValueInPayCurrency: '1.000',
    })
  })

  it('signs to the §7.5 recurring vector, as the independent implementation does', () => {
    const signature = signWebhookBody('v2', body, SECRET)
    expect(signature).toBe('x4CMZMLlbddzZqROlEnnte2fiNwWt2e2iEBdxhpzUR0=')
    expect(independentV2(5, body.Data, SECRET)).toBe(signature)
    expect(verifyWebhookSignature('v2', JSON.parse(JSON.stringify(body)), SECRET, signature)).toBe(true)
  })

  it('sends Payment null and upper-case statuses when nothing was charged', () => {
    const draft = buildV2RecurringEvent(
      { recurring: { id: 'RECUR1', status: 'Draft', nextPayDate: null, initialInvoiceId: 77 }, payment: null },
      v2SampleCtx,
    )
    expect(draft.Data).toEqual({
      Recurring: { Id: 'RECUR1', NextPayDate: null, Status: 'DRAFT', InitialInvoiceId: '77' },
      Payment: null,
    })
    expect(signWebhookBody('v2', draft, SECRET)).toBe(independentV2(5, draft.Data, SECRET))
  })
})

describe('buildV2PaymentStatusEvent', () => {
  const ctx: WebhookContext = { ...KWT, createdAt: Date.UTC(2026, 0, 9, 21, 15, 34, 5), reference: 'WH-77' }
  const body = buildV2PaymentStatusEvent(paidPayment(), ctx)

  it('has the documented envelope', () => {
    expect(body.Event).toEqual({
      Code: 1,
      Name: 'PAYMENT_STATUS_CHANGED',
      CountryIsoCode: 'KWT',
      CreationDate: '2026-01-09T21:15:34.005Z',
      Reference: 'WH-77',
    })
  })

  it('has every field of the documented data model with wire casing', () => {
    const data = body.Data
    expect(Object.keys(data)).toEqual(['Invoice', 'Transaction', 'Customer', 'Amount', 'Suppliers'])
    expect(data.Invoice).toEqual({
      Id: '6409988',
      Status: 'PAID',
      Reference: '2026007518',
      CreationDate: '2026-01-09T21:15:07.293Z',
      ExpirationDate: '2026-01-12T21:15:07.293Z',
      UserDefinedField: null,
      ExternalIdentifier: 'asdqwd-f13sdf-fasjkz',
      MetaData: null,
    })
    expect(data.Transaction).toEqual({
      Id: '3250552',
      Status: 'SUCCESS',
      PaymentMethod: 'VISA/MASTER',
      PaymentId: '07076409988323998875',
      ReferenceId: '601000325055',
      TrackId: '10-01-2026_3250552',
      AuthorizationId: '831000',
      TransactionDate: '2026-01-09T21:15:33.353Z',
      ECI: '02',
      IP: { Address: '192.0.2.10', Country: 'Kuwait' },
      Error: { Code: null, Message: null },
      Card: {
        NameOnCard: 'test',
        Number: '512345xxxxxx0008',
        Token: null,
        PanHash: 'ab'.repeat(32),
        ExpiryMonth: '01',
        ExpiryYear: '39',
        Brand: 'Mastercard',
        Issuer: 'Test Bank',
        IssuerCountry: 'KWT',
        FundingMethod: 'credit',
      },
    })
    expect(data.Customer).toEqual({ Name: 'Anonymous', Mobile: '+965', Email: null })
    expect(Object.keys(data.Amount)).toEqual([
      'BaseCurrency',
      'ValueInBaseCurrency',
      'ServiceCharge',
      'ServiceChargeVAT',
      'ReceivableAmount',
      'DisplayCurrency',
      'ValueInDisplayCurrency',
      'PayCurrency',
      'ValueInPayCurrency',
    ])
    for (const value of Object.values(data.Amount)) expect(typeof value).toBe('string')
    expect(data.Suppliers).toEqual([])
  })

  it('signs to the §7.5 payment vector, as the independent implementation does', () => {
    const signature = signWebhookBody('v2', body, SECRET)
    expect(signature).toBe('z0PP7PwjRfpiIU0XLFIp7vv1zx4ENLwSoh3oA9QcNJY=')
    expect(independentV2(1, body.Data, SECRET)).toBe(signature)
    expect(verifyWebhookSignature('v2', JSON.parse(JSON.stringify(body)), SECRET, signature)).toBe(true)
  })

  it('renders a failed card-less attempt on a pending invoice', () => {
    const failed = paidPayment({
      invoice: { ...paidPayment().invoice, status: 'Pending', externalIdentifier: null },
      transaction: {
        ...paidPayment().transaction,
        status: 'FAILED',
        authorizationId: null,
        errorCode: 'MF002',
        errorMessage: 'Transaction not Captured!',
        card: null,
      },
    })
    const data = buildV2PaymentStatusEvent(failed, ctx).Data
    expect(data.Invoice.Status).toBe('PENDING')
    expect(data.Transaction).toMatchObject({
      Status: 'FAILED',
      AuthorizationId: null,
      Error: { Code: 'MF002', Message: 'Transaction not Captured!' },
      Card: null,
    })
    expect(signatureStringForBody('v2', { Event: { Code: 1 }, Data: data })).toBe(
      'Invoice.Id=6409988,Invoice.Status=PENDING,Transaction.Status=FAILED,' +
        'Transaction.PaymentId=07076409988323998875,Invoice.ExternalIdentifier=',
    )
  })
})

describe('properties', () => {
  const text = fc.option(fc.string({ maxLength: 16 }), { nil: null })
  const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) })
  const paymentFacts: fc.Arbitrary<PaymentFacts> = fc.record({
    invoice: fc.record({
      id: fc.integer({ min: 1, max: 2 ** 31 }),
      reference: fc.string({ maxLength: 12 }),
      status: fc.constantFrom(...INVOICE_STATUSES),
      createdAt: instant,
      expiresAt: instant,
      userDefinedField: text,
      customerReference: text,
      externalIdentifier: text,
    }),
    customer: fc.record({ name: text, mobile: text, email: text }),
    transaction: fc.record({
      id: fc.string({ maxLength: 8 }),
      status: fc.constantFrom(...WEBHOOK_TRANSACTION_STATUSES),
      paymentMethod: fc.constantFrom('KNET', 'VISA/MASTER', 'MADA'),
      paymentId: fc.stringMatching(/^\d{18,20}$/),
      referenceId: text,
      trackId: text,
      authorizationId: text,
      transactionDate: instant,
      eci: text,
      ipAddress: text,
      country: text,
      errorCode: text,
      errorMessage: text,
      card: fc.constant(null),
    }),
    amount: fc.record({
      currency: fc.constantFrom('KWD', 'SAR', 'BHD', 'EGP'),
      valueMinor: fc.integer({ min: 1, max: 10 ** 9 }),
      serviceChargeMinor: fc.integer({ min: 0, max: 1000 }),
      serviceChargeVatMinor: fc.integer({ min: 0, max: 100 }),
    }),
  })
  const recurringFacts: fc.Arbitrary<RecurringFacts> = fc.record({
    recurring: fc.record({
      id: fc.stringMatching(/^RECUR\d{1,10}$/),
      status: fc.constantFrom(...RECURRING_STATUSES),
      nextPayDate: fc.option(instant, { nil: null }),
      initialInvoiceId: fc.integer({ min: 1, max: 2 ** 31 }),
    }),
    payment: fc.option(paymentFacts, { nil: null }),
  })
  const ctx = fc.record({
    countryIsoCode: fc.constant('KWT' as const),
    timeZone: fc.constant('Asia/Kuwait'),
    createdAt: instant,
    reference: fc.stringMatching(/^WH-\d{1,8}$/),
  })

  it('every built body verifies after a JSON round trip and matches the independent signer', () => {
    fc.assert(
      fc.property(paymentFacts, recurringFacts, ctx, (payment, recurring, context) => {
        const v1Bodies = [buildV1TransactionEvent(payment, context), buildV1RecurringEvent(recurring, context)]
        for (const body of v1Bodies) {
          expectFlatV1(body.Data)
          const signature = signWebhookBody('v1', body, SECRET)
          expect(signature).toBe(independentV1(body.Data, SECRET))
          expect(verifyWebhookSignature('v1', JSON.parse(JSON.stringify(body)), SECRET, signature)).toBe(true)
        }
        const v2Payment = buildV2PaymentStatusEvent(payment, context)
        const v2Recurring = buildV2RecurringEvent(recurring, context)
        expect(signWebhookBody('v2', v2Payment, SECRET)).toBe(independentV2(1, v2Payment.Data, SECRET))
        expect(signWebhookBody('v2', v2Recurring, SECRET)).toBe(independentV2(5, v2Recurring.Data, SECRET))
        for (const body of [v2Payment, v2Recurring]) {
          const signature = signWebhookBody('v2', body, SECRET)
          expect(verifyWebhookSignature('v2', JSON.parse(JSON.stringify(body)), SECRET, signature)).toBe(true)
        }
      }),
    )
  })

  it('building is deterministic (no clock reads)', () => {
    fc.assert(
      fc.property(paymentFacts, recurringFacts, ctx, (payment, recurring, context) => {
        expect(buildV1TransactionEvent(payment, context)).toEqual(buildV1TransactionEvent(payment, context))
        expect(buildV2RecurringEvent(recurring, context)).toEqual(buildV2RecurringEvent(recurring, context))
      }),
    )
  })
})
