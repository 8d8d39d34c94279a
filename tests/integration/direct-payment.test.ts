import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { countApprovedCharges } from '../../src/store/processor-ledger.repository.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { executePayment, paymentIdOf, paymentStatus, submitOtp } from './checkout-support.js'

const CALLBACK = 'https://merchant.example.test/paid'
const ERROR = 'https://merchant.example.test/failed'

const CARD = { Number: '5123450000000008', ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100', HolderName: 'Test Holder' }

for (const dialect of DIALECTS) {
  describe(`${dialect}: DirectPayment`, () => {
    let app: TestApp
    let apiKey: string
    let bypassKey: string
    let bypassMerchantId: number
    let otherKey: string

    beforeAll(async () => {
      app = await startTestApp(dialect)
      apiKey = (await app.createMerchant()).apiKey
      const bypass = await app.createMerchant({ bypass3ds: true })
      bypassKey = bypass.apiKey
      bypassMerchantId = bypass.merchant.id
      otherKey = (await app.createMerchant()).apiKey
    })
    afterAll(async () => app?.close())

    /** A direct-payment invoice; its PaymentURL is the DirectPayment endpoint. */
    const directInvoice = async (key = apiKey) => {
      const data = await executePayment(app, key, { PaymentMethodId: 9, CallBackUrl: CALLBACK, ErrorUrl: ERROR })
      expect(data).toMatchObject({ IsDirectPayment: true })
      expect(data.PaymentURL).toMatch(/\/v2\/DirectPayment\/[\w-]+\/9$/)
      return data
    }
    const pay = (url: string, body: unknown, key = apiKey, headers: Record<string, string> = {}) =>
      app.call('POST', new URL(url).pathname, key, body, headers)

    it('card: tokenises, answers with the OTP step and CardInfo; the OTP completes the payment', async () => {
      const { PaymentURL, InvoiceId } = await directInvoice()
      const response = await pay(PaymentURL, { PaymentType: 'card', Card: CARD })
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      expect(response.body.IsSuccess).toBe(true)
      const data = response.body.Data
      expect(data).toMatchObject({
        Status: 'SUCCESS',
        ErrorMessage: '',
        Token: '',
        CardInfo: { Number: '512345xxxxxx0008', ExpiryMonth: '01', ExpiryYear: '39', Brand: 'Mastercard', Issuer: 'Test Bank' },
      })
      expect(data.PaymentId).toMatch(/^0707\d{10}$/)
      expect(data.PaymentURL).toContain(`/PayInvoice/MpgsAuthentication?paymentId=${data.PaymentId}&sessionId=`)
      const pending = await paymentStatus(app, apiKey, data.PaymentId)
      expect(pending.InvoiceStatus).toBe('Pending')
      expect(pending.InvoiceTransactions[0]).toMatchObject({ TransactionStatus: 'InProgress', PaymentGateway: 'Visa/Master Direct' })
      const done = await submitOtp(data.PaymentURL, '123456')
      expect(done.location).toBe(`${CALLBACK}?paymentId=${data.PaymentId}&Id=${data.PaymentId}`)
      const paid = await paymentStatus(app, apiKey, data.PaymentId)
      expect(paid).toMatchObject({ InvoiceId, InvoiceStatus: 'Paid' })
      expect(paid.InvoiceTransactions[0].TransactionStatus).toBe('Succss')
    })

    it('binds camelCase keys and ignores extra fields (reference §11)', async () => {
      const { PaymentURL } = await directInvoice()
      const response = await pay(PaymentURL, {
        paymentType: 'card',
        card: { number: '4508750015741019', expiryMonth: '5', expiryYear: '2031', securityCode: '123' },
        saveToken: false,
        IsRecurring: false,
        IntervalDays: 0,
      })
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      expect(response.body.Data.CardInfo).toMatchObject({ Number: '450875xxxxxx1019', ExpiryMonth: '05', ExpiryYear: '31', Brand: 'Visa' })
    })

    it('SaveToken returns a token that pays the next invoice', async () => {
      const first = await directInvoice()
      const saved = await pay(first.PaymentURL, { PaymentType: 'card', Card: CARD, SaveToken: true })
      const token = saved.body.Data.Token
      expect(token).toMatch(/^TKN-[0-9a-f-]{36}$/)
      await submitOtp(saved.body.Data.PaymentURL, '123456')
      const status = await paymentStatus(app, apiKey, saved.body.Data.PaymentId)
      expect(status.InvoiceTransactions[0].Card.Token).toBe(token)

      const second = await directInvoice()
      const byToken = await pay(second.PaymentURL, { PaymentType: 'token', Token: token })
      expect(byToken.status, JSON.stringify(byToken.body)).toBe(200)
      expect(byToken.body.Data).toMatchObject({ Status: 'SUCCESS', Token: token, CardInfo: { Number: '512345xxxxxx0008' } })
      const done = await submitOtp(byToken.body.Data.PaymentURL, '123456')
      expect(done.location?.startsWith(CALLBACK)).toBe(true)
      expect((await paymentStatus(app, apiKey, byToken.body.Data.PaymentId)).InvoiceStatus).toBe('Paid')

      // Tokens are bound to their merchant.
      const foreign = await directInvoice(otherKey)
      const refused = await pay(foreign.PaymentURL, { PaymentType: 'token', Token: token }, otherKey)
      expect(refused.status).toBe(400)
      expect(refused.body.ValidationErrors).toEqual([{ Name: 'Token', Error: 'Token is not valid' }])
    })

    it('Bypass3DS is refused without the feature', async () => {
      const { PaymentURL } = await directInvoice()
      const response = await pay(PaymentURL, { PaymentType: 'card', Card: CARD, Bypass3DS: true })
      expect(response.status).toBe(400)
      expect(response.body.ValidationErrors).toEqual([{ Name: 'Bypass3DS', Error: 'Bypass3DS is not enabled for this account' }])
    })

    it('Bypass3DS with the feature charges at once; PaymentURL is the result page', async () => {
      const before = await countApprovedCharges(app.deps.store.db, { merchantId: bypassMerchantId })
      const { PaymentURL } = await directInvoice(bypassKey)
      const approved = await pay(PaymentURL, { PaymentType: 'card', Card: CARD, Bypass3DS: true }, bypassKey)
      expect(approved.status, JSON.stringify(approved.body)).toBe(200)
      expect(approved.body.Data).toMatchObject({ Status: 'SUCCESS', ErrorMessage: '' })
      expect(approved.body.Data.PaymentURL).toContain(`/PayInvoice/Result?paymentId=${approved.body.Data.PaymentId}`)
      expect(await countApprovedCharges(app.deps.store.db, { merchantId: bypassMerchantId })).toBe(before + 1)
      expect((await paymentStatus(app, bypassKey, approved.body.Data.PaymentId)).InvoiceStatus).toBe('Paid')

      const declinedInvoice = await directInvoice(bypassKey)
      const declined = await pay(declinedInvoice.PaymentURL, { PaymentType: 'card', Card: { ...CARD, Number: '4000000000009995' }, Bypass3DS: true }, bypassKey)
      expect(declined.body.Data).toMatchObject({ Status: 'FAILURE', ErrorMessage: 'Insufficient funds' })
      const failed = await paymentStatus(app, bypassKey, declined.body.Data.PaymentId)
      expect(failed.InvoiceTransactions[0]).toMatchObject({ TransactionStatus: 'Failed', ErrorCode: 'MF004' })
    })

    it("another merchant's invoice is a 404 envelope", async () => {
      const { PaymentURL } = await directInvoice()
      const response = await pay(PaymentURL, { PaymentType: 'card', Card: CARD }, otherKey)
      expect(response.status).toBe(404)
      expect(response.body).toMatchObject({ IsSuccess: false, Data: null })
      const unknown = await app.call('POST', '/v2/DirectPayment/no-such-key/9', apiKey, { PaymentType: 'card', Card: CARD })
      expect(unknown.status).toBe(404)
      const noAuth = await app.call('POST', new URL(PaymentURL).pathname, null, { PaymentType: 'card', Card: CARD })
      expect(noAuth.status).toBe(401)
    })

    it('lists every bad field, refuses non-direct gateways and paid invoices', async () => {
      const { PaymentURL } = await directInvoice()
      const bad = await pay(PaymentURL, { PaymentType: 'card', Card: { Number: '4111111111111112', ExpiryMonth: '13', ExpiryYear: 'x', SecurityCode: '1' } })
      expect(bad.status).toBe(400)
      const names = bad.body.ValidationErrors.map((error: { Name: string }) => error.Name)
      expect(names).toEqual(expect.arrayContaining(['Card.Number', 'Card.ExpiryMonth', 'Card.ExpiryYear', 'Card.SecurityCode']))
      expect(JSON.stringify(bad.body)).not.toContain('4111111111111112')
      const missing = await pay(PaymentURL, {})
      expect(missing.body.ValidationErrors).toEqual([{ Name: 'PaymentType', Error: 'PaymentType is required' }])

      const hosted = await app.call('POST', new URL(PaymentURL).pathname.replace(/\/9$/, '/2'), apiKey, { PaymentType: 'card', Card: CARD })
      expect(hosted.status).toBe(400)
      expect(hosted.body.ValidationErrors[0].Name).toBe('paymentGatewayId')

      const direct = await pay(PaymentURL, { PaymentType: 'card', Card: CARD, SaveToken: false })
      await submitOtp(direct.body.Data.PaymentURL, '123456')
      const again = await pay(PaymentURL, { PaymentType: 'card', Card: CARD })
      expect(again.status).toBe(400)
      expect(again.body.Message).toBe('This invoice is already paid')
    })

    it('honours Idempotency-Key: one transaction for a repeated request', async () => {
      const { PaymentURL } = await directInvoice()
      const headers = { 'Idempotency-Key': `direct-${Date.now()}` }
      const first = await pay(PaymentURL, { PaymentType: 'card', Card: CARD }, apiKey, headers)
      const second = await pay(PaymentURL, { PaymentType: 'card', Card: CARD }, apiKey, headers)
      expect(second.body).toEqual(first.body)
      const status = await paymentStatus(app, apiKey, first.body.Data.PaymentId)
      expect(status.InvoiceTransactions).toHaveLength(1)
      // The wrong OTP fails this payment with MF001 and redirects to the ErrorUrl.
      const failed = await submitOtp(first.body.Data.PaymentURL, '654321')
      expect(paymentIdOf(failed.location ?? '')).toBe(first.body.Data.PaymentId)
      expect(failed.location?.startsWith(ERROR)).toBe(true)
    })
  })
}
