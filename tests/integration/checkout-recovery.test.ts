import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { fromPaymentId } from '../../src/domain/public-ids.js'
import { chargeKey } from '../../src/services/payment-claim.js'
import { findCardTokenById, readCardNumber } from '../../src/store/card-token.repository.js'
import { countApprovedCharges, listLedger } from '../../src/store/processor-ledger.repository.js'
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
    /** What a process that claimed the charge and then died leaves behind. */
    const markClaimed = (id: number, ageMs: number) =>
      app.deps.store.db.updateTable('transactions').set({ track_id: 'claimed', updated_at: Date.now() - ageMs }).where('id', '=', id).execute()

    it('a charge under way blocks a second payment of the invoice', async () => {
      const first = await waitingForOtp()
      const second = await submitCard(first.PaymentURL, { number: '5123450000000008' })
      await markClaimed(first.id, 0)
      const page = await getPage(second.location ?? '')
      const blocked = await postForm(second.location ?? '', { csrf: csrfOf(page.html), otp: '123456' })
      expect(blocked.status).toBe(202)
      expect(blocked.html).toContain('Your payment is being processed')
      expect(blocked.html).toContain('http-equiv="refresh"')
      const waiting = await getPage(first.otpUrl)
      expect(waiting.status).toBe(202)
    })

    it('an abandoned charge the processor approved is recorded as paid, once', async () => {
      const { otpUrl, id } = await waitingForOtp()
      const transaction = await app.deps.store.db.selectFrom('transactions').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
      const token = await findCardTokenById(app.deps.store.db, merchantId, transaction.card_token_id ?? 0)
      if (!token) throw new Error('no token')
      const before = await countApprovedCharges(app.deps.store.db, { merchantId })
      // The process charged the card, then died before recording the outcome.
      await app.deps.processor.charge(
        {
          idempotencyKey: chargeKey(id),
          merchantId,
          amountMinor: transaction.amount_minor,
          currency: 'KWD',
          card: { number: readCardNumber(app.deps.vault, token), expiryMonth: token.expiry_month, expiryYear: token.expiry_year, securityCode: null, holderName: null },
          cardTokenId: token.id,
          purpose: 'customer',
        },
        Date.now(),
      )
      await markClaimed(id, 10 * 60_000)
      const revisit = await getPage(otpUrl)
      expect(revisit.status).toBe(303)
      const settled = await getPage(revisit.location ?? '')
      expect(settled.status).toBe(303)
      expect(settled.location?.startsWith(CALLBACK)).toBe(true)
      const status = await paymentStatus(app, apiKey, paymentIdOf(settled.location ?? ''))
      expect(status.InvoiceStatus).toBe('Paid')
      expect(await countApprovedCharges(app.deps.store.db, { merchantId })).toBe(before + 1)
    })

    it('an abandoned charge the processor never received fails MF008, and the invoice can be paid again', async () => {
      const { PaymentURL, otpUrl, id } = await waitingForOtp()
      await markClaimed(id, 10 * 60_000)
      const settled = await getPage(otpUrl)
      const target = (await getPage(settled.location ?? '')).location ?? ''
      expect(target.startsWith(ERROR)).toBe(true)
      const status = await paymentStatus(app, apiKey, paymentIdOf(target))
      expect(status.InvoiceTransactions[0]).toMatchObject({ TransactionStatus: 'Failed', ErrorCode: 'MF008' })
      expect((await listLedger(app.deps.store.db)).some((entry) => entry.idempotency_key === chargeKey(id))).toBe(false)
      const retry = await submitCard(PaymentURL, { number: '5123450000000008' })
      expect(retry.status).toBe(303)
    })
  })
}
