import { createHmac } from 'node:crypto'

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import {
  SIGNATURE_HEADER,
  V2_SIGNED_FIELDS,
  VERSION_HEADER,
  signWebhook,
  signWebhookBody,
  signatureStringForBody,
  signatureStringV1,
  signatureStringV2,
  verifyWebhookSignature,
} from '../../src/webhooks/signature.js'
import type { V1RecurringEvent } from '../../src/webhooks/wire-shapes.js'

const SECRET = 'test-secret-key'

// Reference §7.3: the documented v1 recurring Data object.
const V1_RECURRING_DATA = {
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
}

// Reference §7.5: the documented signed text of that object.
const V1_RECURRING_STRING =
  'AuthorizationId=B68413,BaseCurrency=KWD,CreatedDate=04032021211555,InvoiceId=586170,' +
  'InvoiceReference=2021000184,InvoiceValueInBaseCurrency=456.75,NextPayDate=2021-04-07T00:00:00,' +
  'PaymentId=100202106359084366,RecurringId=RECUR287,RecurringStatus=Completed,ReferenceId=106310001097,' +
  'TrackId=04-03-2021_477336,TransactionStatus=SUCCESS'

const V2_RECURRING_STRING =
  'Recurring.Id=RECUR1218312623,Recurring.Status=ACTIVE,Recurring.InitialInvoiceId=5047674'
const V2_PAYMENT_STRING =
  'Invoice.Id=6409988,Invoice.Status=PAID,Transaction.Status=SUCCESS,' +
  'Transaction.PaymentId=07076409988323998875,Invoice.ExternalIdentifier=asdqwd-f13sdf-fasjkz'

// Reference §7.5 test vectors.
const VECTORS = [
  [V1_RECURRING_STRING, 'zGucGqpNeLYcwzu6LcB7HlsMT7HNZrafgSL8k2RTr/8='],
  [V2_RECURRING_STRING, 'x4CMZMLlbddzZqROlEnnte2fiNwWt2e2iEBdxhpzUR0='],
  [V2_PAYMENT_STRING, 'z0PP7PwjRfpiIU0XLFIp7vv1zx4ENLwSoh3oA9QcNJY='],
] as const

// Reference §7.4 sample Data of RECURRING_UPDATES.
const V2_RECURRING_DATA = {
  Recurring: {
    Id: 'RECUR1218312623',
    NextPayDate: '2025-02-09T21:00:00Z',
    Status: 'ACTIVE',
    InitialInvoiceId: '5047674',
  },
  Payment: {
    Invoice: { Id: '5105602', Status: 'PAID', Reference: '2025015455', UserDefinedField: '' },
    Transaction: { Id: '121797', Status: 'SUCCESS', PaymentId: '07075105602247796773' },
  },
}

const V2_PAYMENT_DATA = {
  Invoice: {
    Id: '6409988',
    Status: 'PAID',
    Reference: '2026000001',
    ExternalIdentifier: 'asdqwd-f13sdf-fasjkz',
    MetaData: null,
  },
  Transaction: { Id: '1', Status: 'SUCCESS', PaymentId: '07076409988323998875', Card: { Number: '512345xxxxxx0008' } },
  Customer: { Name: 'Anonymous', Mobile: '+965', Email: null },
  Suppliers: [],
}

describe('headers', () => {
  it('uses the documented header names', () => {
    expect(SIGNATURE_HEADER).toBe('MyFatoorah-Signature')
    expect(VERSION_HEADER).toBe('MyFatoorah-Webhook-Version')
  })
})

describe('signWebhook', () => {
  it.each(VECTORS)('matches the §7.5 test vector for %s', (text, signature) => {
    expect(signWebhook(text, SECRET)).toBe(signature)
  })

  it('is standard padded Base64 of a 32-byte digest', () => {
    const signature = signWebhook('anything', SECRET)
    expect(signature).toMatch(/^[A-Za-z0-9+/]{43}=$/)
    expect(Buffer.from(signature, 'base64')).toHaveLength(32)
  })

  it('uses the secret as UTF-8 text, never decoding it', () => {
    // A secret that happens to be valid Base64/hex must still be keyed by its text bytes.
    for (const secret of ['dGVzdA==', 'deadbeef', 'مفتاح-سري', '']) {
      const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update('a=1', 'utf8').digest('base64')
      expect(signWebhook('a=1', secret)).toBe(expected)
    }
  })
})

