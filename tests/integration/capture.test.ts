import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { recoverCustomerAttempts } from '../../src/charging/recover-customer-attempts.js'
import { attemptIdempotencyKey } from '../../src/domain/charge.js'
import { fromInvoiceId } from '../../src/domain/public-ids.js'
import { insertAuthorizationUpdate } from '../../src/store/authorization-update.repository.js'
import { findAttempt, insertAttempts, listAttempts } from '../../src/store/charge-attempt.repository.js'
import { listOutboxEvents } from '../../src/store/outbox.repository.js'
import { ensureDemoMerchant } from '../../src/services/create-merchant.js'
import { listLedger } from '../../src/store/processor-ledger.repository.js'
import { countRows } from '../../src/store/table-inspection.js'
import { findTransactionById, listTransactions } from '../../src/store/transaction.repository.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { createTestDatabase } from '../support/test-database.js'
import { executePayment, payHosted, paymentIdOf, paymentStatus } from './checkout-support.js'

const GOOD_CARD = '5123450000000008'
const card = (number = GOOD_CARD) => ({ Number: number, ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100', HolderName: 'Test Holder' })
const CALLBACK = 'https://merchant.example.test/paid'
const ERROR = 'https://merchant.example.test/failed'
const NOT_AUTHORIZED = /^No authorized payment matches this Key/
const UNKNOWN_KEY = 'No transaction exist matching this Key!'

for (const dialect of DIALECTS) {
  describe(`${dialect}: authorize, capture, release (UpdatePaymentStatus)`, () => {
    let app: TestApp
    let key: string
    let merchantId: number
    let otherKey: string
    let plainKey: string

    beforeAll(async () => {
      app = await startTestApp(dialect)
      const main = await app.createMerchant({ bypass3ds: true, authorizeCapture: true })
      key = main.apiKey
      merchantId = main.merchant.id
      otherKey = (await app.createMerchant({ bypass3ds: true, authorizeCapture: true })).apiKey
      plainKey = (await app.createMerchant({ bypass3ds: true })).apiKey
    })
    afterAll(async () => app?.close())

    const update = (body: unknown, apiKey = key) => app.call('POST', '/v2/UpdatePaymentStatus', apiKey, body)
    const status = async (invoiceId: number, apiKey = key) => {
      const response = await app.call('POST', '/v2/GetPaymentStatus', apiKey, { Key: invoiceId, KeyType: 'InvoiceId' })
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      return response.body.Data
    }
    const expectRefused = (response: { status: number; body: any }, name: string, error: string | RegExp) => {
      expect(response.status, JSON.stringify(response.body)).toBe(400)
      expect(response.body).toMatchObject({ IsSuccess: false, Data: null })
      expect(response.body.ValidationErrors).toEqual([{ Name: name, Error: typeof error === 'string' ? error : expect.stringMatching(error) }])
    }
    const internalInvoice = (invoiceId: number) => {
      const id = fromInvoiceId(invoiceId, app.deps.ids)
      if (id === undefined) throw new Error(`bad InvoiceId ${invoiceId}`)
      return id
    }
    /** An invoice with AutoCapture false, authorised at once over DirectPayment with Bypass3DS. */
    const authorised = async (value: number | string = 10, extra: Record<string, unknown> = {}): Promise<{ InvoiceId: number; PaymentId: string; PaymentURL: string }> => {
      const created = await app.call('POST', '/v2/ExecutePayment', key, { PaymentMethodId: 9, InvoiceValue: value, ProcessingDetails: { AutoCapture: false }, ...extra })
      expect(created.status, JSON.stringify(created.body)).toBe(200)
      const paid = await app.call('POST', new URL(created.body.Data.PaymentURL).pathname, key, { PaymentType: 'card', Bypass3DS: true, Card: card() })
      expect(paid.status, JSON.stringify(paid.body)).toBe(200)
      expect(paid.body.Data.Status).toBe('SUCCESS')
      return { InvoiceId: created.body.Data.InvoiceId, PaymentId: paid.body.Data.PaymentId, PaymentURL: created.body.Data.PaymentURL }
    }
    const paymentEvents = async (invoiceId: number) =>
      (await listOutboxEvents(app.deps.store.db, { merchantId, eventCode: 1 }))
        .filter((event) => event.invoice_id === internalInvoice(invoiceId))
        .map((event) => JSON.parse(event.body))
        .map((body) => ({ transaction: body.Data.Transaction.Status, invoice: body.Data.Invoice.Status }))

    it('hosted checkout with OTP authorises: Authorize, invoice Pending, AUTHORIZE webhook, the processor holds the amount', async () => {
      const { InvoiceId, PaymentURL } = await executePayment(app, key, { InvoiceValue: 7, CallBackUrl: CALLBACK, ErrorUrl: ERROR, ProcessingDetails: { AutoCapture: false } })
      const landed = await payHosted(PaymentURL, { number: GOOD_CARD, expiryMonth: '01', expiryYear: '39', securityCode: '100' })
      expect(landed.startsWith(CALLBACK)).toBe(true)
      const data = await paymentStatus(app, key, paymentIdOf(landed))
      expect(data).toMatchObject({ InvoiceId, InvoiceStatus: 'Pending' })
      expect(data.InvoiceTransactions).toHaveLength(1)
      expect(data.InvoiceTransactions[0]).toMatchObject({ TransactionStatus: 'Authorize', TransationValue: '7.000', TotalServiceCharge: '0.000' })
      expect(await paymentEvents(InvoiceId)).toEqual([{ transaction: 'AUTHORIZE', invoice: 'PENDING' }])
      const transaction = (await listTransactions(app.deps.store.db, internalInvoice(InvoiceId)))[0]
      const ledger = await listLedger(app.deps.store.db, { idempotencyKeys: [attemptIdempotencyKey(transaction?.attempt_id ?? -1)] })
      expect(ledger).toEqual([expect.objectContaining({ operation: 'authorize', outcome: 'approved', amount_minor: 7_000 })])
    })

    it('full capture: Succss, invoice Paid, SUCCESS/PAID webhook, captured in the ledger; a second capture or a release is refused', async () => {
      const { InvoiceId, PaymentId } = await authorised(10)
      const before = await status(InvoiceId)
      expect(before.InvoiceStatus).toBe('Pending')
      expect(before.InvoiceTransactions[0].TransactionStatus).toBe('Authorize')

      const captured = await update({ Operation: 'Capture', Amount: 10, KeyType: 'InvoiceId', Key: InvoiceId })
      expect(captured.status, JSON.stringify(captured.body)).toBe(200)
      expect(captured.body).toEqual({
        IsSuccess: true,
        Message: 'Payment captured successfully',
        ValidationErrors: null,
        Data: { InvoiceId, PaymentId, Operation: 'Capture', Amount: 10 },
      })
      const after = await status(InvoiceId)
      expect(after.InvoiceStatus).toBe('Paid')
      expect(after.InvoiceTransactions[0]).toMatchObject({ TransactionStatus: 'Succss', DueValue: '10.000', PaymentId })
      expect(await paymentEvents(InvoiceId)).toEqual([
        { transaction: 'AUTHORIZE', invoice: 'PENDING' },
        { transaction: 'SUCCESS', invoice: 'PAID' },
      ])
      const captures = await listLedger(app.deps.store.db, { merchantId, operation: 'capture' })
      expect(captures.filter((entry) => entry.amount_minor === 10_000 && entry.outcome === 'approved').length).toBeGreaterThanOrEqual(1)

      expectRefused(await update({ Operation: 'Capture', Amount: 10, KeyType: 'InvoiceId', Key: InvoiceId }), 'Key', NOT_AUTHORIZED)
      expectRefused(await update({ operation: 'release', KeyType: 'PaymentId', Key: PaymentId }), 'Key', NOT_AUTHORIZED)
      const attempts = await listAttempts(app.deps.store.db, { invoiceId: internalInvoice(InvoiceId) })
      expect(attempts.map((a) => [a.kind, a.status])).toEqual([
        ['customer', 'approved'],
        ['capture', 'approved'],
      ])
    })

    it('partial capture by PaymentId: DueValue is what was captured; refunds are bounded by it', async () => {
      const { InvoiceId, PaymentId } = await authorised(10)
      const captured = await update({ operation: 'CAPTURE', Amount: '6.5', keytype: 'paymentid', Key: PaymentId })
      expect(captured.status, JSON.stringify(captured.body)).toBe(200)
      expect(captured.body.Data).toMatchObject({ InvoiceId, Operation: 'Capture', Amount: 6.5 })
      const after = await status(InvoiceId)
      expect(after).toMatchObject({ InvoiceStatus: 'Paid', InvoiceValue: 10 })
      expect(after.InvoiceTransactions[0]).toMatchObject({ TransactionStatus: 'Succss', TransationValue: '10.000', DueValue: '6.500' })

      const refund = (amount: number) => app.call('POST', '/v2/MakeRefund', key, { KeyType: 'InvoiceId', Key: InvoiceId, Amount: amount })
      expectRefused(await refund(6.501), 'Amount', /6\.500 KWD/)
      const first = await refund(4)
      expect(first.status, JSON.stringify(first.body)).toBe(200)
      expect(first.body.Data.RefundStatus).toBe('Refunded')
      expectRefused(await refund(2.501), 'Amount', /2\.500 KWD/)
      const rest = await refund(2.5)
      expect(rest.body.Data.RefundStatus).toBe('Refunded')
      // The processor, too, bounds refunds of an authorisation by what its capture took.
      const transaction = (await listTransactions(app.deps.store.db, internalInvoice(InvoiceId)))[0]
      const beyond = await app.deps.processor.refund(
        { idempotencyKey: `beyond-${InvoiceId}`, merchantId, amountMinor: 1, currency: 'KWD', chargeKey: attemptIdempotencyKey(transaction?.attempt_id ?? -1), card: null, cardTokenId: null },
        Date.now(),
      )
      expect(beyond).toMatchObject({ status: 'declined', errorCode: 'MF020' })
    })

    it('a payment still only authorised cannot be refunded, nor paid again', async () => {
      const { InvoiceId, PaymentURL } = await authorised(3)
      const again = await app.call('POST', new URL(PaymentURL).pathname, key, { PaymentType: 'card', Bypass3DS: true, Card: card() })
      expect(again.status, JSON.stringify(again.body)).not.toBe(200)
      const withOtp = await app.call('POST', new URL(PaymentURL).pathname, key, { PaymentType: 'card', Card: card() })
      expect(withOtp.status, JSON.stringify(withOtp.body)).not.toBe(200)
      expect((await status(InvoiceId)).InvoiceTransactions).toHaveLength(1)
      expectRefused(await app.call('POST', '/v2/MakeRefund', key, { KeyType: 'InvoiceId', Key: InvoiceId, Amount: 1 }), 'Key', 'Transaction not Captured!')
    })

    it('release: Canceled, invoice Pending and payable again, CANCELED/PENDING webhook; capture after release refused', async () => {
      const { InvoiceId, PaymentId } = await authorised(5)
      expectRefused(await update({ Operation: 'Release', Amount: 4, KeyType: 'InvoiceId', Key: InvoiceId }), 'Amount', /whole authorized amount: 5\.000 KWD/)
      const released = await update({ Operation: 'Release', Amount: 5, KeyType: 'InvoiceId', Key: String(InvoiceId) })
      expect(released.status, JSON.stringify(released.body)).toBe(200)
      expect(released.body).toMatchObject({ IsSuccess: true, Message: 'Payment released successfully', Data: { InvoiceId, PaymentId, Operation: 'Release', Amount: 5 } })
      const after = await status(InvoiceId)
      expect(after.InvoiceStatus).toBe('Pending')
      expect(after.InvoiceTransactions[0]).toMatchObject({ TransactionStatus: 'Canceled', Error: 'Transaction canceled!' })
      expect(await paymentEvents(InvoiceId)).toEqual([
        { transaction: 'AUTHORIZE', invoice: 'PENDING' },
        { transaction: 'CANCELED', invoice: 'PENDING' },
      ])
      expect((await listLedger(app.deps.store.db, { merchantId, operation: 'release' })).some((e) => e.outcome === 'approved' && e.amount_minor === 5_000)).toBe(true)
      expectRefused(await update({ Operation: 'Capture', Amount: 5, KeyType: 'InvoiceId', Key: InvoiceId }), 'Key', NOT_AUTHORIZED)
      expectRefused(await app.call('POST', '/v2/MakeRefund', key, { KeyType: 'InvoiceId', Key: InvoiceId, Amount: 1 }), 'Key', UNKNOWN_KEY)
    })

    it('release without Amount, by CustomerReference', async () => {
      const { InvoiceId } = await authorised(2, { CustomerReference: `order-release-${dialect}` })
      const released = await update({ Operation: 'Release', KeyType: 'CustomerReference', Key: `order-release-${dialect}` })
      expect(released.status, JSON.stringify(released.body)).toBe(200)
      expect(released.body.Data).toMatchObject({ InvoiceId, Amount: 2 })
    })

    it('two captures racing: exactly one wins, the processor captures once', async () => {
      const { InvoiceId } = await authorised(8)
      const [a, b] = await Promise.all([
        update({ Operation: 'Capture', Amount: 8, KeyType: 'InvoiceId', Key: InvoiceId }),
        update({ Operation: 'Capture', Amount: 3, KeyType: 'InvoiceId', Key: InvoiceId }),
      ])
      const statuses = [a.status, b.status].sort()
      expect(statuses, JSON.stringify([a.body, b.body])).toEqual([200, 400])
      const loser = a.status === 400 ? a : b
      expect(loser.body.ValidationErrors[0].Name).toBe('Key')
      const attempts = await listAttempts(app.deps.store.db, { invoiceId: internalInvoice(InvoiceId), kind: 'capture' })
      expect(attempts).toHaveLength(1)
      const keys = attempts.map((attempt) => attemptIdempotencyKey(attempt.id))
      expect(await listLedger(app.deps.store.db, { idempotencyKeys: keys })).toHaveLength(1)
      expect((await status(InvoiceId)).InvoiceStatus).toBe('Paid')
    })

    it('never beyond the authorised amount; validation lists every bad field at once', async () => {
      const { InvoiceId } = await authorised(4)
      expectRefused(await update({ Operation: 'Capture', Amount: 4.001, KeyType: 'InvoiceId', Key: InvoiceId }), 'Amount', /authorized amount: 4\.000 KWD/)
      const bad = await update({ Operation: 'Refund', Amount: -1, KeyType: 'Reference' })
      expect(bad.status).toBe(400)
      expect(bad.body.ValidationErrors.map((e: { Name: string }) => e.Name).sort()).toEqual(['Amount', 'Key', 'KeyType', 'Operation'])
      expectRefused(await update({ Operation: 'Capture', KeyType: 'InvoiceId', Key: InvoiceId }), 'Amount', 'Amount is required to capture')
      expectRefused(await update({ Operation: 'Capture', Amount: 0, KeyType: 'InvoiceId', Key: InvoiceId }), 'Amount', 'Amount must be more than 0')
      expectRefused(await update({ Operation: 'Capture', Amount: 1.0001, KeyType: 'InvoiceId', Key: InvoiceId }), 'Amount', /decimals/)
      expectRefused(await update({ Operation: 'Capture', Amount: 1, KeyType: 'InvoiceId', Key: '999999999' }), 'Key', UNKNOWN_KEY)
      const unauthorised = await app.call('POST', '/v2/UpdatePaymentStatus', null, { Operation: 'Capture', Amount: 1, KeyType: 'InvoiceId', Key: InvoiceId })
      expect(unauthorised.status).toBe(401)
      // Nothing was written by any of these.
      expect(await listAttempts(app.deps.store.db, { invoiceId: internalInvoice(InvoiceId), kind: 'capture' })).toHaveLength(0)
    })

    it('an invoice paid with auto-capture, or never paid, has nothing to capture', async () => {
      const created = await app.call('POST', '/v2/ExecutePayment', key, { PaymentMethodId: 9, InvoiceValue: 2 })
      expectRefused(await update({ Operation: 'Capture', Amount: 1, KeyType: 'InvoiceId', Key: created.body.Data.InvoiceId }), 'Key', NOT_AUTHORIZED)
      await app.call('POST', new URL(created.body.Data.PaymentURL).pathname, key, { PaymentType: 'card', Bypass3DS: true, Card: card() })
      expect((await status(created.body.Data.InvoiceId)).InvoiceStatus).toBe('Paid')
      expectRefused(await update({ Operation: 'Capture', Amount: 1, KeyType: 'InvoiceId', Key: created.body.Data.InvoiceId }), 'Key', NOT_AUTHORIZED)
    })

    it("another merchant's keys answer like unknown ones", async () => {
      const { InvoiceId, PaymentId } = await authorised(3, { CustomerReference: `order-foreign-${dialect}` })
      expectRefused(await update({ Operation: 'Capture', Amount: 3, KeyType: 'InvoiceId', Key: InvoiceId }, otherKey), 'Key', UNKNOWN_KEY)
      expectRefused(await update({ Operation: 'Capture', Amount: 3, KeyType: 'PaymentId', Key: PaymentId }, otherKey), 'Key', UNKNOWN_KEY)
      expectRefused(await update({ Operation: 'Release', KeyType: 'CustomerReference', Key: `order-foreign-${dialect}` }, otherKey), 'Key', UNKNOWN_KEY)
      expect((await status(InvoiceId)).InvoiceTransactions[0].TransactionStatus).toBe('Authorize')
    })

    it('a merchant without the feature may not send AutoCapture false; a RecurringModel always captures', async () => {
      const refused = await app.call('POST', '/v2/ExecutePayment', plainKey, { PaymentMethodId: 9, InvoiceValue: 2, ProcessingDetails: { AutoCapture: false } })
      expectRefused(refused, 'ProcessingDetails.AutoCapture', /not enabled for this account/)
      const recurring = await app.call('POST', '/v2/ExecutePayment', key, {
        PaymentMethodId: 2,
        InvoiceValue: 2,
        ProcessingDetails: { AutoCapture: false },
        RecurringModel: { RecurringType: 'Daily', Iteration: 2 },
      })
      expectRefused(recurring, 'ProcessingDetails.AutoCapture', /RecurringModel/)
      const knet = await app.call('POST', '/v2/ExecutePayment', key, { PaymentMethodId: 1, InvoiceValue: 2, ProcessingDetails: { AutoCapture: false } })
      expectRefused(knet, 'ProcessingDetails.AutoCapture', /KNET/)
      // Explicit AutoCapture true works for everyone.
      const explicit = await app.call('POST', '/v2/ExecutePayment', plainKey, { PaymentMethodId: 9, InvoiceValue: 2, ProcessingDetails: { AutoCapture: true } })
      expect(explicit.status).toBe(200)
    })

    /**
     * What a process leaves behind when it opened a capture and died before recording it: an open
     * attempt of kind `capture` and its `authorization_updates` row, leased until `leaseUntil`.
     */
    async function openCaptureAttempt(invoiceId: number, amountMinor: number, leaseUntil: number) {
      const internal = internalInvoice(invoiceId)
      return app.deps.store.db.transaction().execute(async (trx) => {
        const transaction = (await listTransactions(trx, internal)).find((t) => t.status === 'Authorize')
        if (!transaction) throw new Error('no authorised payment')
        const now = Date.now()
        const [attempt] = await insertAttempts(trx, [
          { merchant_id: transaction.merchant_id, invoice_id: internal, kind: 'capture', recurrence_id: null, cycle: null, attempt_number: null, lease_until: leaseUntil, created_at: now },
        ])
        if (!attempt) throw new Error('no attempt')
        await insertAuthorizationUpdate(trx, {
          merchant_id: transaction.merchant_id,
          invoice_id: internal,
          transaction_id: transaction.id,
          attempt_id: attempt.id,
          operation: 'capture',
          amount_minor: amountMinor,
          currency: 'KWD',
          created_at: now,
        })
        return { attemptId: attempt.id, transactionId: transaction.id, authorizationAttemptId: transaction.attempt_id ?? -1 }
      })
    }

    it('crash before the processor got the capture: recovery sends it under its key and records it exactly once', async () => {
      const { InvoiceId } = await authorised(9)
      const { attemptId, transactionId } = await openCaptureAttempt(InvoiceId, 6_000, Date.now() - 1)
      // While it is open, another capture is refused… after settling the abandoned one first.
      expect(await recoverCustomerAttempts(app.deps, { merchantId })).toMatchObject({ recovered: 1, unresolved: 0 })
      expect(await recoverCustomerAttempts(app.deps, { merchantId })).toMatchObject({ recovered: 0, unresolved: 0 })
      expect(await listLedger(app.deps.store.db, { idempotencyKeys: [attemptIdempotencyKey(attemptId)] })).toEqual([
        expect.objectContaining({ operation: 'capture', outcome: 'approved', amount_minor: 6_000 }),
      ])
      expect((await findAttempt(app.deps.store.db, attemptId))?.status).toBe('approved')
      expect(await findTransactionById(app.deps.store.db, transactionId)).toMatchObject({ status: 'Succss', captured_minor: 6_000 })
      expect((await status(InvoiceId)).InvoiceStatus).toBe('Paid')
      expect(await paymentEvents(InvoiceId)).toEqual([
        { transaction: 'AUTHORIZE', invoice: 'PENDING' },
        { transaction: 'SUCCESS', invoice: 'PAID' },
      ])
    })

    it('crash after the processor captured: the next UpdatePaymentStatus settles it from the look-up first, once', async () => {
      const { InvoiceId } = await authorised(9)
      const { attemptId, authorizationAttemptId } = await openCaptureAttempt(InvoiceId, 9_000, Date.now() - 1)
      const request = {
        idempotencyKey: attemptIdempotencyKey(attemptId),
        merchantId,
        authorizationKey: attemptIdempotencyKey(authorizationAttemptId),
        amountMinor: 9_000,
        currency: 'KWD' as const,
        cardTokenId: (await listTransactions(app.deps.store.db, internalInvoice(InvoiceId)))[0]?.card_token_id ?? null,
      }
      expect(await app.deps.processor.capture(request, Date.now())).toMatchObject({ status: 'approved' })
      // The merchant captures again meanwhile: the abandoned capture is recorded first, and counts.
      expectRefused(await update({ Operation: 'Capture', Amount: 1, KeyType: 'InvoiceId', Key: InvoiceId }), 'Key', NOT_AUTHORIZED)
      expect(await recoverCustomerAttempts(app.deps, { merchantId })).toMatchObject({ recovered: 0, unresolved: 0 })
      expect(await listLedger(app.deps.store.db, { merchantId, operation: 'capture', idempotencyKeys: [request.idempotencyKey] })).toHaveLength(1)
      expect((await status(InvoiceId)).InvoiceTransactions[0]).toMatchObject({ TransactionStatus: 'Succss', DueValue: '9.000' })
      expect(await paymentEvents(InvoiceId)).toHaveLength(2)
      // The processor refuses a second settlement of the authorisation under any other key.
      expect(await app.deps.processor.release({ ...request, idempotencyKey: `other-${attemptId}` }, Date.now())).toMatchObject({ status: 'declined', errorCode: 'MF020' })
    })

    it('the processor captures once per key, also when one key arrives twice at once, and never beyond the authorisation', async () => {
      const { InvoiceId } = await authorised(5)
      const transaction = (await listTransactions(app.deps.store.db, internalInvoice(InvoiceId)))[0]
      const request = (idempotencyKey: string, amountMinor: number) => ({
        idempotencyKey,
        merchantId,
        authorizationKey: attemptIdempotencyKey(transaction?.attempt_id ?? -1),
        amountMinor,
        currency: 'KWD' as const,
        cardTokenId: transaction?.card_token_id ?? null,
      })
      expect(await app.deps.processor.capture(request(`beyond-${InvoiceId}`, 5_001), Date.now())).toMatchObject({ status: 'declined', errorCode: 'MF020' })
      const key = `twice-${InvoiceId}`
      const [first, second] = await Promise.all([app.deps.processor.capture(request(key, 5_000), Date.now()), app.deps.processor.capture(request(key, 5_000), Date.now())])
      expect(first).toMatchObject({ status: 'approved' })
      expect(second).toEqual(first)
      expect(await app.deps.processor.lookup(key)).toEqual(first)
      expect(await listLedger(app.deps.store.db, { idempotencyKeys: [key] })).toHaveLength(1)
      await expect(app.deps.processor.capture(request(key, 4_000), Date.now())).rejects.toThrow(/already used/)
    })

    it('a capture whose lease still runs is left to its process, and blocks another one', async () => {
      const { InvoiceId } = await authorised(2)
      const { attemptId } = await openCaptureAttempt(InvoiceId, 1_000, Date.now() + 600_000)
      expect(await recoverCustomerAttempts(app.deps, { merchantId })).toMatchObject({ recovered: 0, unresolved: 0 })
      expectRefused(await update({ Operation: 'Release', KeyType: 'InvoiceId', Key: InvoiceId }), 'Key', 'The transaction is already under processing!')
      expect((await findAttempt(app.deps.store.db, attemptId))?.status).toBe('open')
    })
  })
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: UpdatePaymentStatus for clients`, () => {
    let app: TestApp
    let key: string
    let v1MerchantId: number
    let v1Key: string

    beforeAll(async () => {
      app = await startTestApp(dialect)
      key = (await app.createMerchant({ bypass3ds: true, authorizeCapture: true })).apiKey
      const v1 = await app.createMerchant({ bypass3ds: true, authorizeCapture: true, webhookVersion: 'v1' })
      v1Key = v1.apiKey
      v1MerchantId = v1.merchant.id
    })
    afterAll(async () => app?.close())

    const authorise = async (apiKey: string, value = 10) => {
      const created = await app.call('POST', '/v2/ExecutePayment', apiKey, { PaymentMethodId: 9, InvoiceValue: value, ProcessingDetails: { AutoCapture: false } })
      expect(created.status, JSON.stringify(created.body)).toBe(200)
      const paid = await app.call('POST', new URL(created.body.Data.PaymentURL).pathname, apiKey, { PaymentType: 'card', Bypass3DS: true, Card: card() })
      expect(paid.body.Data.Status).toBe('SUCCESS')
      return created.body.Data.InvoiceId as number
    }

    it('documents the route in the OpenAPI description, with a working example body', async () => {
      const spec = await app.call('GET', '/openapi.json', null)
      const doc = spec.body.paths['/v2/UpdatePaymentStatus']?.post
      expect(doc).toBeDefined()
      const example = JSON.stringify(doc.requestBody).match(/"example":(\{[^}]*\})/)?.[1]
      expect(example).toBeDefined()
      const InvoiceId = await authorise(key)
      const response = await app.call('POST', '/v2/UpdatePaymentStatus', key, { ...JSON.parse(example ?? '{}'), Key: InvoiceId })
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      expect(response.body.Message).toBe('Payment captured successfully')
    })

    it('v1 webhooks carry AUTHORIZE, then SUCCESS on capture', async () => {
      const InvoiceId = await authorise(v1Key, 4)
      const captured = await app.call('POST', '/v2/UpdatePaymentStatus', v1Key, { Operation: 'Capture', Amount: 4, KeyType: 'InvoiceId', Key: InvoiceId })
      expect(captured.status, JSON.stringify(captured.body)).toBe(200)
      const internal = fromInvoiceId(InvoiceId, app.deps.ids)
      const events = (await listOutboxEvents(app.deps.store.db, { merchantId: v1MerchantId, eventCode: 1 }))
        .filter((event) => event.invoice_id === internal)
        .map((event) => JSON.parse(event.body))
      expect(events.map((event) => event.Data.TransactionStatus)).toEqual(['AUTHORIZE', 'SUCCESS'])
    })

    it('the demo merchant has the feature', async () => {
      const database = await createTestDatabase(dialect)
      try {
        const demo = await ensureDemoMerchant(database.store, undefined, Date.now())
        expect(demo?.merchant).toMatchObject({ authorizeCaptureEnabled: true, bypass3dsEnabled: true })
      } finally {
        await database.drop()
      }
    })

    it('random bodies never cause a 5xx, and a refused request writes nothing', async () => {
      const InvoiceId = await authorise(key, 3)
      const tables = ['authorization_updates', 'charge_attempts', 'outbox_events'] as const
      const value = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom('1e309', '9'.repeat(40), '-0', 'NaN', InvoiceId, 'Capture', 'release', 'InvoiceId', 3.001))
      const body = fc.dictionary(fc.constantFrom('Operation', 'operation', 'Key', 'KeyType', 'Amount'), value, { maxKeys: 5 })
      await fc.assert(
        fc.asyncProperty(body, async (payload) => {
          const before = await Promise.all(tables.map((table) => countRows(app.deps.store.db, table)))
          const response = await app.call('POST', '/v2/UpdatePaymentStatus', key, payload)
          expect(response.status, JSON.stringify([payload, response.body])).toBeLessThan(500)
          if (response.status !== 200) {
            expect(response.body.IsSuccess).toBe(false)
            expect(await Promise.all(tables.map((table) => countRows(app.deps.store.db, table)))).toEqual(before)
          }
        }),
        { numRuns: 60 },
      )
    })
  })
}
