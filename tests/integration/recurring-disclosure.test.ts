import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { PAYMENT_ERRORS } from '../../src/domain/payment-errors.js'
import { arabicPaymentError } from '../../src/http/pages/i18n.js'
import { TEST_CARDS } from '../../src/processor/test-processor.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { executePayment, getPage, paymentIdOf, submitCard, submitOtp } from './checkout-support.js'

const CALLBACK = 'https://merchant.example.test/paid'
const CARD = { Number: '5123450000000008', ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100', HolderName: 'Test Holder' }

/** The merchant's clock: 12:00 in Kuwait on 31 January 2026, so that monthly renewals meet short months. */
const NOW = Date.parse('2026-01-31T09:00:00Z')

/** The disclosure block of a page, or undefined. */
const disclosureOf = (html: string) => /<section class="recurring"[\s\S]*?<\/section>/.exec(html)?.[0]
/** The visible text of some markup, whitespace collapsed. */
const textOf = (markup: string) => markup.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/\s+/g, ' ').trim()
/** Latin words of a text once MF codes are taken out. */
const latinWords = (text: string) => text.replace(/\bMF\d{3}\b/g, '').match(/[A-Za-z]+/g) ?? []
const arabic = (url: string) => url.replace(/\/En\//, '/Ar/')
const english = (url: string) => url.replace(/\/Ar\//, '/En/')

/** What a disclosure says in each language. */
interface Expected {
  readonly en: readonly string[]
  readonly ar: readonly string[]
}

/** Asserts the disclosure of a page: present with these texts, right before the pay button that names it. */
function expectDisclosure(html: string, texts: readonly string[]): void {
  const block = disclosureOf(html)
  expect(block, html.slice(0, 2000)).toBeDefined()
  const text = textOf(block ?? '')
  for (const expected of texts) expect(text).toContain(expected)
  // Next to the button: nothing but whitespace between the block and the button that it describes.
  expect(html).toMatch(/<\/section>\s*<button type="submit" class="primary" aria-describedby="recurring-terms">/)
}

const RECURRING_CASES: ReadonlyArray<{ name: string; model: Record<string, unknown>; expected: Expected }> = [
  {
    name: 'Monthly, 3 charges',
    model: { RecurringType: 'Monthly', Iteration: 3, RetryCount: 1 },
    expected: {
      en: ['Recurring payment', 'Each charge 10.000 KWD', 'How often Every month', 'Number of charges 3 charges, the last on 30 April 2026', 'First renewal 28 February 2026'],
      ar: ['دفع متكرر', 'مبلغ كل خصم 10.000 KWD', 'التكرار كل شهر', 'عدد مرات الخصم 3 مرات، آخرها في 30 أبريل 2026', 'أول تجديد 28 فبراير 2026'],
    },
  },
  {
    name: 'Daily, 5 charges',
    model: { RecurringType: 'Daily', Iteration: 5, RetryCount: 0 },
    expected: {
      en: ['Every day', '5 charges, the last on 5 February 2026', 'First renewal 1 February 2026'],
      ar: ['كل يوم', '5 مرات، آخرها في 5 فبراير 2026', 'أول تجديد 1 فبراير 2026'],
    },
  },
  {
    name: 'Custom every 10 days, 2 charges',
    model: { RecurringType: 'Custom', IntervalDays: 10, Iteration: 2, RetryCount: 0 },
    expected: {
      en: ['Every 10 days', '2 charges, the last on 20 February 2026', 'First renewal 10 February 2026'],
      ar: ['كل 10 أيام', 'مرتان، آخرها في 20 فبراير 2026', 'أول تجديد 10 فبراير 2026'],
    },
  },
  {
    name: 'Weekly until cancelled (Iteration 0)',
    model: { RecurringType: 'Weekly', Iteration: 0, RetryCount: 0 },
    expected: {
      en: ['Every week', 'Number of charges Until cancelled', 'First renewal 7 February 2026'],
      ar: ['كل أسبوع', 'عدد مرات الخصم حتى الإلغاء', 'أول تجديد 7 فبراير 2026'],
    },
  },
]

for (const dialect of DIALECTS) {
  describe(`${dialect}: recurring disclosure and Arabic pages`, () => {
    let app: TestApp
    let apiKey: string

    beforeAll(async () => {
      app = await startTestApp(dialect, { clock: { now: () => NOW } })
      apiKey = (await app.createMerchant()).apiKey
    })
    afterAll(async () => app?.close())

    const invoice = (body: Record<string, unknown> = {}) => executePayment(app, apiKey, { InvoiceValue: 10, CallBackUrl: CALLBACK, ...body })

    for (const { name, model, expected } of RECURRING_CASES) {
      it(`${name}: the checkout and OTP pages state the terms, in English and Arabic`, async () => {
        const { PaymentURL } = await invoice({ RecurringModel: model })
        expectDisclosure((await getPage(PaymentURL)).html, expected.en)
        expectDisclosure((await getPage(arabic(PaymentURL))).html, expected.ar)
        const submitted = await submitCard(PaymentURL, { number: '5123450000000008' })
        expect(submitted.status).toBe(303)
        const otpUrl = submitted.location ?? ''
        const otpPage = await getPage(otpUrl)
        expectDisclosure(otpPage.html, expected.en)
        expect(otpPage.html).toContain('Confirm payment</button>')
        const arabicOtp = await getPage(arabic(otpUrl))
        expectDisclosure(arabicOtp.html, expected.ar)
        expect(arabicOtp.html).toContain('<html lang="ar" dir="rtl">')
        expect(latinWords(textOf(disclosureOf(arabicOtp.html) ?? '')).filter((word) => word !== 'KWD')).toEqual([])
      })
    }

    it('a one-off invoice discloses nothing, in either language, on checkout and OTP', async () => {
      const { PaymentURL } = await invoice()
      for (const url of [PaymentURL, arabic(PaymentURL)]) {
        const page = await getPage(url)
        expect(page.status).toBe(200)
        expect(disclosureOf(page.html)).toBeUndefined()
        expect(page.html).not.toContain('recurring-terms')
      }
      const submitted = await submitCard(PaymentURL, { number: '5123450000000008' })
      for (const url of [submitted.location ?? '', arabic(submitted.location ?? '')]) {
        const page = await getPage(url)
        expect(page.status).toBe(200)
        expect(disclosureOf(page.html)).toBeUndefined()
      }
    })

    it('a cancelled Draft discloses nothing: paying its first invoice starts no charges', async () => {
      const { PaymentURL, RecurringId } = await invoice({ RecurringModel: { RecurringType: 'Monthly', Iteration: 2 } })
      expect(disclosureOf((await getPage(PaymentURL)).html)).toBeDefined()
      const cancelled = await app.call('POST', `/v2/CancelRecurringPayment?recurringId=${RecurringId}`, apiKey)
      expect(cancelled.body.Data, JSON.stringify(cancelled.body)).toBe(true)
      expect(disclosureOf((await getPage(PaymentURL)).html)).toBeUndefined()
    })

    it('Card View: a recurring session says the card is kept; the OTP step after ExecutePayment states the terms', async () => {
      const session = async (body: Record<string, unknown>) => (await app.call('POST', '/v2/InitiateSession', apiKey, body)).body.Data.SessionId as string
      const recurringSession = await session({ IsRecurring: true })
      const frameEn = await getPage(`${app.baseUrl}/cardview/frame?sessionId=${recurringSession}`)
      expect(frameEn.status).toBe(200)
      expect(frameEn.html).toContain('This card will be saved for recurring charges.')
      const frameAr = await getPage(`${app.baseUrl}/cardview/frame?sessionId=${recurringSession}&language=ar`)
      expect(frameAr.html).toContain('<html lang="ar" dir="rtl">')
      expect(frameAr.html).toContain('ستُحفظ هذه البطاقة لعمليات خصم متكررة.')
      expect(frameAr.html).not.toContain('This card will be saved')

      const oneOff = await session({})
      for (const language of ['en', 'ar']) {
        const frame = await getPage(`${app.baseUrl}/cardview/frame?sessionId=${oneOff}&language=${language}`)
        expect(frame.status).toBe(200)
        expect(frame.html).not.toContain('recurring-note')
        expect(disclosureOf(frame.html)).toBeUndefined()
      }

      const submitted = await app.call('POST', '/cardview/submit', null, { SessionId: recurringSession, Card: CARD })
      expect(submitted.status, JSON.stringify(submitted.body)).toBe(200)
      const { PaymentURL } = await executePayment(app, apiKey, {
        SessionId: recurringSession,
        PaymentMethodId: undefined,
        InvoiceValue: 10,
        CallBackUrl: CALLBACK,
        RecurringModel: { RecurringType: 'Monthly', Iteration: 3 },
      })
      expect(PaymentURL).toContain('/PayInvoice/MpgsAuthentication?')
      expectDisclosure((await getPage(PaymentURL)).html, RECURRING_CASES[0]?.expected.en ?? [])
      expectDisclosure((await getPage(arabic(PaymentURL))).html, RECURRING_CASES[0]?.expected.ar ?? [])
      // The frame of a used session is refused, in its language.
      const used = await getPage(`${app.baseUrl}/cardview/frame?sessionId=${recurringSession}&language=ar`)
      expect(used.status).toBe(404)
    })

    it('the Arabic sandbox banner words every test-card outcome in Arabic; English keeps the contract table', async () => {
      const { PaymentURL } = await invoice({ Language: 'AR' })
      const page = await getPage(PaymentURL)
      const banner = /<aside class="sandbox"[\s\S]*?<\/aside>/.exec(page.html)?.[0] ?? ''
      expect(banner).not.toBe('')
      for (const card of TEST_CARDS) {
        expect(banner).toContain(card.number)
        expect(banner).not.toContain(card.outcome)
      }
      expect(latinWords(textOf(banner))).toEqual([])
      expect(banner).not.toContain('lang="en"')
      const englishPage = await getPage(english(PaymentURL))
      for (const card of TEST_CARDS) expect(englishPage.html).toContain(card.outcome.replace(/'/g, '&#39;'))
      // The OTP page's banner too.
      const submitted = await submitCard(PaymentURL, { number: '5123450000000008' })
      const otp = await getPage(submitted.location ?? '')
      expect(otp.html).toContain('<html lang="ar" dir="rtl">')
      expect(latinWords(textOf(/<aside class="sandbox"[\s\S]*?<\/aside>/.exec(otp.html)?.[0] ?? ''))).toEqual([])
    })

    it('failure reasons on the Arabic result page are Arabic; the API and English pages keep the English message', async () => {
      const declines: ReadonlyArray<{ number: string; otp?: string; code: keyof typeof PAYMENT_ERRORS }> = [
        { number: '4000000000000002', code: 'MF002' },
        { number: '4000000000009995', code: 'MF004' },
        { number: '4000000000000127', code: 'MF010' },
        { number: '4000000000000119', code: 'MF008' },
        { number: '5123450000000008', otp: '111111', code: 'MF001' },
      ]
      for (const decline of declines) {
        // Without CallBackUrl and ErrorUrl the customer lands on our result page.
        const { PaymentURL } = await executePayment(app, apiKey, { InvoiceValue: 10, Language: 'AR' })
        const submitted = await submitCard(PaymentURL, { number: decline.number })
        expect(submitted.status, decline.number).toBe(303)
        const done = await submitOtp(submitted.location ?? '', decline.otp ?? '123456')
        expect(done.location, decline.number).toMatch(/\/Ar\/KWT\/PayInvoice\/Result\?paymentId=/)
        const result = await getPage(done.location ?? '')
        expect(result.html).toContain('فشلت عملية الدفع')
        expect(result.html, decline.code).toContain(`${decline.code}: ${arabicPaymentError(decline.code)}`)
        for (const message of Object.values(PAYMENT_ERRORS)) expect(result.html).not.toContain(message)
        const dl = /<dl>[\s\S]*?<\/dl>/.exec(result.html)?.[0] ?? ''
        expect(latinWords(textOf(dl)).filter((word) => !['KWD', 'Test', 'Merchant'].includes(word))).toEqual([])

        const englishResult = await getPage(english(done.location ?? ''))
        expect(englishResult.html).toContain(`${decline.code}: ${PAYMENT_ERRORS[decline.code]}`)
        const status = await app.call('POST', '/v2/GetPaymentStatus', apiKey, { Key: paymentIdOf(done.location ?? ''), KeyType: 'PaymentId' })
        expect(status.body.Data.InvoiceTransactions[0]).toMatchObject({ ErrorCode: decline.code, Error: PAYMENT_ERRORS[decline.code] })
      }
    })
  })
}