describe('signatureStringV1', () => {
  it('produces the documented string from the documented Data object', () => {
    expect(signatureStringV1(V1_RECURRING_DATA)).toBe(V1_RECURRING_STRING)
    expect(signWebhook(signatureStringV1(V1_RECURRING_DATA), SECRET)).toBe(VECTORS[0][1])
  })

  it('produces the documented refund string, leaving GatewayReference out', () => {
    const refund = {
      RefundId: 2840,
      RefundReference: '2021000019',
      CreatedDate: '04032021210447',
      RefundStatus: 'REFUNDED',
      Amount: 40,
      Comments: 'Test Webhook',
      InvoiceId: 585757,
      GatewayReference: { PaymentId: '100202106359084366', RefundAmount: 40 },
    }
    expect(signatureStringV1(refund)).toBe(
      'Amount=40,Comments=Test Webhook,CreatedDate=04032021210447,InvoiceId=585757,RefundId=2840,' +
        'RefundReference=2021000019,RefundStatus=REFUNDED',
    )
  })

  it('excludes KycFeedback, nested objects and arrays, even when KycFeedback is null', () => {
    const data = { SupplierCode: 7, KycFeedback: null, Nested: { A: 1 }, List: [1, 2], SupplierName: 'S' }
    expect(signatureStringV1(data)).toBe('SupplierCode=7,SupplierName=S')
  })

  it('renders null as empty, numbers as JSON text and strings verbatim', () => {
    const data = { CustomerEmail: null, InvoiceId: 586170, Value: 0.5, Neg: -3, Text: ' a,b=c ' }
    expect(signatureStringV1(data)).toBe('CustomerEmail=,InvoiceId=586170,Neg=-3,Text= a,b=c ,Value=0.5')
  })

  it('skips undefined properties, which JSON would not carry', () => {
    expect(signatureStringV1({ B: undefined, A: 'x' })).toBe('A=x')
  })

  it('sorts case-insensitively and breaks ties by byte order', () => {
    // Byte order alone would put `Banana` before `apple`.
    expect(signatureStringV1({ Banana: 1, apple: 2 })).toBe('apple=2,Banana=1')
    expect(signatureStringV1({ b: 3, a: 2, A: 1 })).toBe('A=1,a=2,b=3')
    // strcasecmp folds to lower case: `_` (0x5F) < `b` (0x62), although `B` (0x42) < `_` unfolded.
    expect(signatureStringV1({ aB: 2, a_: 1 })).toBe('a_=1,aB=2')
  })

  it('does not depend on the property order of Data', () => {
    const reversed = Object.fromEntries(Object.entries(V1_RECURRING_DATA).reverse())
    expect(signatureStringV1(reversed)).toBe(V1_RECURRING_STRING)
  })
})

