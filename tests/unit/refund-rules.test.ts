import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { fromInvoiceId, fromRefundId, makePublicIdKeys, MAX_INTERNAL_ID, toInvoiceId, toRefundId } from '../../src/domain/public-ids.js'
import { topLevelNumberText } from '../../src/domain/raw-json.js'
import {
  customerRefundMinor,
  REFUND_STATUSES,
  refundableMinor,
  refundAmountRefusal,
  refundNumberOfReference,
  refundReference,
  type CountedRefund,
} from '../../src/domain/refund.js'
import { buildV1RefundEvent, buildV2RefundEvent } from '../../src/webhooks/envelopes.js'
import { signatureStringForBody, signatureStringV1, signatureStringV2, signWebhook, signWebhookBody } from '../../src/webhooks/signature.js'
import type { RefundFacts, WebhookContext } from '../../src/webhooks/webhook-facts.js'

const KEYS = makePublicIdKeys('0123456789abcdef0123456789abcdef')
const refund = fc.record({ amountMinor: fc.integer({ min: 1, max: 1_000_000 }), status: fc.constantFrom(...REFUND_STATUSES) })
const refunds = fc.array(refund, { maxLength: 8 })

describe('refundableMinor', () => {
  it('is the captured amount minus every refund that is not Canceled, never below 0', () => {
    expect(refundableMinor(10_000, [])).toBe(10_000)
    expect(refundableMinor(10_000, [{ amountMinor: 2_500, status: 'Refunded' }, { amountMinor: 1_000, status: 'Pending' }])).toBe(6_500)
    expect(refundableMinor(10_000, [{ amountMinor: 10_000, status: 'Canceled' }])).toBe(10_000)
    expect(refundableMinor(10_000, [{ amountMinor: 10_000, status: 'Refunded' }])).toBe(0)
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5_000_000 }), refunds, (captured, list) => {
        const left = refundableMinor(captured, list)
        const counted = list.filter((r) => r.status !== 'Canceled').reduce((sum, r) => sum + r.amountMinor, 0)
        expect(left).toBe(Math.max(0, captured - counted))
        expect(Number.isSafeInteger(left)).toBe(true)
      }),
    )
  })

  it('refuses amounts that are not integers of minor units', () => {
    expect(() => refundableMinor(1.5, [])).toThrow(RangeError)
    expect(() => refundableMinor(100, [{ amountMinor: -1, status: 'Refunded' }])).toThrow(RangeError)
  })
})

describe('refundAmountRefusal', () => {
  it('allows partial and repeated refunds up to the captured amount, and never beyond', () => {
    const done: CountedRefund[] = []
    expect(refundAmountRefusal(10_000, done, 3_000)).toBeUndefined()
    done.push({ amountMinor: 3_000, status: 'Refunded' })
    expect(refundAmountRefusal(10_000, done, 7_001)).toBe('exceeds-refundable')
    expect(refundAmountRefusal(10_000, done, 7_000)).toBeUndefined()
    done.push({ amountMinor: 7_000, status: 'Refunded' })
    expect(refundAmountRefusal(10_000, done, 1)).toBe('fully-refunded')
  })

  it('refuses while another refund is Pending, and for amounts that are not positive', () => {
    expect(refundAmountRefusal(10_000, [{ amountMinor: 1, status: 'Pending' }], 1)).toBe('under-processing')
    expect(refundAmountRefusal(10_000, [], 0)).toBe('not-positive')
    expect(refundAmountRefusal(10_000, [], -5)).toBe('not-positive')
    expect(refundAmountRefusal(10_000, [], 0.5)).toBe('not-positive')
  })

  it('a Canceled refund gives its amount back', () => {
    expect(refundAmountRefusal(10_000, [{ amountMinor: 10_000, status: 'Canceled' }], 10_000)).toBeUndefined()
  })

  it('whatever the sequence of accepted refunds, their sum never passes the captured amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.array(fc.tuple(fc.integer({ min: 1, max: 50_000 }), fc.boolean()), { maxLength: 30 }), (captured, asks) => {
        const accepted: CountedRefund[] = []
        for (const [amount, approved] of asks) {
          if (refundAmountRefusal(captured, accepted, amount) === undefined) accepted.push({ amountMinor: amount, status: approved ? 'Refunded' : 'Canceled' })
        }
        const refunded = accepted.filter((r) => r.status === 'Refunded').reduce((sum, r) => sum + r.amountMinor, 0)
        expect(refunded).toBeLessThanOrEqual(captured)
        expect(refundableMinor(captured, accepted)).toBe(captured - refunded)
      }),
    )
  })
})

