import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { recoverCustomerAttempts } from '../../src/charging/recover-customer-attempts.js'
import { attemptIdempotencyKey } from '../../src/domain/charge.js'
import { fromPaymentId } from '../../src/domain/public-ids.js'
import { findCardTokenById, readCardNumber } from '../../src/store/card-token.repository.js'
import { findAttempt, insertAttempts, listAttempts } from '../../src/store/charge-attempt.repository.js'
import { countApprovedCharges, listLedger } from '../../src/store/processor-ledger.repository.js'
import { bindTransactionToAttempt, findTransaction } from '../../src/store/transaction.repository.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { csrfOf, executePayment, getPage, paymentIdOf, paymentStatus, postForm, submitCard } from './checkout-support.js'

const CALLBACK = 'https://merchant.example.test/ok'
const ERROR = 'https://merchant.example.test/ko'

for (const dialect of DIALECTS) {
  describe(`${dialect}: customer charges interrupted mid-way`, () => {
    let app: TestApp
    let apiKey: string
    let merchantId: number

    beforeAll(async () => {
      app = await startTestApp(dialect)
      const created = await app.createMerchant()
      apiKey = created.apiKey
      merchantId = created.merchant.id
    })
    afterAll(async () => app?.close())

    /** A hosted payment waiting at its OTP step: the OTP URL and the transaction's internal id. */
    const waitingForOtp = async () => {
      const { PaymentURL } = await executePayment(app, apiKey, { CallBackUrl: CALLBACK, ErrorUrl: ERROR })
      const submitted = await submitCard(PaymentURL, { number: '5123450000000008' })
      const otpUrl = submitted.location ?? ''
      const id = fromPaymentId(new URL(otpUrl).searchParams.get('paymentId') ?? '', app.deps.ids)
      if (id === undefined) throw new Error('no payment id')
      return { PaymentURL, otpUrl, id }
    }

    /**
     * What a process leaves behind when it opened the charge of transaction `id` and died before
     * recording it: an open attempt bound to the transaction, leased until `leaseUntil` (real time).
     */
    const openAttemptOf = async (id: number, leaseUntil: number): Promise<number> => {
      const db = app.deps.store.db
      return db.transaction().execute(async (trx) => {
        const transaction = await findTransaction(trx, merchantId, id)
        if (!transaction) throw new Error('no transaction')
        const [attempt] = await insertAttempts(trx, [
          { merchant_id: merchantId, invoice_id: transaction.invoice_id, kind: 'customer', recurrence_id: null, cycle: null, attempt_number: null, lease_until: leaseUntil, created_at: Date.now() },
        ])
        if (!attempt || !(await bindTransactionToAttempt(trx, id, attempt.id, 'track', Date.now()))) throw new Error('not opened')
        return attempt.id
      })
    }

    it('a charge under way blocks a second payment of the invoice', async () => {
      const first = await waitingForOtp()
      const second = await submitCard(first.PaymentURL, { number: '5123450000000008' })
      await openAttemptOf(first.id, Date.now() + 60_000)
      const page = await getPage(second.location ?? '')
      const blocked = await postForm(second.location ?? '', { csrf: csrfOf(page.html), otp: '123456' })
      expect(blocked.status).toBe(202)
      expect(blocked.html).toContain('Your payment is being processed')
      expect(blocked.html).toContain('http-equiv="refresh"')
      const waiting = await getPage(first.otpUrl)
      expect(waiting.status).toBe(202)
    })

    it('an abandoned charge the processor approved is recorded as paid, once, when the customer looks again', async () => {
      const { otpUrl, id } = await waitingForOtp()
      const attemptId = await openAttemptOf(id, Date.now() - 1)
      const transaction = await findTransaction(app.deps.store.db, merchantId, id)
      const token = await findCardTokenById(app.deps.store.db, merchantId, transaction?.card_token_id ?? 0)
      if (!transaction || !token) throw new Error('no token')
      const before = await countApprovedCharges(app.deps.store.db, { merchantId })
      // The process charged the card, then died before recording the outcome.
      await app.deps.processor.charge(
        {
          idempotencyKey: attemptIdempotencyKey(attemptId),
          merchantId,
          amountMinor: transaction.amount_minor,
          currency: 'KWD',
          card: { number: readCardNumber(app.deps.vault, token), expiryMonth: token.expiry_month, expiryYear: token.expiry_year, securityCode: null, holderName: null },
          cardTokenId: token.id,
          purpose: 'customer',
        },
        Date.now(),
      )
      const revisit = await getPage(otpUrl)
      expect(revisit.status).toBe(303)
      const settled = await getPage(revisit.location ?? '')
      expect(settled.status).toBe(303)
      expect(settled.location?.startsWith(CALLBACK)).toBe(true)
      const status = await paymentStatus(app, apiKey, paymentIdOf(settled.location ?? ''))
      expect(status.InvoiceStatus).toBe('Paid')
      expect(await countApprovedCharges(app.deps.store.db, { merchantId })).toBe(before + 1)
      expect((await findAttempt(app.deps.store.db, attemptId))?.status).toBe('approved')
    })

    it('an abandoned charge the processor never received is sent again under its key by the recovery pass, once', async () => {
      const { otpUrl, id } = await waitingForOtp()
      const attemptId = await openAttemptOf(id, Date.now() - 1)
      const before = await countApprovedCharges(app.deps.store.db, { merchantId })
      expect(await recoverCustomerAttempts(app.deps)).toMatchObject({ recovered: 1, unresolved: 0 })
      expect(await recoverCustomerAttempts(app.deps)).toMatchObject({ recovered: 0, unresolved: 0 })
      const ledger = await listLedger(app.deps.store.db)
      expect(ledger.filter((entry) => entry.idempotency_key === attemptIdempotencyKey(attemptId))).toHaveLength(1)
      expect(await countApprovedCharges(app.deps.store.db, { merchantId })).toBe(before + 1)
      const target = (await getPage(otpUrl)).location ?? ''
      expect(target.startsWith(CALLBACK)).toBe(true)
      const status = await paymentStatus(app, apiKey, paymentIdOf(target))
      expect(status.InvoiceStatus).toBe('Paid')
      expect(status.InvoiceTransactions).toHaveLength(1)
    })

    it('a charge whose lease still runs is left to its process', async () => {
      const { id } = await waitingForOtp()
      await openAttemptOf(id, Date.now() + 60_000)
      expect(await recoverCustomerAttempts(app.deps, { merchantId })).toMatchObject({ recovered: 0 })
      expect(await listAttempts(app.deps.store.db, { merchantId, status: 'open' })).toHaveLength(2)
    })
  })
}
