import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { attemptIdempotencyKey } from '../../src/domain/charge.js'
import { fromPaymentId, fromRecurringId } from '../../src/domain/public-ids.js'
import { TEST_CARDS } from '../../src/processor/test-processor.js'
import { setInvoiceExpiry } from '../../src/store/invoice.repository.js'
import { countApprovedCharges, listLedger } from '../../src/store/processor-ledger.repository.js'
import { findRecurrence } from '../../src/store/recurrence.repository.js'
import { findTransaction } from '../../src/store/transaction.repository.js'
import { listRows } from '../../src/store/table-inspection.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { csrfOf, executePayment, getPage, payHosted, paymentIdOf, paymentStatus, postForm, submitCard, submitOtp } from './checkout-support.js'

const CALLBACK = 'https://merchant.example.test/return?order=7'
const ERROR = 'https://merchant.example.test/failed'

/** Expected transaction outcome of each test card of docs/test-cards.md, paid once by a customer. */
const CUSTOMER_OUTCOMES: Record<string, string> = {
  '5123450000000008': 'Succss',
  '4508750015741019': 'Succss',
  '2223000000000007': 'Succss',
  '4000000000000002': 'MF002',
  '4000000000009995': 'MF004',
  '4000000000000069': 'MF007',
  '4000000000000127': 'MF010',
  '4000000000000119': 'MF008',
  '4000000000000341': 'Succss',
  '4000000000001018': 'Succss',
  '4000000000001026': 'Succss',
  '4000000000001034': 'Succss',
  '4000000000002016': 'Succss',
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: hosted checkout`, () => {
    let app: TestApp
    let apiKey: string
    let merchantId: number

    beforeAll(async () => {
      app = await startTestApp(dialect)
      const created = await app.createMerchant({ webhookUrl: 'https://hooks.example.test/dawri' })
      apiKey = created.apiKey
      merchantId = created.merchant.id
    })
    afterAll(async () => app?.close())

    const invoice = (body: Record<string, unknown> = {}) =>
      executePayment(app, apiKey, { CallBackUrl: CALLBACK, ErrorUrl: ERROR, CustomerName: 'Sara', ...body })
    const approvedCharges = () => countApprovedCharges(app.deps.store.db, { merchantId })

    it('renders the checkout page: summary, autocomplete fields, CSRF, strict CSP, sandbox banner', async () => {
      const { PaymentURL } = await invoice({
        InvoiceValue: 1234.5,
        InvoiceItems: [{ ItemName: 'Gym <membership>', Quantity: 1, UnitPrice: 1234.5 }],
      })
      expect(PaymentURL).toMatch(/\/En\/KWT\/PayInvoice\/Checkout\?invoiceKey=[\w-]+&paymentGatewayId=2$/)
      const page = await getPage(PaymentURL)
      expect(page.status).toBe(200)
      expect(page.headers.get('content-type')).toContain('text/html')
      const csp = page.headers.get('content-security-policy') ?? ''
      expect(csp).toContain("default-src 'none'")
      expect(csp).toContain("style-src 'self'")
      expect(csp).not.toContain('unsafe-inline')
      expect(csp).not.toContain('script-src')
      expect(csp).toContain('https://merchant.example.test')
      expect(page.headers.get('x-frame-options')).toBe('DENY')
      expect(page.html).toContain('<html lang="en" dir="ltr">')
      expect(page.html).toContain('Test Merchant')
      expect(page.html).toContain('1,234.500 KWD')
      expect(page.html).toContain('Gym &lt;membership&gt;')
      expect(page.html).not.toContain('<script')
      expect(page.html).not.toMatch(/style="/)
      for (const token of ['cc-name', 'cc-number', 'cc-exp-month', 'cc-exp-year', 'cc-csc']) {
        expect(page.html).toContain(`autocomplete="${token}"`)
      }
      for (const id of ['cc-name', 'cc-number', 'cc-exp-month', 'cc-exp-year', 'cc-csc']) {
        expect(page.html).toContain(`<label for="${id}">`)
      }
      expect(csrfOf(page.html)).toMatch(/^[0-9a-z]+\.[\w-]{20,}$/)
      for (const card of TEST_CARDS) expect(page.html).toContain(card.number)
      expect(page.html).toContain('123456')
      const css = await fetch(new URL('/pages/checkout.css', PaymentURL))
      expect(css.status).toBe(200)
      expect(css.headers.get('content-type')).toContain('text/css')
    })

    it('renders Arabic right-to-left on the Ar URL', async () => {
      const { PaymentURL } = await invoice({ Language: 'AR' })
      expect(PaymentURL).toContain('/Ar/KWT/PayInvoice/Checkout')
      const page = await getPage(PaymentURL)
      expect(page.html).toContain('<html lang="ar" dir="rtl">')
      expect(page.html).toContain('رقم البطاقة')
      const english = await getPage(PaymentURL.replace('/Ar/', '/En/'))
      expect(english.html).toContain('Card number')
    })

    it('approved card: OTP step, then CallBackUrl with paymentId and Id; GetPaymentStatus shows Paid/Succss', async () => {
      const { PaymentURL, InvoiceId } = await invoice()
      const before = await approvedCharges()
      const submitted = await submitCard(PaymentURL, { number: '5123 4500 0000 0008' })
      expect(submitted.status).toBe(303)
      const otpUrl = submitted.location ?? ''
      expect(otpUrl).toMatch(/\/En\/KWT\/PayInvoice\/MpgsAuthentication\?paymentId=0707\d{10}&sessionId=[\w-]+$/)
      const otpPage = await getPage(otpUrl)
      expect(otpPage.html).toContain('autocomplete="one-time-code"')
      expect(otpPage.html).toContain('512345xxxxxx0008')
      expect(await approvedCharges()).toBe(before)
      const done = await submitOtp(otpUrl, '123456')
      expect(done.status).toBe(303)
      const paymentId = paymentIdOf(done.location ?? '')
      expect(done.location).toBe(`${CALLBACK}&paymentId=${paymentId}&Id=${paymentId}`)
      expect(await approvedCharges()).toBe(before + 1)
      const status = await paymentStatus(app, apiKey, paymentId)
      expect(status.InvoiceId).toBe(InvoiceId)
      expect(status.InvoiceStatus).toBe('Paid')
      expect(status.InvoiceTransactions).toHaveLength(1)
      const transaction = status.InvoiceTransactions[0]
      expect(transaction).toMatchObject({ TransactionStatus: 'Succss', PaymentId: paymentId, CardNumber: '512345xxxxxx0008', ErrorCode: '' })
      expect(transaction.Card).toMatchObject({ Number: '512345xxxxxx0008', Brand: 'Mastercard', NameOnCard: 'Test Holder', Token: '' })
      expect(transaction.AuthorizationId).toMatch(/^\d{6}$/)
      // The payment's webhook event committed with it.
      const events = (await listRows(app.deps.store.db, 'outbox_events')).filter((event) => event.merchant_id === merchantId)
      expect(events.some((event) => event.event_code === 1)).toBe(true)
      // Coming back to the OTP URL later sends the customer on again, without a second charge.
      const again = await getPage(otpUrl)
      expect(again.status).toBe(303)
      expect(again.location).toBe(done.location)
      expect(await approvedCharges()).toBe(before + 1)
    })

    it.each(Object.entries(CUSTOMER_OUTCOMES))('test card %s gives %s', async (number, expected) => {
      const { PaymentURL } = await invoice()
      const target = await payHosted(PaymentURL, { number })
      const paymentId = paymentIdOf(target)
      const status = await paymentStatus(app, apiKey, paymentId)
      const transaction = status.InvoiceTransactions.at(-1)
      if (expected === 'Succss') {
        expect(target.startsWith(CALLBACK)).toBe(true)
        expect(status.InvoiceStatus).toBe('Paid')
        expect(transaction.TransactionStatus).toBe('Succss')
      } else {
        expect(target).toBe(`${ERROR}?paymentId=${paymentId}&Id=${paymentId}`)
        expect(status.InvoiceStatus).toBe('Pending')
        expect(transaction).toMatchObject({ TransactionStatus: 'Failed', ErrorCode: expected })
        expect(transaction.Error).toBeTruthy()
      }
      // Whatever happened, the processor saw this payment at most once.
      const charged = await findTransaction(app.deps.store.db, merchantId, fromPaymentId(paymentId, app.deps.ids) ?? 0)
      const entries = (await listLedger(app.deps.store.db)).filter((entry) => entry.idempotency_key === attemptIdempotencyKey(charged?.attempt_id ?? 0))
      expect(entries).toHaveLength(1)
    })

    it('a past expiry date fails with MF007 on any card', async () => {
      const { PaymentURL } = await invoice()
      const target = await payHosted(PaymentURL, { number: '5123450000000008', expiryMonth: '01', expiryYear: '20' })
      const status = await paymentStatus(app, apiKey, paymentIdOf(target))
      expect(status.InvoiceTransactions[0]).toMatchObject({ TransactionStatus: 'Failed', ErrorCode: 'MF007' })
    })

    it('wrong OTP: Failed MF001, nothing charged, ErrorUrl with the same parameters', async () => {
      const { PaymentURL } = await invoice()
      const before = await approvedCharges()
      const ledgerBefore = (await listLedger(app.deps.store.db)).length
      const target = await payHosted(PaymentURL, { number: '5123450000000008' }, '000000')
      const paymentId = paymentIdOf(target)
      expect(target).toBe(`${ERROR}?paymentId=${paymentId}&Id=${paymentId}`)
      const status = await paymentStatus(app, apiKey, paymentId)
      expect(status.InvoiceStatus).toBe('Pending')
      expect(status.InvoiceTransactions[0]).toMatchObject({ TransactionStatus: 'Failed', ErrorCode: 'MF001', Error: '3-D Secure authentication failed' })
      expect(await approvedCharges()).toBe(before)
      expect((await listLedger(app.deps.store.db)).length).toBe(ledgerBefore)
      // The customer can try again on the same invoice.
      const retry = await payHosted(PaymentURL, { number: '5123450000000008' })
      expect(retry.startsWith(CALLBACK)).toBe(true)
    })

    it('shows field errors on the form, never echoing the card number or security code', async () => {
      const { PaymentURL } = await invoice()
      const page = await submitCard(PaymentURL, { number: '4111 1111 1111 1112', expiryMonth: '13', securityCode: '98', holderName: 'Nora <b>' })
      expect(page.status).toBe(400)
      expect(page.html).toContain('role="alert"')
      expect(page.html).toContain('aria-invalid="true"')
      expect(page.html).toContain('Enter a valid card number.')
      expect(page.html).toContain('Enter the month as two digits')
      expect(page.html).toContain('security code')
      expect(page.html).toContain('value="Nora &lt;b&gt;"')
      expect(page.html).not.toContain('4111')
      expect(page.html).not.toContain('value="98"')
    })

    it('refuses a form without a valid CSRF token or from another origin', async () => {
      const { PaymentURL } = await invoice()
      const forged = await postForm(PaymentURL, { csrf: 'abc.def', number: '5123450000000008', expiryMonth: '01', expiryYear: '39', securityCode: '100' })
      expect(forged.status).toBe(403)
      expect(forged.html).toContain('This form has expired')
      const page = await getPage(PaymentURL)
      const crossSite = await postForm(
        PaymentURL,
        { csrf: csrfOf(page.html), number: '5123450000000008', expiryMonth: '01', expiryYear: '39', securityCode: '100' },
        { origin: 'https://evil.example.test' },
      )
      expect(crossSite.status).toBe(403)
      const rows = (await listRows(app.deps.store.db, 'transactions')).filter((row) => row.merchant_id === merchantId)
      expect(rows.every((row) => row.created_at > 0)).toBe(true)
    })

    it('double submission of both forms charges once', async () => {
      const { PaymentURL, InvoiceId } = await invoice()
      const before = await approvedCharges()
      // Two card submissions at once: two transactions waiting for their OTP.
      const [first, second] = await Promise.all([submitCard(PaymentURL, { number: '5123450000000008' }), submitCard(PaymentURL, { number: '5123450000000008' })])
      expect(first.status).toBe(303)
      expect(second.status).toBe(303)
      const otpUrls = [first.location ?? '', second.location ?? '']
      const pages = await Promise.all(otpUrls.map((url) => getPage(url)))
      // Each OTP form submitted twice, all four at once.
      const results = await Promise.all(
        [0, 1, 0, 1].map((index) => postForm(otpUrls[index] ?? '', { csrf: csrfOf(pages[index]?.html ?? ''), otp: '123456' })),
      )
      expect(await approvedCharges()).toBe(before + 1)
      const redirected = results.filter((result) => result.status === 303 && result.location?.startsWith(CALLBACK))
      expect(redirected.length).toBeGreaterThanOrEqual(1)
      // The tab that lost no longer has a payment: never charged, it was discarded with the win (404 page).
      for (const result of results) expect([200, 202, 303, 404, 409]).toContain(result.status)
      const status = await paymentStatus(app, apiKey, paymentIdOf(redirected[0]?.location ?? ''))
      expect(status.InvoiceId).toBe(InvoiceId)
      expect(status.InvoiceStatus).toBe('Paid')
      expect(status.InvoiceTransactions.filter((t: { TransactionStatus: string }) => t.TransactionStatus === 'Succss')).toHaveLength(1)
    })

    it('a paid invoice shows a clear page and is never charged again', async () => {
      const { PaymentURL } = await invoice()
      await payHosted(PaymentURL, { number: '5123450000000008' })
      const before = await approvedCharges()
      const page = await getPage(PaymentURL)
      expect(page.status).toBe(200)
      expect(page.html).toContain('This invoice is already paid')
      expect(page.html).not.toContain('<form')
      const posted = await postForm(PaymentURL, { csrf: 'x', number: '5123450000000008', expiryMonth: '01', expiryYear: '39', securityCode: '100' })
      expect(posted.html).toContain('This invoice is already paid')
      expect(await approvedCharges()).toBe(before)
    })

    it('an expired invoice shows a clear page', async () => {
      const { PaymentURL, InvoiceId } = await invoice()
      const key = new URL(PaymentURL).searchParams.get('invoiceKey') ?? ''
      await setInvoiceExpiry(app.deps.store.db, key, Date.now() - 1000)
      const page = await getPage(PaymentURL)
      expect(page.status).toBe(410)
      expect(page.html).toContain('This invoice has expired')
      expect(page.html).not.toMatch(/at .*\.js:\d+/)
      expect(InvoiceId).toBeGreaterThan(0)
    })

    it('unknown payment links are a 404 page', async () => {
      const base = app.baseUrl
      for (const url of [
        `${base}/En/KWT/PayInvoice/Checkout?invoiceKey=nope&paymentGatewayId=2`,
        `${base}/En/KWT/PayInvoice/Checkout`,
        `${base}/Fr/KWT/PayInvoice/Checkout?invoiceKey=nope`,
        `${base}/En/KWT/PayInvoice/MpgsAuthentication?paymentId=07070000000001&sessionId=x`,
        `${base}/Ar/KWT/PayInvoice/Result?paymentId=1`,
      ]) {
        const page = await getPage(url)
        expect(page.status, url).toBe(404)
        expect(page.headers.get('content-type')).toContain('text/html')
        expect(page.html).toMatch(/Payment link not found|رابط الدفع غير موجود/)
      }
    })

    it('the OTP step opens only with its access key', async () => {
      const { PaymentURL } = await invoice()
      const submitted = await submitCard(PaymentURL, { number: '5123450000000008' })
      const url = new URL(submitted.location ?? '')
      url.searchParams.set('sessionId', 'guessed')
      expect((await getPage(url.toString())).status).toBe(404)
      url.searchParams.delete('sessionId')
      expect((await getPage(url.toString())).status).toBe(404)
    })

    it('without CallBackUrl the customer lands on our result page', async () => {
      const { PaymentURL } = await executePayment(app, apiKey, {})
      const target = await payHosted(PaymentURL, { number: '4508750015741019' })
      expect(target).toMatch(/\/En\/KWT\/PayInvoice\/Result\?paymentId=0707\d{10}$/)
      const result = await getPage(target)
      expect(result.status).toBe(200)
      expect(result.html).toContain('Payment successful')
      const failed = await payHosted((await executePayment(app, apiKey, {})).PaymentURL, { number: '4000000000000002' })
      expect((await getPage(failed)).html).toContain('MF002')
    })

    it('KNET: simulated PIN page, the demo card with 09/30 is captured, anything else declined', async () => {
      const { PaymentURL } = await invoice({ PaymentMethodId: 1 })
      const page = await getPage(PaymentURL)
      expect(page.html).toContain('name="pin"')
      expect(page.html).toContain('8888880000000001')
      const pay = (expiryMonth: string, expiryYear: string, url = PaymentURL) =>
        getPage(url).then((form) => postForm(url, { csrf: csrfOf(form.html), number: '8888880000000001', expiryMonth, expiryYear, pin: '1234' }))
      const declined = await pay('10', '30')
      expect(declined.status).toBe(303)
      expect(declined.location?.startsWith(ERROR)).toBe(true)
      const failed = await paymentStatus(app, apiKey, paymentIdOf(declined.location ?? ''))
      expect(failed.InvoiceTransactions[0]).toMatchObject({ TransactionStatus: 'Failed', ErrorCode: 'MF002', PaymentGateway: 'KNET' })
      const captured = await pay('09', '30')
      expect(captured.location?.startsWith(CALLBACK)).toBe(true)
      const paid = await paymentStatus(app, apiKey, paymentIdOf(captured.location ?? ''))
      expect(paid.InvoiceStatus).toBe('Paid')
      const invalid = await getPage(PaymentURL)
      expect(invalid.html).toContain('This invoice is already paid')
    })

    it('the first payment of a recurring invoice activates its recurrence', async () => {
      const { PaymentURL, RecurringId } = await invoice({ RecurringModel: { RecurringType: 'Monthly', Iteration: 3 } })
      expect(RecurringId).toMatch(/^RECUR\d+$/)
      await payHosted(PaymentURL, { number: '5123450000000008' })
      const recurrence = await findRecurrence(app.deps.store.db, merchantId, fromRecurringId(RecurringId, app.deps.ids) ?? -1)
      expect(recurrence?.status).toBe('Active')
      expect(recurrence?.card_token_id).not.toBeNull()
    })
  })
}