describe('customerRefundMinor', () => {
  it('is the amount unless the customer bears the service charge', () => {
    expect(customerRefundMinor({ amountMinor: 3_000, capturedMinor: 10_000, serviceChargeMinor: 250, serviceChargeOnCustomer: false })).toBe(3_000)
    expect(customerRefundMinor({ amountMinor: 3_000, capturedMinor: 10_000, serviceChargeMinor: 0, serviceChargeOnCustomer: true })).toBe(3_000)
  })

  it('deducts the refunded share of the service charge, rounded half up in minor units', () => {
    // 250 × 3000 / 10000 = 75
    expect(customerRefundMinor({ amountMinor: 3_000, capturedMinor: 10_000, serviceChargeMinor: 250, serviceChargeOnCustomer: true })).toBe(2_925)
    // 5 × 1 / 2 = 2.5 → 3
    expect(customerRefundMinor({ amountMinor: 1, capturedMinor: 2, serviceChargeMinor: 5, serviceChargeOnCustomer: true })).toBe(0)
    // 1 × 1 / 3 = 0.33 → 0
    expect(customerRefundMinor({ amountMinor: 1, capturedMinor: 3, serviceChargeMinor: 1, serviceChargeOnCustomer: true })).toBe(1)
    // full refund: the whole charge
    expect(customerRefundMinor({ amountMinor: 10_000, capturedMinor: 10_000, serviceChargeMinor: 250, serviceChargeOnCustomer: true })).toBe(9_750)
  })

  it('stays an integer within [0, amount], also for the largest amounts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 ** 15 }), fc.integer({ min: 0, max: 10 ** 6 }), fc.double({ min: 0, max: 1, noNaN: true }), (captured, charge, share) => {
        const amount = Math.max(1, Math.floor(captured * share))
        const result = customerRefundMinor({ amountMinor: amount, capturedMinor: captured, serviceChargeMinor: charge, serviceChargeOnCustomer: true })
        expect(Number.isSafeInteger(result)).toBe(true)
        expect(result).toBeGreaterThanOrEqual(0)
        expect(result).toBeLessThanOrEqual(amount)
      }),
    )
  })
})

describe('RefundReference and RefundId', () => {
  it('RefundReference is the local year and the six-digit count of the merchant’s refunds, and names that number', () => {
    const createdAt = Date.UTC(2025, 11, 31, 22, 0) // 2026-01-01 01:00 in Kuwait
    expect(refundReference({ id: 5000, reference_number: 19, created_at: createdAt }, 'Asia/Kuwait')).toBe('2026000019')
    expect(refundNumberOfReference('2026000019')).toBe(19)
    expect(refundNumberOfReference('20261234567')).toBe(1_234_567)
    for (const bad of ['', '2026', '202600001', 'abc0000019', '2026000000']) expect(refundNumberOfReference(bad)).toBeUndefined()
  })

  it('RefundIds round-trip, are 10-digit integers, and never equal an InvoiceId', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_INTERNAL_ID }), (id) => {
        const refundId = toRefundId(id, KEYS)
        expect(fromRefundId(refundId, KEYS)).toBe(id)
        expect(String(refundId)).toMatch(/^\d{10}$/)
        expect(fromInvoiceId(refundId, KEYS)).toBeUndefined()
        expect(fromRefundId(toInvoiceId(id, KEYS), KEYS)).toBeUndefined()
      }),
    )
  })

  it('RefundIds of consecutive rows do not follow each other (a keyed permutation, not a counter)', () => {
    const ids = [1, 2, 3, 4, 5].map((id) => toRefundId(id, KEYS))
    const steps = ids.slice(1).map((id, i) => id - (ids[i] ?? 0))
    expect(new Set(steps).size).toBeGreaterThan(1)
    expect(toRefundId(1, KEYS)).not.toBe(toRefundId(1, makePublicIdKeys('another instance')))
  })
})

describe('topLevelNumberText', () => {
  it('reads a number beyond 2^53 as written', () => {
    const raw = '{"KeyType":"PaymentId","Key":100202312116138082,"Amount":1}'
    expect(String(JSON.parse(raw).Key)).not.toBe('100202312116138082')
    expect(topLevelNumberText(raw, 'Key')).toBe('100202312116138082')
  })

  it('matches names case-insensitively, skips nested values and strings, and ignores non-numbers', () => {
    expect(topLevelNumberText(' { "a" : {"key": 1, "b": [1, "}"]}, "s": "x\\"y", "KEY" : 12 } ', 'Key')).toBe('12')
    expect(topLevelNumberText('{"Key":"123"}', 'Key')).toBeUndefined()
    expect(topLevelNumberText('{"Key":null}', 'Key')).toBeUndefined()
    expect(topLevelNumberText('[1]', 'Key')).toBeUndefined()
    expect(topLevelNumberText('{"Other":1}', 'Key')).toBeUndefined()
    expect(topLevelNumberText('{"Key":-1.5e3}', 'Key')).toBe('-1.5e3')
  })

  it('agrees with JSON.parse on every safe integer key of random objects', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }).filter((name) => name !== '__proto__'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }), fc.nat(), (object, key) => {
        const body = { ...object, Key: key }
        const raw = JSON.stringify(body)
        const firstKey = Object.keys(body).find((name) => name.toLowerCase() === 'key')
        const value = firstKey === undefined ? undefined : (body as Record<string, unknown>)[firstKey]
        const text = topLevelNumberText(raw, 'Key')
        if (typeof value === 'number') expect(Number(text) === value).toBe(true)
        else expect(text).toBeUndefined()
      }),
    )
  })
})

