import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { recoverCustomerAttempts } from '../../src/charging/recover-customer-attempts.js'
import { attemptIdempotencyKey } from '../../src/domain/charge.js'
import { fromInvoiceId, fromPaymentId, toInvoiceId } from '../../src/domain/public-ids.js'
import { findAttempt, insertAttempts, listAttempts } from '../../src/store/charge-attempt.repository.js'
import { findMerchantById } from '../../src/store/merchant.repository.js'
import { listOutboxEvents } from '../../src/store/outbox.repository.js'
import { countApprovedCharges, listLedger } from '../../src/store/processor-ledger.repository.js'
import { insertRefund, listRefunds } from '../../src/store/refund.repository.js'
import { findTransactionById, listTransactions } from '../../src/store/transaction.repository.js'
import { countRows } from '../../src/store/table-inspection.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { openRecurringContext } from './recurring-fixtures.js'
import { insertTransaction as insertTransactionAsGiven, startReceiver, type Receiver } from './webhooks-receiver.js'

const GOOD_CARD = '5123450000000008'
/** Payments approved, refunds declined (docs/test-cards.md). */
const REFUND_DECLINED_CARD = '4000000000003055'
const card = (number: string) => ({ Number: number, ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100', HolderName: 'Test Holder' })

const UNKNOWN_KEY = 'No transaction exist matching this Key!'
const NO_DATA = 'No data match the provided values'

for (const dialect of DIALECTS) {
  describe(`${dialect}: refunds`, () => {
    let app: TestApp
    let key: string
    let merchantId: number
    let otherKey: string
    let receiver: Receiver
    let v1Receiver: Receiver
    let v1Key: string
    let v1MerchantId: number

    beforeAll(async () => {
      app = await startTestApp(dialect)
      receiver = await startReceiver()
      v1Receiver = await startReceiver()
      const main = await app.createMerchant({ bypass3ds: true, webhookUrl: receiver.url, webhookVersion: 'v2' })
      key = main.apiKey
      merchantId = main.merchant.id
      receiver.secret = main.merchant.webhookSecret
      const v1 = await app.createMerchant({ bypass3ds: true, webhookUrl: v1Receiver.url, webhookVersion: 'v1' })
      v1Key = v1.apiKey
      v1MerchantId = v1.merchant.id
      v1Receiver.secret = v1.merchant.webhookSecret
      otherKey = (await app.createMerchant({ bypass3ds: true })).apiKey
    })
    afterAll(async () => {
      await receiver?.close()
      await v1Receiver?.close()
      await app?.close()
    })

    /** An invoice paid at once over DirectPayment with Bypass3DS: its InvoiceId and PaymentId. */
    const paidInvoice = async (value: number | string = 10, number = GOOD_CARD, apiKey = key): Promise<{ InvoiceId: number; PaymentId: string }> => {
      const created = await app.call('POST', '/v2/ExecutePayment', apiKey, { PaymentMethodId: 9, InvoiceValue: value, CustomerReference: 'order-1' })
      expect(created.status, JSON.stringify(created.body)).toBe(200)
      const paid = await app.call('POST', new URL(created.body.Data.PaymentURL).pathname, apiKey, { PaymentType: 'card', Bypass3DS: true, Card: card(number) })
      expect(paid.status, JSON.stringify(paid.body)).toBe(200)
      expect(paid.body.Data.Status).toBe('SUCCESS')
      return { InvoiceId: created.body.Data.InvoiceId, PaymentId: paid.body.Data.PaymentId }
    }
    const makeRefund = (body: unknown, apiKey = key) => app.call('POST', '/v2/MakeRefund', apiKey, body)
    const refundStatus = (body: unknown, apiKey = key) => app.call('POST', '/v2/GetRefundStatus', apiKey, body)
    const expectRefused = (response: { status: number; body: any }, name: string, error: string | RegExp) => {
      expect(response.status, JSON.stringify(response.body)).toBe(400)
      expect(response.body).toMatchObject({ IsSuccess: false, Message: 'Invalid data', Data: null })
      expect(response.body.ValidationErrors).toEqual([{ Name: name, Error: typeof error === 'string' ? error : expect.stringMatching(error) }])
    }
    /** Delivers the merchant's due webhooks (the sandbox clock runs them). */
    const deliverWebhooks = async (apiKey: string, id: number) => {
      const merchant = await findMerchantById(app.deps.store.db, id)
      const until = new Date(Date.now() + (merchant?.clockOffsetMs ?? 0) + 60_000).toISOString()
      const advanced = await app.call('POST', '/v2/sandbox/AdvanceClock', apiKey, { Until: until })
      expect(advanced.status, JSON.stringify(advanced.body)).toBe(200)
    }
    const internalInvoice = (invoiceId: number) => fromInvoiceId(invoiceId, app.deps.ids) ?? -1
    /** The processor's refunds of an invoice's payment, from its own ledger. */
    const ledgerRefunds = async (invoiceId: number) => {
      const refunds = await listRefunds(app.deps.store.db, { invoiceId: internalInvoice(invoiceId) })
      const ledger = await listLedger(app.deps.store.db, { operation: 'refund' })
      const keys = new Set(refunds.map((r) => attemptIdempotencyKey(r.attempt_id)))
      return { refunds, ledger: ledger.filter((entry) => keys.has(entry.idempotency_key)) }
    }

    it('a full refund by InvoiceId is executed at once, recorded with the processor, and leaves the invoice Paid', async () => {
      const { InvoiceId, PaymentId } = await paidInvoice(10)
      const charges = await countApprovedCharges(app.deps.store.db, { merchantId })
      const response = await makeRefund({ KeyType: 'InvoiceId', Key: InvoiceId, Amount: 10, Comment: 'full refund', ExternalIdentifier: 'order-1-r1' })
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      expect(response.body).toMatchObject({ IsSuccess: true, ValidationErrors: null })
      const data = response.body.Data
      expect(data).toMatchObject({ Key: String(InvoiceId), RefundInvoiceId: InvoiceId, Amount: 10, Comment: 'full refund', RefundStatus: 'Refunded' })
      expect(Number.isInteger(data.RefundId)).toBe(true)
      expect(data.RefundReference).toMatch(/^20\d{2}\d{6,}$/)

      const status = await refundStatus({ KeyType: 'InvoiceId', Key: InvoiceId })
      expect(status.status).toBe(200)
      expect(status.body.Data.RefundStatusResult).toEqual([
        { RefundId: data.RefundId, RefundStatus: 'Refunded', InvoiceId, Amount: 10, RefundReference: data.RefundReference, RefundAmount: 10, ExternalIdentifier: 'order-1-r1', RRN: expect.stringMatching(/^\d{12}$/), BaseCurrency: 'KWD' },
      ])
      const { refunds, ledger } = await ledgerRefunds(InvoiceId)
      expect(ledger).toHaveLength(1)
      const transaction = await findTransactionById(app.deps.store.db, fromPaymentId(PaymentId, app.deps.ids) ?? -1)
      expect(ledger[0]).toMatchObject({ outcome: 'approved', amount_minor: 10_000, currency: 'KWD', operation: 'refund', refund_of: attemptIdempotencyKey(transaction?.attempt_id ?? -1) })
      expect(refunds[0]).toMatchObject({ status: 'Refunded', amount_minor: 10_000 })
      expect((await findAttempt(app.deps.store.db, refunds[0]?.attempt_id ?? -1))).toMatchObject({ kind: 'refund', status: 'approved' })
      // A refund is not a charge, and the invoice keeps its payment.
      expect(await countApprovedCharges(app.deps.store.db, { merchantId })).toBe(charges)
      const invoice = await app.call('POST', '/v2/GetPaymentStatus', key, { Key: InvoiceId, KeyType: 'InvoiceId' })
      expect(invoice.body.Data.InvoiceStatus).toBe('Paid')
      expect(invoice.body.Data.InvoiceTransactions).toHaveLength(1)
      expect(invoice.body.Data.InvoiceTransactions[0].TransactionStatus).toBe('Succss')
      expectRefused(await makeRefund({ KeyType: 'InvoiceId', Key: InvoiceId, Amount: 0.001 }), 'Amount', 'The payment has already been fully refunded')
    })

    it('partial refunds repeat by PaymentId and InvoiceId until the captured amount, and never beyond it', async () => {
      const { InvoiceId, PaymentId } = await paidInvoice('10.000')
      expect((await makeRefund({ KeyType: 'PaymentId', Key: PaymentId, Amount: 3 })).status).toBe(200)
      expect((await makeRefund({ keytype: 'invoiceid', key: String(InvoiceId), amount: '2.5' })).status).toBe(200)
      expectRefused(await makeRefund({ KeyType: 'PaymentId', Key: PaymentId, Amount: 4.501 }), 'Amount', 'Amount must not be more than what is left to refund: 4.500 KWD')
      const last = await makeRefund({ KeyType: 'paymentid', Key: PaymentId, Amount: 4.5 })
      expect(last.status, JSON.stringify(last.body)).toBe(200)
      expect(last.body.Data.Key).toBe(PaymentId)
      expectRefused(await makeRefund({ KeyType: 'InvoiceId', Key: InvoiceId, Amount: 0.001 }), 'Amount', 'The payment has already been fully refunded')

      const listed = (await refundStatus({ KeyType: 'InvoiceId', Key: String(InvoiceId) })).body.Data.RefundStatusResult
      expect(listed.map((r: any) => [r.Amount, r.RefundStatus])).toEqual([[3, 'Refunded'], [2.5, 'Refunded'], [4.5, 'Refunded']])
      const { refunds, ledger } = await ledgerRefunds(InvoiceId)
      expect(ledger.map((e) => e.amount_minor)).toEqual([3_000, 2_500, 4_500])
      expect(ledger.every((e) => e.outcome === 'approved')).toBe(true)
      expect(refunds.reduce((sum, r) => sum + r.amount_minor, 0)).toBe(10_000)
    })

    it('refunds racing for the last remainder: exactly one wins, the others get the 400', async () => {
      const { InvoiceId, PaymentId } = await paidInvoice(5)
      const responses = await Promise.all(
        [0, 1, 2, 3].map((i) => makeRefund(i % 2 === 0 ? { KeyType: 'InvoiceId', Key: InvoiceId, Amount: 3 } : { KeyType: 'PaymentId', Key: PaymentId, Amount: 3 })),
      )
      const won = responses.filter((r) => r.status === 200)
      expect(won, JSON.stringify(responses.map((r) => r.body))).toHaveLength(1)
      for (const lost of responses.filter((r) => r.status !== 200)) {
        expect(lost.status).toBe(400)
        expect(lost.body.ValidationErrors[0].Error).toMatch(/already under processing|not be more than what is left/)
      }
      const { refunds, ledger } = await ledgerRefunds(InvoiceId)
      expect(refunds).toHaveLength(1)
      expect(ledger).toHaveLength(1)
      expect(ledger[0]?.amount_minor).toBe(3_000)
      // The last 2.000 is still there for a refund of its own.
      expect((await makeRefund({ KeyType: 'InvoiceId', Key: InvoiceId, Amount: 2 })).status).toBe(200)
    })

    it('a renewal invoice is refunded by its own InvoiceId and PaymentId, and the recurrence is untouched', async () => {
      const recurring = await openRecurringContext(app)
      const recurringId = await recurring.createActive({ RecurringType: 'Daily', Iteration: 3 })
      await recurring.advance({ Days: 1 })
      const before = await recurring.get(recurringId)
      expect(before.ExecutedTimes).toBe(1)
      const attemptsBefore = await listAttempts(app.deps.store.db, { recurrenceId: recurring.internalId(recurringId) })
      const renewal = attemptsBefore.find((attempt) => attempt.kind === 'renewal' && attempt.status === 'approved')
      const renewalInvoiceId = toInvoiceId(renewal?.invoice_id ?? -1, app.deps.ids)
      expect(before.RecurringInvoices?.map((invoice) => invoice.InvoiceId)).toContain(renewalInvoiceId)
      const status = await app.call('POST', '/v2/GetPaymentStatus', recurring.apiKey, { Key: renewalInvoiceId, KeyType: 'InvoiceId' })
      expect(status.body.Data.InvoiceStatus).toBe('Paid')
      const paymentId = status.body.Data.InvoiceTransactions[0].PaymentId as string

      expect((await app.call('POST', '/v2/MakeRefund', recurring.apiKey, { KeyType: 'PaymentId', Key: paymentId, Amount: 4 })).status).toBe(200)
      const rest = await app.call('POST', '/v2/MakeRefund', recurring.apiKey, { KeyType: 'InvoiceId', Key: renewalInvoiceId, Amount: 6 })
      expect(rest.status, JSON.stringify(rest.body)).toBe(200)
      expectRefused(await app.call('POST', '/v2/MakeRefund', recurring.apiKey, { KeyType: 'InvoiceId', Key: renewalInvoiceId, Amount: 1 }), 'Amount', 'The payment has already been fully refunded')

      const after = await recurring.get(recurringId)
      expect(after).toMatchObject({ RecurringStatus: before.RecurringStatus, ExecutedTimes: 1, NextPayDate: before.NextPayDate, IsActive: true })
      expect(await listAttempts(app.deps.store.db, { recurrenceId: recurring.internalId(recurringId) })).toEqual(attemptsBefore)
      // The next cycle is charged as if nothing happened.
      await recurring.advance({ Days: 1 })
      expect((await recurring.get(recurringId)).ExecutedTimes).toBe(2)
    })

    it('the refund-declining test card: the refund ends Canceled, nothing returned, the amount stays refundable', async () => {
      const { InvoiceId } = await paidInvoice(7, REFUND_DECLINED_CARD)
      const response = await makeRefund({ KeyType: 'InvoiceId', Key: InvoiceId, Amount: 7 })
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      expect(response.body.Data.RefundStatus).toBe('Canceled')
      const listed = (await refundStatus({ KeyType: 'RefundId', Key: response.body.Data.RefundId })).body.Data.RefundStatusResult
      expect(listed).toMatchObject([{ RefundStatus: 'Canceled', Amount: 7, RRN: '' }])
      // Canceled refunds do not count: the whole amount may be asked for again (and is declined again).
      const again = await makeRefund({ KeyType: 'InvoiceId', Key: InvoiceId, Amount: 7 })
      expect(again.status).toBe(200)
      const { ledger } = await ledgerRefunds(InvoiceId)
      expect(ledger.map((e) => [e.outcome, e.error_code])).toEqual([['declined', 'MF002'], ['declined', 'MF002']])
    })

    it('refuses every bad field at once, with the envelope and the field names as sent', async () => {
      const empty = await makeRefund({})
      expect(empty.status).toBe(400)
      expect(empty.body).toMatchObject({ IsSuccess: false, Message: 'Invalid data', Data: null })
      expect(empty.body.ValidationErrors).toEqual([
        { Name: 'Key', Error: 'Key is required' },
        { Name: 'KeyType', Error: 'KeyType is required' },
        { Name: 'Amount', Error: 'Amount is required' },
      ])
      const bad = await makeRefund({ key: '1', keyType: 'CustomerReference', amount: 'ten', comment: 'x'.repeat(1001), CurrencyIso: 'USD' })
      expect(bad.body.ValidationErrors).toEqual([
        { Name: 'keyType', Error: 'KeyType must be one of: InvoiceId, PaymentId' },
        { Name: 'amount', Error: 'Amount must be a number' },
        { Name: 'comment', Error: 'Comment must not be longer than 1000 characters' },
        { Name: 'CurrencyIso', Error: 'CurrencyIso is not a supported currency' },
      ])
      const { InvoiceId } = await paidInvoice(2)
      for (const [amount, error] of [
        [0, 'Amount must be more than 0'],
        [-1, 'Amount must be more than 0'],
        ['1.0001', 'Amount has more decimals than KWD allows'],
        [1e16, 'Amount is too large'],
      ] as const) {
        expectRefused(await makeRefund({ KeyType: 'InvoiceId', Key: InvoiceId, Amount: amount }), 'Amount', error)
      }
      expect((await makeRefund({ KeyType: 'InvoiceId', Key: InvoiceId, Amount: 1, CurrencyIso: 'sar', RefundChargeOnCustomer: false, ServiceChargeOnCustomer: 'false' })).status).toBe(200)
      expect(await listRefunds(app.deps.store.db, { invoiceId: internalInvoice(InvoiceId) })).toHaveLength(1)
    })

    it('refuses unknown keys, unpaid invoices, failed and authorised-only payments, and a refund while another is pending', async () => {
      expectRefused(await makeRefund({ KeyType: 'InvoiceId', Key: 123, Amount: 1 }), 'Key', UNKNOWN_KEY)
      expectRefused(await makeRefund({ KeyType: 'PaymentId', Key: '07079999999999', Amount: 1 }), 'Key', UNKNOWN_KEY)
      // A PaymentId beyond 2^53, sent as a JSON number as MyFatoorah's PHP library does: read whole, found nowhere.
      const big = await app.call('POST', '/v2/MakeRefund', key, '{"KeyType":"PaymentId","Key":100202312116138082,"Amount":1}')
      expectRefused(big, 'Key', UNKNOWN_KEY)

      const unpaid = await app.call('POST', '/v2/ExecutePayment', key, { PaymentMethodId: 9, InvoiceValue: 3 })
      expectRefused(await makeRefund({ KeyType: 'InvoiceId', Key: unpaid.body.Data.InvoiceId, Amount: 1 }), 'Key', UNKNOWN_KEY)

      const declined = await app.call('POST', '/v2/ExecutePayment', key, { PaymentMethodId: 9, InvoiceValue: 3 })
      const failed = await app.call('POST', new URL(declined.body.Data.PaymentURL).pathname, key, { PaymentType: 'card', Bypass3DS: true, Card: card('4000000000000002') })
      expect(failed.body.Data.Status).toBe('FAILURE')
      expectRefused(await makeRefund({ KeyType: 'PaymentId', Key: failed.body.Data.PaymentId, Amount: 1 }), 'Key', UNKNOWN_KEY)
      expectRefused(await makeRefund({ KeyType: 'InvoiceId', Key: declined.body.Data.InvoiceId, Amount: 1 }), 'Key', UNKNOWN_KEY)

      // An authorised-only payment (AutoCapture off): release it, do not refund it.
      const authorised = await app.call('POST', '/v2/ExecutePayment', key, { PaymentMethodId: 9, InvoiceValue: 10 })
      const invoiceId = internalInvoice(authorised.body.Data.InvoiceId)
      await insertTransactionAsGiven(app.deps.store.db, merchantId, invoiceId, { now: Date.now(), status: 'Authorize' })
      expectRefused(await makeRefund({ KeyType: 'InvoiceId', Key: authorised.body.Data.InvoiceId, Amount: 1 }), 'Key', 'Transaction not Captured!')

      // A refund of the payment still in flight (its process holds the lease): one at a time.
      const { InvoiceId } = await paidInvoice(4)
      await openRefundAttempt(InvoiceId, 1_000, Date.now() + 600_000)
      expectRefused(await makeRefund({ KeyType: 'InvoiceId', Key: InvoiceId, Amount: 1 }), 'Key', 'The transaction is already under processing!')
    })

    it("another merchant's ids answer like unknown ones, for MakeRefund and GetRefundStatus", async () => {
      const { InvoiceId, PaymentId } = await paidInvoice(3)
      const made = await makeRefund({ KeyType: 'InvoiceId', Key: InvoiceId, Amount: 1 })
      expect(made.status).toBe(200)
      expectRefused(await makeRefund({ KeyType: 'InvoiceId', Key: InvoiceId, Amount: 1 }, otherKey), 'Key', UNKNOWN_KEY)
      expectRefused(await makeRefund({ KeyType: 'PaymentId', Key: PaymentId, Amount: 1 }, otherKey), 'Key', UNKNOWN_KEY)
      expectRefused(await refundStatus({ KeyType: 'InvoiceId', Key: InvoiceId }, otherKey), 'Key', NO_DATA)
      expectRefused(await refundStatus({ KeyType: 'RefundId', Key: made.body.Data.RefundId }, otherKey), 'Key', NO_DATA)
      expectRefused(await refundStatus({ KeyType: 'RefundReference', Key: made.body.Data.RefundReference }, otherKey), 'Key', NO_DATA)
      expect(await listRefunds(app.deps.store.db, { invoiceId: internalInvoice(InvoiceId) })).toHaveLength(1)
    })

    it('GetRefundStatus by InvoiceId, RefundReference and RefundId, case-insensitively; unknown keys are a 400', async () => {
      const { InvoiceId } = await paidInvoice(6)
      const first = (await makeRefund({ KeyType: 'InvoiceId', Key: InvoiceId, Amount: 1.25, ServiceChargeOnCustomer: true })).body.Data
      const second = (await makeRefund({ KeyType: 'InvoiceId', Key: InvoiceId, Amount: 2 })).body.Data
      const all = await refundStatus({ KeyType: 'invoiceid', Key: InvoiceId })
      expect(all.body).toMatchObject({ IsSuccess: true, Message: '', ValidationErrors: null })
      expect(all.body.Data.RefundStatusResult.map((r: any) => r.RefundId)).toEqual([first.RefundId, second.RefundId])
      const [withCharge] = all.body.Data.RefundStatusResult
      // The customer bears the service charge: their share of it stays with the merchant.
      expect(withCharge.Amount).toBe(1.25)
      expect(withCharge.RefundAmount).toBeLessThanOrEqual(1.25)
      for (const body of [
        { KeyType: 'RefundId', Key: second.RefundId },
        { KeyType: 'refundid', Key: String(second.RefundId) },
        { KeyType: 'RefundReference', Key: second.RefundReference },
        { keytype: 'REFUNDREFERENCE', key: second.RefundReference },
      ]) {
        const one = await refundStatus(body)
        expect(one.status, JSON.stringify(body)).toBe(200)
        expect(one.body.Data.RefundStatusResult).toMatchObject([{ RefundId: second.RefundId, RefundStatus: 'Refunded', InvoiceId, Amount: 2, RefundReference: second.RefundReference, BaseCurrency: 'KWD' }])
      }
      const unrefunded = await paidInvoice(1)
      expect((await refundStatus({ KeyType: 'InvoiceId', Key: unrefunded.InvoiceId })).body.Data.RefundStatusResult).toEqual([])
      expectRefused(await refundStatus({ KeyType: 'RefundId', Key: 12 }), 'Key', NO_DATA)
      expectRefused(await refundStatus({ KeyType: 'RefundId', Key: first.RefundId + 1 }), 'Key', NO_DATA)
      expectRefused(await refundStatus({ KeyType: 'RefundReference', Key: `1999${second.RefundReference.slice(4)}` }), 'Key', NO_DATA)
      expectRefused(await refundStatus({ KeyType: 'InvoiceId', Key: 'abc' }), 'Key', NO_DATA)
      const missing = await refundStatus({ KeyType: 'PaymentId' })
      expect(missing.status).toBe(400)
      expect(missing.body.ValidationErrors).toEqual([
        { Name: 'Key', Error: 'Key is required' },
        { Name: 'KeyType', Error: 'KeyType must be one of: InvoiceId, RefundReference, RefundId' },
      ])
    })

    it('refund webhooks reach the merchant after the payment event, signed as documented (v2 and v1)', async () => {
      const { InvoiceId } = await paidInvoice(8)
      const made = (await makeRefund({ KeyType: 'InvoiceId', Key: InvoiceId, Amount: 2.5, Comment: 'damaged', ExternalIdentifier: 'r-1' })).body.Data
      const declinedPayment = await paidInvoice(1, REFUND_DECLINED_CARD)
      const canceled = (await makeRefund({ KeyType: 'InvoiceId', Key: declinedPayment.InvoiceId, Amount: 1 })).body.Data
      await deliverWebhooks(key, merchantId)
      const ofInvoice = (id: number) =>
        receiver.received.filter((w) => (w.body.Event.Code === 2 ? w.body.Data.ReferencedInvoice.Id : w.body.Data.Invoice?.Id) === String(id))
      const events = ofInvoice(InvoiceId)
      expect(events.map((w) => w.body.Event.Code)).toEqual([1, 2])
      const refundEvent = events[1]
      expect(refundEvent?.signatureValid).toBe(true)
      expect(refundEvent?.headers['myfatoorah-webhook-version']).toBe('v2')
      expect(refundEvent?.body).toMatchObject({
        Event: { Code: 2, Name: 'REFUND_STATUS_CHANGED', CountryIsoCode: 'KWT' },
        Data: {
          Refund: { Id: made.RefundId, Reference: made.RefundReference, Status: 'REFUNDED', Comment: 'damaged', ExternalIdentifier: 'r-1' },
          Amount: { BaseCurrency: 'KWD', ValueInBaseCurrency: '2.500', DisplayCurrency: 'KWD', ValueInDisplayCurrency: '2.500' },
          ReferencedInvoice: { Id: String(InvoiceId) },
        },
      })
      const canceledEvent = ofInvoice(declinedPayment.InvoiceId).find((w) => w.body.Event.Code === 2)
      expect(canceledEvent?.body.Data.Refund).toMatchObject({ Id: canceled.RefundId, Status: 'CANCELED' })
      expect(canceledEvent?.signatureValid).toBe(true)
      // One event per refund, listed by GetWebhooks under the refunded invoice.
      const log = await app.call('POST', '/v2/GetWebhooks', key, { EventType: 'REFUND_STATUS_CHANGED', Key: [String(InvoiceId)], KeyType: 'InvoiceId' })
      expect(log.body.Data.Items).toHaveLength(1)
      expect(log.body.Data.Items[0]).toMatchObject({ EventCode: 2, EventName: 'REFUND_STATUS_CHANGED', Status: 'Succeeded' })

      const v1Paid = await paidInvoice(5, GOOD_CARD, v1Key)
      const v1Made = (await makeRefund({ KeyType: 'InvoiceId', Key: v1Paid.InvoiceId, Amount: 5, Comment: 'Test Webhook' }, v1Key)).body.Data
      await deliverWebhooks(v1Key, v1MerchantId)
      const v1Events = v1Receiver.received.filter((w) => w.body.Data.InvoiceId === v1Paid.InvoiceId)
      expect(v1Events.map((w) => w.body.EventType)).toEqual([1, 2])
      const v1Event = v1Events[1]
      expect(v1Event?.signatureValid).toBe(true)
      expect(v1Event?.body).toMatchObject({
        EventType: 2,
        Event: 'RefundStatusChanged',
        CountryIsoCode: 'KWT',
        Data: { RefundId: v1Made.RefundId, RefundReference: v1Made.RefundReference, RefundStatus: 'REFUNDED', Amount: '5.000', Comments: 'Test Webhook', InvoiceId: v1Paid.InvoiceId },
      })
      expect(v1Event?.body.Data.CreatedDate).toMatch(/^\d{14}$/)
      expect(v1Event?.body.Data.GatewayReference).toMatchObject({ PaymentId: v1Paid.PaymentId, RefundAmount: '5.000', Currency: 'KD', PaymentMethod: expect.any(String) })
      expect(Object.keys(v1Event?.body.Data ?? {}).sort()).toEqual(['Amount', 'Comments', 'CreatedDate', 'GatewayReference', 'InvoiceId', 'RefundId', 'RefundReference', 'RefundStatus'])
    })

    /**
     * What a process leaves behind when it opened a refund and died before recording it: an open
     * attempt of kind `refund` and its Pending refund, leased until `leaseUntil` (real time).
     */
    async function openRefundAttempt(invoiceId: number, amountMinor: number, leaseUntil: number): Promise<{ attemptId: number; refundId: number; transactionId: number }> {
      const internal = internalInvoice(invoiceId)
      return app.deps.store.db.transaction().execute(async (trx) => {
        const transaction = (await listTransactions(trx, internal)).find((t) => t.status === 'Succss')
        if (!transaction) throw new Error('no captured payment')
        const now = Date.now()
        const [attempt] = await insertAttempts(trx, [
          { merchant_id: transaction.merchant_id, invoice_id: internal, kind: 'refund', recurrence_id: null, cycle: null, attempt_number: null, lease_until: leaseUntil, created_at: now },
        ])
        if (!attempt) throw new Error('no attempt')
        const refund = await insertRefund(trx, {
          merchant_id: transaction.merchant_id,
          invoice_id: internal,
          transaction_id: transaction.id,
          attempt_id: attempt.id,
          amount_minor: amountMinor,
          refund_amount_minor: amountMinor,
          currency: 'KWD',
          comment: null,
          external_identifier: null,
          service_charge_on_customer: 0,
          created_at: now,
        })
        return { attemptId: attempt.id, refundId: refund.id, transactionId: transaction.id }
      })
    }

    const refundEventsOf = async (invoiceId: number) =>
      (await listOutboxEvents(app.deps.store.db, { merchantId, eventCode: 2 })).filter((event) => event.invoice_id === internalInvoice(invoiceId))

    it('crash before the processor got the refund: the recovery pass sends it under its key and records it, exactly once', async () => {
      const { InvoiceId } = await paidInvoice(9)
      const { attemptId } = await openRefundAttempt(InvoiceId, 4_000, Date.now() - 1)
      expect(await recoverCustomerAttempts(app.deps)).toMatchObject({ recovered: 1, unresolved: 0 })
      expect(await recoverCustomerAttempts(app.deps)).toMatchObject({ recovered: 0, unresolved: 0 })
      const { refunds, ledger } = await ledgerRefunds(InvoiceId)
      expect(ledger).toEqual([expect.objectContaining({ idempotency_key: attemptIdempotencyKey(attemptId), outcome: 'approved', amount_minor: 4_000 })])
      expect(refunds).toEqual([expect.objectContaining({ status: 'Refunded', amount_minor: 4_000 })])
      expect((await findAttempt(app.deps.store.db, attemptId))?.status).toBe('approved')
      expect(await refundEventsOf(InvoiceId)).toHaveLength(1)
      expectRefused(await makeRefund({ KeyType: 'InvoiceId', Key: InvoiceId, Amount: 5.001 }), 'Amount', /4\.999|5\.000/)
    })

    it('crash after the processor refunded: recovery learns it from the look-up and records it once; the processor refunds once', async () => {
      const { InvoiceId } = await paidInvoice(9)
      const { attemptId, transactionId } = await openRefundAttempt(InvoiceId, 9_000, Date.now() - 1)
      const charged = await findTransactionById(app.deps.store.db, transactionId)
      // The process sent the refund, the processor executed it, then the process died.
      await app.deps.processor.refund(
        { idempotencyKey: attemptIdempotencyKey(attemptId), merchantId, amountMinor: 9_000, currency: 'KWD', chargeKey: attemptIdempotencyKey(charged?.attempt_id ?? -1), card: { number: GOOD_CARD }, cardTokenId: charged?.card_token_id ?? null },
        Date.now(),
      )
      // The merchant asks again meanwhile: the abandoned refund is settled first, and counts.
      expectRefused(await makeRefund({ KeyType: 'InvoiceId', Key: InvoiceId, Amount: 1 }), 'Amount', 'The payment has already been fully refunded')
      expect(await recoverCustomerAttempts(app.deps)).toMatchObject({ recovered: 0, unresolved: 0 })
      const { refunds, ledger } = await ledgerRefunds(InvoiceId)
      expect(ledger).toHaveLength(1)
      expect(refunds).toEqual([expect.objectContaining({ status: 'Refunded', amount_minor: 9_000 })])
      expect(await refundEventsOf(InvoiceId)).toHaveLength(1)
    })

    it('a refund whose lease still runs is left to its process', async () => {
      const { InvoiceId } = await paidInvoice(2)
      const { attemptId } = await openRefundAttempt(InvoiceId, 1_000, Date.now() + 600_000)
      await recoverCustomerAttempts(app.deps, { merchantId })
      expect((await findAttempt(app.deps.store.db, attemptId))?.status).toBe('open')
      const { ledger } = await ledgerRefunds(InvoiceId)
      expect(ledger).toHaveLength(0)
    })

    it('the test processor refunds once per key, answers look-ups of refund keys, and never refunds beyond the charge', async () => {
      const { InvoiceId } = await paidInvoice(3)
      const [charged] = (await listTransactions(app.deps.store.db, internalInvoice(InvoiceId))).filter((t) => t.status === 'Succss')
      const chargeKey = attemptIdempotencyKey(charged?.attempt_id ?? -1)
      const request = (idempotencyKey: string, amountMinor: number) => ({ idempotencyKey, merchantId, amountMinor, currency: 'KWD' as const, chargeKey, card: { number: GOOD_CARD }, cardTokenId: charged?.card_token_id ?? null })
      const refundKey = `test-refund-${dialect}-${Date.now()}`
      const [first, second] = await Promise.all([app.deps.processor.refund(request(refundKey, 2_000), Date.now()), app.deps.processor.refund(request(refundKey, 2_000), Date.now())])
      expect(first).toMatchObject({ status: 'approved' })
      expect(second).toEqual(first)
      expect(await app.deps.processor.lookup(refundKey)).toEqual(first)
      expect(await listLedger(app.deps.store.db, { idempotencyKeys: [refundKey] })).toEqual([expect.objectContaining({ operation: 'refund', refund_of: chargeKey, amount_minor: 2_000 })])
      // 2.000 of 3.000 refunded: 1.001 more would pass the charge.
      expect(await app.deps.processor.refund(request(`${refundKey}-b`, 1_001), Date.now())).toMatchObject({ status: 'declined', errorCode: 'MF020' })
      expect(await app.deps.processor.refund(request(`${refundKey}-c`, 1_000), Date.now())).toMatchObject({ status: 'approved' })
      // A key names one intent: reusing it for another amount is a bug, not a replay.
      await expect(app.deps.processor.refund(request(refundKey, 500), Date.now())).rejects.toThrow(/already used/)
      await expect(app.deps.processor.lookup(`${refundKey}-never-sent`)).resolves.toBeUndefined()
    })

    it('an Idempotency-Key replays MakeRefund: one refund, the same answer', async () => {
      const { InvoiceId } = await paidInvoice(4)
      const body = { KeyType: 'InvoiceId', Key: InvoiceId, Amount: 1 }
      const headers = { 'Idempotency-Key': `refund-${InvoiceId}` }
      const first = await app.call('POST', '/v2/MakeRefund', key, body, headers)
      const again = await app.call('POST', '/v2/MakeRefund', key, body, headers)
      expect(first.status).toBe(200)
      expect(again.body).toEqual(first.body)
      expect(again.headers.get('idempotent-replayed')).toBe('true')
      expect(await listRefunds(app.deps.store.db, { invoiceId: internalInvoice(InvoiceId) })).toHaveLength(1)
    })

    it('documents both routes in the OpenAPI description, with a working example body', async () => {
      const spec = await app.call('GET', '/openapi.json', null)
      const makeRefundDoc = spec.body.paths['/v2/MakeRefund']?.post
      expect(makeRefundDoc).toBeDefined()
      expect(spec.body.paths['/v2/GetRefundStatus']?.post).toBeDefined()
      const example = JSON.stringify(makeRefundDoc.requestBody).match(/"example":(\{[^}]*\})/)?.[1]
      expect(example).toBeDefined()
      const { InvoiceId } = await paidInvoice(5)
      const parsed = { ...JSON.parse(example ?? '{}'), Key: InvoiceId }
      const made = await makeRefund(parsed)
      expect(made.status, JSON.stringify(made.body)).toBe(200)
    })

    it('random bodies never cause a 5xx, and a refused request writes nothing', async () => {
      const tables = ['refunds', 'charge_attempts', 'outbox_events'] as const
      const value = fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom('1e309', '9'.repeat(40), '-0', 'NaN'))
      const body = fc.dictionary(fc.constantFrom('Key', 'key', 'KeyType', 'Amount', 'Comment', 'CurrencyIso', 'ServiceChargeOnCustomer', 'ExternalIdentifier'), value, { maxKeys: 6 })
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('/v2/MakeRefund', '/v2/GetRefundStatus'), body, async (path, payload) => {
          const before = await Promise.all(tables.map((table) => countRows(app.deps.store.db, table)))
          const response = await app.call('POST', path, otherKey, payload)
          expect(response.status, `${path} ${JSON.stringify(payload)}`).toBeLessThan(500)
          expect(typeof response.body.IsSuccess).toBe('boolean')
          if (response.status >= 400) expect(await Promise.all(tables.map((table) => countRows(app.deps.store.db, table)))).toEqual(before)
        }),
        { numRuns: 60 },
      )
    })
  })
}
