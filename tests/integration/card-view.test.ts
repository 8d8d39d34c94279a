import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { listRows } from '../../src/store/table-inspection.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { executePayment, getPage, paymentIdOf, paymentStatus, submitOtp } from './checkout-support.js'

const CALLBACK = 'https://merchant.example.test/paid'
const CARD = { Number: '5123450000000008', ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100', HolderName: 'Test Holder' }

for (const dialect of DIALECTS) {
  describe(`${dialect}: Card View and sessions`, () => {
    let app: TestApp
    let apiKey: string

    beforeAll(async () => {
      app = await startTestApp(dialect)
      apiKey = (await app.createMerchant()).apiKey
    })
    afterAll(async () => app?.close())

    const initiateSession = async (body: Record<string, unknown> = {}) => {
      const response = await app.call('POST', '/v2/InitiateSession', apiKey, body)
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      return response.body.Data as { SessionId: string; CountryCode: string; CustomerTokens: Array<Record<string, unknown>> }
    }
    /** What the frame's script posts. */
    const submit = (body: unknown, headers: Record<string, string> = {}) => app.call('POST', '/cardview/submit', null, body, headers)

    it('serves the library for v1, v2 and v3, and a frame embeddable anywhere', async () => {
      for (const version of ['v1', 'v2', 'v3']) {
        const script = await fetch(`${app.baseUrl}/cardview/${version}/session.js`)
        expect(script.status).toBe(200)
        expect(script.headers.get('content-type')).toContain('javascript')
        const text = await script.text()
        expect(text).toContain('window.myFatoorah = { init: init, submit: submit }')
      }
      expect((await fetch(`${app.baseUrl}/cardview/v9/session.js`)).status).toBe(404)
      const { SessionId } = await initiateSession()
      const frame = await getPage(`${app.baseUrl}/cardview/frame?sessionId=${SessionId}&origin=https%3A%2F%2Fshop.example.test`)
      expect(frame.status).toBe(200)
      const csp = frame.headers.get('content-security-policy') ?? ''
      expect(csp).toContain('frame-ancestors *')
      expect(csp).toContain("script-src 'self'")
      expect(csp).toContain("connect-src 'self'")
      expect(csp).not.toContain('unsafe')
      expect(frame.headers.get('x-frame-options')).toBeNull()
      for (const token of ['cc-name', 'cc-number', 'cc-exp', 'cc-csc']) expect(frame.html).toContain(`autocomplete="${token}"`)
      expect(frame.html).toContain('<script src="/cardview/frame.js" defer></script>')
      const unknown = await getPage(`${app.baseUrl}/cardview/frame?sessionId=00000000-0000-4000-8000-000000000000`)
      expect(unknown.status).toBe(404)
      expect(unknown.html).toContain('no longer valid')
    })

    it('submit binds the card; ExecutePayment with the SessionId goes to the OTP step, then the callback', async () => {
      const { SessionId } = await initiateSession()
      const submitted = await submit({ SessionId, Card: CARD })
      expect(submitted.status, JSON.stringify(submitted.body)).toBe(200)
      expect(submitted.body.Data).toMatchObject({ SessionId, sessionId: SessionId, CardBrand: 'Master', cardBrand: 'Master' })
      expect(submitted.body.Data.cardIdentifier).toMatch(/^[0-9a-f]{64}$/)
      const { PaymentURL, InvoiceId } = await executePayment(app, apiKey, { SessionId, PaymentMethodId: undefined, CallBackUrl: CALLBACK })
      expect(PaymentURL).toContain(`/PayInvoice/MpgsAuthentication?paymentId=`)
      expect(PaymentURL).toContain(`&sessionId=${SessionId}`)
      const done = await submitOtp(PaymentURL, '123456')
      expect(done.status).toBe(303)
      const paymentId = paymentIdOf(done.location ?? '')
      expect(done.location).toBe(`${CALLBACK}?paymentId=${paymentId}&Id=${paymentId}`)
      const status = await paymentStatus(app, apiKey, paymentId)
      expect(status).toMatchObject({ InvoiceId, InvoiceStatus: 'Paid' })
      expect(status.InvoiceTransactions[0]).toMatchObject({ TransactionStatus: 'Succss', CardNumber: '512345xxxxxx0008' })
      // The session is single use: no second card, no second invoice.
      expect((await submit({ SessionId, Card: CARD })).status).toBe(400)
      const reused = await app.call('POST', '/v2/ExecutePayment', apiKey, { SessionId, InvoiceValue: 1 })
      expect(reused.status).toBe(400)
    })

    it('refuses invalid card data with every bad field, unknown sessions and other origins', async () => {
      const { SessionId } = await initiateSession()
      const bad = await submit({ SessionId, Card: { Number: '4111111111111112', ExpiryMonth: '00', ExpiryYear: '39', SecurityCode: '12' } })
      expect(bad.status).toBe(400)
      expect(bad.body.ValidationErrors.map((error: { Name: string }) => error.Name)).toEqual(['Card.Number', 'Card.ExpiryMonth', 'Card.SecurityCode'])
      const unknown = await submit({ SessionId: '00000000-0000-4000-8000-000000000000', Card: CARD })
      expect(unknown.status).toBe(400)
      expect(unknown.body.ValidationErrors).toEqual([{ Name: 'SessionId', Error: 'SessionId is not valid' }])
      const network = await submit({ SessionId, Card: CARD, SupportedNetworks: 'v,md' })
      expect(network.body.ValidationErrors).toEqual([{ Name: 'Card.Number', Error: 'This card brand is not accepted by the merchant' }])
      const crossSite = await submit({ SessionId, Card: CARD }, { origin: 'https://evil.example.test' })
      expect(crossSite.status).toBe(401)
      const noCard = await executePayment(app, apiKey, { SessionId, PaymentMethodId: undefined }).catch((error: Error) => error)
      expect(noCard).toBeInstanceOf(Error)
    })

    it('SaveToken keeps the card for the customer once its payment is approved; CustomerTokens lists it on the next session', async () => {
      const customer = `customer-${dialect}-${Date.now()}`
      const pay = async (sessionId: string) => {
        const { PaymentURL } = await executePayment(app, apiKey, { SessionId: sessionId, PaymentMethodId: undefined, CallBackUrl: CALLBACK })
        await submitOtp(PaymentURL, '123456')
      }
      const first = await initiateSession({ CustomerIdentifier: customer, SaveToken: true })
      expect(first.CustomerTokens).toEqual([])
      expect((await submit({ SessionId: first.SessionId, Card: CARD })).status).toBe(200)
      // Not before the payment: a card whose payment fails or loses a race is never kept.
      expect((await initiateSession({ CustomerIdentifier: customer })).CustomerTokens).toEqual([])
      await pay(first.SessionId)
      const next = await initiateSession({ CustomerIdentifier: customer })
      expect(next.CustomerTokens).toHaveLength(1)
      expect(next.CustomerTokens[0]).toMatchObject({ CardNumber: '512345xxxxxx0008', CardBrand: 'Master', TokenType: 'CARD' })
      expect(String(next.CustomerTokens[0]?.Token)).toMatch(/^TKN-/)
      // The same card saved again is listed once.
      const again = await initiateSession({ CustomerIdentifier: customer, SaveToken: true })
      await submit({ SessionId: again.SessionId, Card: CARD })
      await pay(again.SessionId)
      expect((await initiateSession({ CustomerIdentifier: customer })).CustomerTokens).toHaveLength(1)
    })

    it('a recurring session never saves a token for the customer', async () => {
      const customer = `recurring-${dialect}-${Date.now()}`
      const refused = await app.call('POST', '/v2/InitiateSession', apiKey, { CustomerIdentifier: customer, IsRecurring: true, SaveToken: true })
      expect(refused.status).toBe(400)
      const session = await initiateSession({ CustomerIdentifier: customer, IsRecurring: true })
      expect((await submit({ SessionId: session.SessionId, Card: CARD })).status).toBe(200)
      const { PaymentURL } = await executePayment(app, apiKey, {
        SessionId: session.SessionId,
        PaymentMethodId: undefined,
        CallBackUrl: CALLBACK,
        RecurringModel: { RecurringType: 'Monthly', Iteration: 2 },
      })
      await submitOtp(PaymentURL, '123456')
      expect((await initiateSession({ CustomerIdentifier: customer })).CustomerTokens).toEqual([])
      const saved = (await listRows(app.deps.store.db, 'card_tokens')).filter((token) => token.customer_identifier === customer)
      expect(saved).toEqual([])
    })
  })
}
