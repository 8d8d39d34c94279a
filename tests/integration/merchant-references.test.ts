import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'

const CARD = { Number: '5123450000000008', ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100', HolderName: 'Test Holder' }

// InvoiceReference, TrackId and RefundReference count each merchant's own rows (migration 0011):
// interleaving two merchants' payments must not show either one the other's volume.
for (const dialect of DIALECTS) {
  describe(`${dialect}: per-merchant references`, () => {
    let app: TestApp
    let a: string
    let b: string

    beforeAll(async () => {
      app = await startTestApp(dialect)
      a = (await app.createMerchant({ bypass3ds: true })).apiKey
      b = (await app.createMerchant({ bypass3ds: true })).apiKey
    })
    afterAll(async () => app.close())

    /** Pays a new invoice at once (DirectPayment, Bypass3DS); what GetPaymentStatus then shows. */
    async function paidInvoice(apiKey: string): Promise<{ reference: string; trackId: string; paymentId: string }> {
      const created = await app.call('POST', '/v2/ExecutePayment', apiKey, { PaymentMethodId: 9, InvoiceValue: 10 })
      expect(created.status).toBe(200)
      const paid = await app.call('POST', new URL(created.body.Data.PaymentURL).pathname, apiKey, { PaymentType: 'card', Bypass3DS: true, Card: CARD })
      expect(paid.body.Data?.Status, JSON.stringify(paid.body)).toBe('SUCCESS')
      const status = await app.call('POST', '/v2/GetPaymentStatus', apiKey, { Key: String(created.body.Data.InvoiceId), KeyType: 'InvoiceId' })
      const [transaction] = status.body.Data.InvoiceTransactions
      return { reference: status.body.Data.InvoiceReference, trackId: transaction.TrackId, paymentId: paid.body.Data.PaymentId }
    }
    const sequenceOf = (reference: string) => Number(reference.slice(4))
    const trackNumberOf = (trackId: string) => Number(trackId.split('_')[1])

    it('numbers invoices and transactions per merchant: A, B, A gives A consecutive numbers and B its first', async () => {
      const a1 = await paidInvoice(a)
      const b1 = await paidInvoice(b)
      const a2 = await paidInvoice(a)
      expect(sequenceOf(a1.reference)).toBe(1)
      expect(sequenceOf(b1.reference)).toBe(1)
      expect(sequenceOf(a2.reference)).toBe(2)
      expect(a1.reference).toMatch(/^\d{4}000001$/)
      expect(trackNumberOf(a1.trackId)).toBe(1)
      expect(trackNumberOf(b1.trackId)).toBe(1)
      expect(trackNumberOf(a2.trackId)).toBe(2)
      expect(a2.trackId).toMatch(/^\d{2}-\d{2}-\d{4}_0000002$/)
    })

    it('numbers refunds per merchant, and GetRefundStatus finds a refund by its reference for its merchant only', async () => {
      const refundOf = async (apiKey: string) => {
        const { paymentId } = await paidInvoice(apiKey)
        const refund = await app.call('POST', '/v2/MakeRefund', apiKey, { KeyType: 'PaymentId', Key: paymentId, Amount: 1 })
        expect(refund.status, JSON.stringify(refund.body)).toBe(200)
        return refund.body.Data.RefundReference as string
      }
      const refundA1 = await refundOf(a)
      const refundB1 = await refundOf(b)
      const refundA2 = await refundOf(a)
      expect([sequenceOf(refundA1), sequenceOf(refundB1), sequenceOf(refundA2)]).toEqual([1, 1, 2])
      const found = await app.call('POST', '/v2/GetRefundStatus', a, { KeyType: 'RefundReference', Key: refundA2 })
      expect(found.status).toBe(200)
      expect(found.body.Data.RefundStatusResult[0].RefundReference).toBe(refundA2)
      // B's first refund has the same reference text as A's first: each merchant finds its own.
      const foundByB = await app.call('POST', '/v2/GetRefundStatus', b, { KeyType: 'RefundReference', Key: refundB1 })
      const foundByA = await app.call('POST', '/v2/GetRefundStatus', a, { KeyType: 'RefundReference', Key: refundA1 })
      expect(foundByB.body.Data.RefundStatusResult[0].RefundId).not.toBe(foundByA.body.Data.RefundStatusResult[0].RefundId)
    })
  })
}