describe('signatureStringV2', () => {
  it('has the exact per-event lists of §7.5', () => {
    expect(V2_SIGNED_FIELDS).toEqual({
      1: ['Invoice.Id', 'Invoice.Status', 'Transaction.Status', 'Transaction.PaymentId', 'Invoice.ExternalIdentifier'],
      2: ['Refund.Id', 'Refund.Status', 'Amount.ValueInBaseCurrency', 'ReferencedInvoice.Id'],
      3: ['Deposit.Reference', 'Deposit.ValueInBaseCurrency', 'Deposit.NumberOfTransactions'],
      4: ['Supplier.Code', 'KycDecision.Status'],
      5: ['Recurring.Id', 'Recurring.Status', 'Recurring.InitialInvoiceId'],
      6: [
        'Dispute.DisputeTransactionId',
        'Dispute.Status',
        'Invoice.Id',
        'Invoice.Status',
        'Transaction.Status',
        'Transaction.PaymentId',
        'Invoice.ExternalIdentifier',
      ],
      7: ['Supplier.Code', 'RequestStatus.Status'],
    })
  })

  it('reproduces the recurring vector from the §7.4 sample Data', () => {
    expect(signatureStringV2(5, V2_RECURRING_DATA)).toBe(V2_RECURRING_STRING)
    expect(signWebhook(signatureStringV2(5, V2_RECURRING_DATA), SECRET)).toBe(VECTORS[1][1])
  })

  it('reproduces the payment vector from a PAYMENT_STATUS_CHANGED Data', () => {
    expect(signatureStringV2(1, V2_PAYMENT_DATA)).toBe(V2_PAYMENT_STRING)
    expect(signWebhook(signatureStringV2(1, V2_PAYMENT_DATA), SECRET)).toBe(VECTORS[2][1])
  })

  it('signs missing and null values as empty, numbers as JSON text', () => {
    const data = { Invoice: { Id: 42, Status: null }, Transaction: null }
    expect(signatureStringV2(1, data)).toBe(
      'Invoice.Id=42,Invoice.Status=,Transaction.Status=,Transaction.PaymentId=,Invoice.ExternalIdentifier=',
    )
    expect(signatureStringV2(4, {})).toBe('Supplier.Code=,KycDecision.Status=')
  })

  it('rejects an event code without a list', () => {
    expect(() => signatureStringV2(8, {})).toThrow(RangeError)
  })
})

describe('signWebhookBody / verifyWebhookSignature', () => {
  const v1Body = {
    EventType: 5 as const,
    Event: 'RecurringStatusChanged' as const,
    DateTime: '04032021211615',
    CountryIsoCode: 'KWT',
    Data: V1_RECURRING_DATA,
  }
  const v2Body = {
    Event: { Code: 5, Name: 'RECURRING_UPDATES', CountryIsoCode: 'KWT', CreationDate: 'x', Reference: 'WH-19916' },
    Data: V2_RECURRING_DATA,
  }

  it('signs whole bodies of either version', () => {
    expect(signatureStringForBody('v1', v1Body)).toBe(V1_RECURRING_STRING)
    expect(signatureStringForBody('v2', v2Body)).toBe(V2_RECURRING_STRING)
    expect(verifyWebhookSignature('v1', v1Body, SECRET, VECTORS[0][1])).toBe(true)
    expect(verifyWebhookSignature('v2', v2Body, SECRET, VECTORS[1][1])).toBe(true)
    // Header values may arrive with surrounding whitespace.
    expect(verifyWebhookSignature('v2', v2Body, SECRET, ` ${VECTORS[1][1]} `)).toBe(true)
  })

  it('rejects wrong signatures, secrets, versions and shapes', () => {
    const good = VECTORS[0][1]
    expect(verifyWebhookSignature('v1', v1Body, 'other-secret', good)).toBe(false)
    expect(verifyWebhookSignature('v1', v1Body, SECRET, good.slice(0, -2))).toBe(false)
    expect(verifyWebhookSignature('v1', v1Body, SECRET, good.replace('z', 'y'))).toBe(false)
    expect(verifyWebhookSignature('v1', v1Body, SECRET, undefined)).toBe(false)
    expect(verifyWebhookSignature('v1', v1Body, SECRET, null)).toBe(false)
    expect(verifyWebhookSignature('v1', v1Body, SECRET, '')).toBe(false)
    expect(verifyWebhookSignature('v2', v1Body, SECRET, good)).toBe(false)
    expect(verifyWebhookSignature('v1', v2Body, SECRET, good)).toBe(false)
    expect(verifyWebhookSignature('v1', null, SECRET, good)).toBe(false)
    expect(verifyWebhookSignature('v1', 'text', SECRET, good)).toBe(false)
    expect(verifyWebhookSignature('v2', { Event: { Code: 9 }, Data: {} }, SECRET, good)).toBe(false)
  })

  it('refuses to sign a body under the other version', () => {
    expect(() => signatureStringForBody('v1', v2Body)).toThrow(TypeError)
    expect(() => signatureStringForBody('v2', v1Body)).toThrow(TypeError)
    expect(() => signatureStringForBody('v1', { EventType: 1, Data: [] })).toThrow(TypeError)
  })

  it('signs a typed body and refuses the wrong version for it', () => {
    const typed: V1RecurringEvent = {
      ...v1Body,
      Data: { ...V1_RECURRING_DATA, RecurringStatus: 'COMPLETED', TransactionStatus: 'SUCCESS' },
    }
    const expected = signWebhook(V1_RECURRING_STRING.replace('=Completed', '=COMPLETED'), SECRET)
    expect(signWebhookBody('v1', typed, SECRET)).toBe(expected)
    expect(() => signWebhookBody('v2', typed, SECRET)).toThrow(TypeError)
  })

  it('survives a JSON round trip', () => {
    const wire = JSON.parse(JSON.stringify(v1Body)) as unknown
    expect(verifyWebhookSignature('v1', wire, SECRET, VECTORS[0][1])).toBe(true)
  })
})