describe('refund webhooks', () => {
  const SECRET = 'test-secret-key'

  it('reproduce the reference signatures of the documented samples (v1 without GatewayReference, v2 in fixed order)', () => {
    const v1Data = {
      RefundId: 2840,
      RefundReference: '2021000019',
      CreatedDate: '04032021210447',
      RefundStatus: 'REFUNDED',
      Amount: '40',
      Comments: 'Test Webhook',
      InvoiceId: 585757,
      GatewayReference: { PaymentId: 'p', AuthorizationId: 'a', ReferenceId: 'r', TransactionId: 't', RefundAmount: '40', Currency: 'KD', PaymentMethod: 'KNET' },
    }
    const v1Text = signatureStringV1(v1Data)
    expect(v1Text).toBe('Amount=40,Comments=Test Webhook,CreatedDate=04032021210447,InvoiceId=585757,RefundId=2840,RefundReference=2021000019,RefundStatus=REFUNDED')
    expect(signWebhook(v1Text, SECRET)).toBe('Eeh6qRCOrzFpyFX1jhGQv7nvVtGCnwDiP3Chf1bwM2I=')
    const v2Data = {
      Refund: { Id: 2840, Reference: '2021000019', Status: 'REFUNDED', CreationDate: '2026-01-12T08:29:58Z', Comment: 'Test Webhook', ExternalIdentifier: '' },
      Amount: { BaseCurrency: 'KWD', ValueInBaseCurrency: '40.000', DisplayCurrency: 'KWD', ValueInDisplayCurrency: '40.000' },
      ReferencedInvoice: { Id: '585757', Reference: '2021000120' },
    }
    const v2Text = signatureStringV2(2, v2Data)
    expect(v2Text).toBe('Refund.Id=2840,Refund.Status=REFUNDED,Amount.ValueInBaseCurrency=40.000,ReferencedInvoice.Id=585757')
    expect(signWebhook(v2Text, SECRET)).toBe('Te7KrlFdCKGzcjVJQCyF/+Y07s7g/n8yXd6ygN5cYC4=')
  })

  const facts: RefundFacts = {
    refund: { id: 2840, reference: '2021000019', status: 'REFUNDED', createdAt: Date.UTC(2021, 2, 4, 18, 4, 47), comment: null, externalIdentifier: 'order-1-r1' },
    invoice: { id: 585757, reference: '2021000120' },
    amount: { currency: 'KWD', valueMinor: 40_000, refundAmountMinor: 39_500 },
    payment: { paymentId: '07071234567890', transactionId: '12', authorizationId: null, referenceId: '604101000123', paymentMethod: 'VISA/MASTER' },
  }
  const ctx: WebhookContext = { countryIsoCode: 'KWT', timeZone: 'Asia/Kuwait', createdAt: Date.UTC(2021, 2, 4, 18, 10, 57), reference: 'WH-9' }

  it('v1 RefundStatusChanged carries the sample keys, amounts as text with decimals, and no nulls', () => {
    const body = buildV1RefundEvent(facts, ctx)
    expect(body).toMatchObject({ EventType: 2, Event: 'RefundStatusChanged', DateTime: '04032021211057', CountryIsoCode: 'KWT' })
    expect(Object.keys(body.Data).sort()).toEqual(['Amount', 'Comments', 'CreatedDate', 'GatewayReference', 'InvoiceId', 'RefundId', 'RefundReference', 'RefundStatus'])
    expect(body.Data).toMatchObject({ RefundId: 2840, CreatedDate: '04032021210447', RefundStatus: 'REFUNDED', Amount: '40.000', Comments: '', InvoiceId: 585757 })
    expect(body.Data.GatewayReference).toEqual({ PaymentId: '07071234567890', AuthorizationId: '', ReferenceId: '604101000123', TransactionId: '12', RefundAmount: '39.500', Currency: 'KD', PaymentMethod: 'VISA/MASTER' })
    expect(JSON.stringify(body)).not.toContain('null')
    expect(signatureStringForBody('v1', body)).toBe('Amount=40.000,Comments=,CreatedDate=04032021210447,InvoiceId=585757,RefundId=2840,RefundReference=2021000019,RefundStatus=REFUNDED')
  })

  it('v2 REFUND_STATUS_CHANGED signs its four fields, the amount as text that survives JSON parsing', () => {
    const body = buildV2RefundEvent({ ...facts, refund: { ...facts.refund, status: 'CANCELED' } }, ctx)
    expect(body.Event).toEqual({ Code: 2, Name: 'REFUND_STATUS_CHANGED', CountryIsoCode: 'KWT', CreationDate: '2021-03-04T18:10:57.000Z', Reference: 'WH-9' })
    const parsed = JSON.parse(JSON.stringify(body))
    expect(signatureStringForBody('v2', parsed)).toBe('Refund.Id=2840,Refund.Status=CANCELED,Amount.ValueInBaseCurrency=40.000,ReferencedInvoice.Id=585757')
    expect(signWebhookBody('v2', body, SECRET)).toBe(signWebhook(signatureStringForBody('v2', parsed), SECRET))
    expect(parsed.Data.Refund).toMatchObject({ ExternalIdentifier: 'order-1-r1', Comment: '' })
  })
})