describe('properties', () => {
  // PascalCase ASCII keys, as MyFatoorah's; values are strings so that no two differ only by
  // null vs "" (which sign alike by design).
  const pascalKey = fc.stringMatching(/^[A-Z][A-Za-z]{0,11}$/)
  const v1Data = fc.dictionary(pascalKey, fc.string({ maxLength: 20 }), { minKeys: 1, maxKeys: 12 })

  it('v1 signing is deterministic and independent of property order', () => {
    fc.assert(
      fc.property(v1Data, fc.string(), (data, secret) => {
        const once = signWebhook(signatureStringV1(data), secret)
        const reversed = Object.fromEntries(Object.entries(data).reverse())
        expect(signWebhook(signatureStringV1(data), secret)).toBe(once)
        expect(signWebhook(signatureStringV1(reversed), secret)).toBe(once)
      }),
    )
  })

  it('changing any v1 field changes the signature', () => {
    fc.assert(
      fc.property(v1Data, fc.nat(), fc.string({ maxLength: 20 }), (data, pick, replacement) => {
        const keys = Object.keys(data)
        const key = keys[pick % keys.length] ?? ''
        fc.pre(data[key] !== replacement)
        const changed = { ...data, [key]: replacement }
        expect(signWebhook(signatureStringV1(changed), SECRET)).not.toBe(signWebhook(signatureStringV1(data), SECRET))
      }),
    )
  })

  it('changing any v2 signed field changes the signature; other fields do not', () => {
    const codes = Object.keys(V2_SIGNED_FIELDS).map(Number)
    fc.assert(
      fc.property(
        fc.constantFrom(...codes),
        fc.nat(),
        fc.array(fc.string({ maxLength: 12 }), { minLength: 7, maxLength: 7 }),
        fc.string({ maxLength: 12 }),
        (code, pick, values, replacement) => {
          const fields = V2_SIGNED_FIELDS[code] ?? []
          const build = (override?: { path: string; value: string }) => {
            const data: Record<string, Record<string, unknown>> = {}
            fields.forEach((path, i) => {
              const [group = '', leaf = ''] = path.split('.')
              data[group] ??= { Unsigned: 'same' }
              data[group][leaf] = override?.path === path ? override.value : values[i]
            })
            return data
          }
          const path = fields[pick % fields.length] ?? ''
          const original = build()
          fc.pre(values[fields.indexOf(path)] !== replacement)
          const before = signWebhook(signatureStringV2(code, original), SECRET)
          expect(signWebhook(signatureStringV2(code, build()), SECRET)).toBe(before)
          expect(signWebhook(signatureStringV2(code, build({ path, value: replacement })), SECRET)).not.toBe(before)
          const group = path.split('.')[0] ?? ''
          const unsignedChange = { ...original, [group]: { ...original[group], Unsigned: 'different' } }
          expect(signWebhook(signatureStringV2(code, unsignedChange), SECRET)).toBe(before)
        },
      ),
    )
  })
})
