import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { insertApplePayDomain, listApplePayDomains } from '../../src/store/apple-pay-domain.repository.js'
import { countApprovedCharges } from '../../src/store/processor-ledger.repository.js'
import { listRows } from '../../src/store/table-inspection.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { executePayment, paymentIdOf, paymentStatus, submitOtp } from './checkout-support.js'

const CALLBACK = 'https://merchant.example.test/paid'
const ERROR = 'https://merchant.example.test/failed'
const CARD = { Number: '5123450000000008', ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100', HolderName: 'Test Holder' }
const OTHER_CARD = { ...CARD, Number: '4508750015741019' }
const UNKNOWN_TOKEN = 'TKN-00000000-0000-4000-8000-000000000000'
const UNKNOWN_SESSION = '00000000-0000-4000-8000-000000000000'

/** Every envelope field, for exact comparisons. */
const refusal = (errors: Array<{ Name: string; Error: string }>, data: null | boolean = null) => ({
  IsSuccess: false,
  Message: 'Invalid data',
  ValidationErrors: errors,
  Data: data,
})

for (const dialect of DIALECTS) {
  describe(`${dialect}: CancelToken, UpdateSession, GetCurrenciesExchangeList, RegisterApplePayDomain`, () => {
    let app: TestApp
    let apiKey: string
    let merchantId: number
    let otherKey: string
    let otherMerchantId: number
    let seq = 0

    beforeAll(async () => {
      app = await startTestApp(dialect)
      const merchant = await app.createMerchant({ bypass3ds: true })
      apiKey = merchant.apiKey
      merchantId = merchant.merchant.id
      const other = await app.createMerchant({ bypass3ds: true })
      otherKey = other.apiKey
      otherMerchantId = other.merchant.id
    })
    afterAll(async () => app?.close())

    const customer = () => `customer-${dialect}-${Date.now()}-${++seq}`
    const initiateSession = async (body: Record<string, unknown> = {}, key = apiKey) => {
      const response = await app.call('POST', '/v2/InitiateSession', key, body)
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      return response.body.Data as { SessionId: string; CountryCode: string; CustomerTokens: Array<{ Token: string }> }
    }
    const customerTokens = async (customerIdentifier: string, key = apiKey) =>
      (await initiateSession({ CustomerIdentifier: customerIdentifier }, key)).CustomerTokens.map((token) => token.Token)
    const cancelToken = (token: string, key: string | null = apiKey, name = 'token') =>
      app.call('POST', `/v2/CancelToken?${name}=${encodeURIComponent(token)}`, key)
    const updateSession = (body: unknown, key: string | null = apiKey) => app.call('POST', '/v2/UpdateSession', key, body)
    const directPay = (paymentUrl: string, body: unknown, key = apiKey) => app.call('POST', new URL(paymentUrl).pathname, key, body)

    /** A customer's saved card through the Card View with SaveToken, as InitiateSession lists it. */
    const savedCustomerToken = async (customerIdentifier: string, key = apiKey, card = CARD): Promise<string> => {
      const { SessionId } = await initiateSession({ CustomerIdentifier: customerIdentifier, SaveToken: true }, key)
      expect((await app.call('POST', '/cardview/submit', null, { SessionId, Card: card })).status).toBe(200)
      const { PaymentURL } = await executePayment(app, key, { SessionId, PaymentMethodId: undefined, CallBackUrl: CALLBACK })
      expect((await submitOtp(PaymentURL, '123456')).status).toBe(303)
      const tokens = await customerTokens(customerIdentifier, key)
      expect(tokens).toHaveLength(1)
      return tokens[0] as string
    }
    /** A DirectPayment saved token (no customer), paid at once with Bypass3DS. */
    const savedDirectToken = async (key = apiKey): Promise<string> => {
      const { PaymentURL } = await executePayment(app, key, { PaymentMethodId: 9, CallBackUrl: CALLBACK })
      const paid = await directPay(PaymentURL, { PaymentType: 'card', Card: CARD, SaveToken: true, Bypass3DS: true }, key)
      expect(paid.body.Data, JSON.stringify(paid.body)).toMatchObject({ Status: 'SUCCESS' })
      return paid.body.Data.Token
    }

    describe('CancelToken', () => {
      it('cancels a saved card: gone from CustomerTokens, refused by DirectPayment and UpdateSession', async () => {
        const who = customer()
        const token = await savedCustomerToken(who)
        const cancelled = await cancelToken(token)
        expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200)
        expect(cancelled.body).toEqual({ IsSuccess: true, Message: 'Canceled successfully', ValidationErrors: null, Data: true })
        expect(await customerTokens(who)).toEqual([])

        const { PaymentURL } = await executePayment(app, apiKey, { PaymentMethodId: 9, CallBackUrl: CALLBACK })
        const byToken = await directPay(PaymentURL, { PaymentType: 'token', Token: token })
        expect(byToken.status).toBe(400)
        expect(byToken.body).toEqual(refusal([{ Name: 'Token', Error: 'Token is not valid' }]))
        const byBypass = await directPay(PaymentURL, { PaymentType: 'token', Token: token, Bypass3DS: true })
        expect(byBypass.status).toBe(400)

        const { SessionId } = await initiateSession({ CustomerIdentifier: who })
        const updated = await updateSession({ SessionId, Token: token, TokenType: 'mftoken' })
        expect(updated.status).toBe(400)
        expect(updated.body).toEqual(refusal([{ Name: 'Token', Error: 'Token is not valid' }]))

        const again = await cancelToken(token)
        expect(again.status).toBe(400)
        expect(again.body).toEqual(refusal([{ Name: 'token', Error: 'This token has already been canceled' }], false))
      })

      it('binds Token= in any case, a body, and a token in any case', async () => {
        const upper = await savedDirectToken()
        expect((await cancelToken(upper, apiKey, 'Token')).body.Data).toBe(true)
        const body = await savedDirectToken()
        const fromBody = await app.call('POST', '/v2/CancelToken', apiKey, { Token: body })
        expect(fromBody.body).toMatchObject({ IsSuccess: true, Data: true })
        const shouted = await savedDirectToken()
        expect((await cancelToken(shouted.toUpperCase())).body.Data).toBe(true)
      })

      it('refuses a missing, malformed or unknown token with Data false', async () => {
        // A query value holding NUL counts as absent on every route (http/query-string.ts).
        for (const path of ['/v2/CancelToken', '/v2/CancelToken?token=', '/v2/CancelToken?token=%20', '/v2/CancelToken?token=TKN-%00']) {
          const response = await app.call('POST', path, apiKey)
          expect(response.status, path).toBe(400)
          expect(response.body).toEqual(refusal([{ Name: 'token', Error: 'token is required, e.g. /v2/CancelToken?token=TKN-…' }], false))
        }
        for (const token of ['TOKEN2439', UNKNOWN_TOKEN, "TKN-'; DROP TABLE card_tokens; --"]) {
          const response = await cancelToken(token)
          expect(response.status, token).toBe(400)
          expect(response.body).toEqual(refusal([{ Name: 'token', Error: 'No saved card matches this token' }], false))
        }
        expect((await cancelToken(UNKNOWN_TOKEN, null)).status).toBe(401)
      })

      it("another merchant's token reads as unknown and stays usable by its owner", async () => {
        const who = customer()
        const token = await savedCustomerToken(who, otherKey)
        const foreign = await cancelToken(token, apiKey)
        expect(foreign.status).toBe(400)
        expect(foreign.body).toEqual(refusal([{ Name: 'token', Error: 'No saved card matches this token' }], false))
        expect(await customerTokens(who, otherKey)).toEqual([token])
        expect(await customerTokens(who, apiKey)).toEqual([])
        const { PaymentURL } = await executePayment(app, otherKey, { PaymentMethodId: 9, CallBackUrl: CALLBACK })
        const paid = await directPay(PaymentURL, { PaymentType: 'token', Token: token, Bypass3DS: true }, otherKey)
        expect(paid.body.Data).toMatchObject({ Status: 'SUCCESS', Token: token })
      })

      it("a recurrence's own card is untouched: its token is not cancellable and renewals still charge after the saved card is cancelled", async () => {
        const recurring = await app.createMerchant({ bypass3ds: true })
        const token = await savedDirectToken(recurring.apiKey)
        const { PaymentURL, RecurringId } = await executePayment(app, recurring.apiKey, {
          PaymentMethodId: 9,
          CallBackUrl: CALLBACK,
          RecurringModel: { RecurringType: 'Daily', Iteration: 3, RetryCount: 0 },
        })
        const first = await directPay(PaymentURL, { PaymentType: 'token', Token: token, Bypass3DS: true }, recurring.apiKey)
        expect(first.body.Data, JSON.stringify(first.body)).toMatchObject({ Status: 'SUCCESS', RecurringId })

        const copies = (await listRows(app.deps.store.db, 'card_tokens')).filter(
          (row) => Number(row.merchant_id) === recurring.merchant.id && row.purpose === 'recurring',
        )
        expect(copies).toHaveLength(1)
        const copy = copies[0]?.token as string
        const internal = await cancelToken(copy, recurring.apiKey)
        expect(internal.body).toEqual(refusal([{ Name: 'token', Error: 'No saved card matches this token' }], false))

        expect((await cancelToken(token, recurring.apiKey)).body.Data).toBe(true)
        const before = await countApprovedCharges(app.deps.store.db, { merchantId: recurring.merchant.id })
        const advanced = await app.call('POST', '/v2/sandbox/AdvanceClock', recurring.apiKey, { Days: 2 })
        expect(advanced.status, JSON.stringify(advanced.body)).toBe(200)
        const shown = await app.call('GET', `/v2/GetRecurringPayment?recurringId=${RecurringId}`, recurring.apiKey)
        const payment = shown.body.Data.RecurringPayment[0]
        expect(payment.RecurringStatus).toBe('Active')
        expect(payment.ExecutedTimes).toBeGreaterThanOrEqual(1)
        expect(await countApprovedCharges(app.deps.store.db, { merchantId: recurring.merchant.id })).toBe(before + payment.ExecutedTimes)
        const copyAfter = (await listRows(app.deps.store.db, 'card_tokens')).find((row) => row.token === copy)
        expect(copyAfter?.deleted_at).toBeNull()
      })

      it('a payment waiting at its OTP step when its token is cancelled fails without a charge', async () => {
        const token = await savedDirectToken()
        const { PaymentURL, InvoiceId } = await executePayment(app, apiKey, { PaymentMethodId: 9, CallBackUrl: CALLBACK, ErrorUrl: ERROR })
        const started = await directPay(PaymentURL, { PaymentType: 'token', Token: token })
        expect(started.body.Data, JSON.stringify(started.body)).toMatchObject({ Status: 'SUCCESS', Token: token })
        expect((await cancelToken(token)).body.Data).toBe(true)
        const before = await countApprovedCharges(app.deps.store.db, { merchantId })
        const done = await submitOtp(started.body.Data.PaymentURL, '123456')
        expect(done.status).toBe(303)
        expect(done.location?.startsWith(ERROR)).toBe(true)
        const status = await paymentStatus(app, apiKey, paymentIdOf(done.location ?? ''))
        expect(status).toMatchObject({ InvoiceId, InvoiceStatus: 'Pending' })
        expect(status.InvoiceTransactions[0]).toMatchObject({ TransactionStatus: 'Failed', ErrorCode: 'MF006' })
        expect(await countApprovedCharges(app.deps.store.db, { merchantId })).toBe(before)
      })
    })

    describe('UpdateSession', () => {
      it('puts a saved token into a session; ExecutePayment with the SessionId pays with it', async () => {
        const who = customer()
        const token = await savedCustomerToken(who)
        const { SessionId } = await initiateSession({ CustomerIdentifier: who })
        // camelCase names, TokenType in any case, a numeric SecurityCode
        const updated = await updateSession({ sessionId: SessionId, token, tokenType: 'MFToken', securityCode: 100 })
        expect(updated.status, JSON.stringify(updated.body)).toBe(200)
        expect(updated.body).toEqual({ IsSuccess: true, Message: null, ValidationErrors: null, Data: { SessionId, CountryCode: 'KWT' } })

        const { PaymentURL, InvoiceId } = await executePayment(app, apiKey, { SessionId, PaymentMethodId: undefined, CallBackUrl: CALLBACK })
        expect(PaymentURL).toContain(`&sessionId=${SessionId}`)
        const done = await submitOtp(PaymentURL, '123456')
        const paymentId = paymentIdOf(done.location ?? '')
        expect(done.location).toBe(`${CALLBACK}?paymentId=${paymentId}&Id=${paymentId}`)
        const status = await paymentStatus(app, apiKey, paymentId)
        expect(status).toMatchObject({ InvoiceId, InvoiceStatus: 'Paid' })
        expect(status.InvoiceTransactions[0]).toMatchObject({ TransactionStatus: 'Succss', CardNumber: '512345xxxxxx0008' })
        expect(status.InvoiceTransactions[0].Card.Token).toBe(token)
        // Still the one saved card of the customer; the session is used.
        expect(await customerTokens(who)).toEqual([token])
        const reused = await updateSession({ SessionId, Token: token, TokenType: 'mftoken' })
        expect(reused.body).toEqual(refusal([{ Name: 'SessionId', Error: 'SessionId has already been used' }]))
      })

      it('replaces a card the Card View submitted, which is then deleted', async () => {
        const token = await savedDirectToken()
        const { SessionId } = await initiateSession()
        expect((await app.call('POST', '/cardview/submit', null, { SessionId, Card: OTHER_CARD })).status).toBe(200)
        const sessionCard = (await listRows(app.deps.store.db, 'sessions')).find((row) => row.id === SessionId)?.card_token_id
        expect(sessionCard).not.toBeNull()
        expect((await updateSession({ SessionId, Token: token, TokenType: 'mftoken' })).status).toBe(200)
        const tokens = await listRows(app.deps.store.db, 'card_tokens')
        expect(tokens.find((row) => Number(row.id) === Number(sessionCard))).toBeUndefined()
        const { PaymentURL } = await executePayment(app, apiKey, { SessionId, PaymentMethodId: undefined, CallBackUrl: CALLBACK })
        const done = await submitOtp(PaymentURL, '123456')
        const status = await paymentStatus(app, apiKey, paymentIdOf(done.location ?? ''))
        expect(status.InvoiceTransactions[0]).toMatchObject({ TransactionStatus: 'Succss', CardNumber: '512345xxxxxx0008' })
      })

      it('a token cancelled after UpdateSession cannot pay the session', async () => {
        const token = await savedDirectToken()
        const { SessionId } = await initiateSession()
        expect((await updateSession({ SessionId, Token: token, TokenType: 'mftoken' })).status).toBe(200)
        expect((await cancelToken(token)).body.Data).toBe(true)
        const response = await app.call('POST', '/v2/ExecutePayment', apiKey, { SessionId, InvoiceValue: 1, CallBackUrl: CALLBACK })
        expect(response.status).toBe(400)
        expect(response.body).toEqual(
          refusal([{ Name: 'SessionId', Error: 'The saved card of this SessionId was canceled (CancelToken); call UpdateSession with another token' }]),
        )
      })

      it('lists every missing field and refuses malformed values', async () => {
        for (const body of [undefined, null, {}, '']) {
          const response = await updateSession(body)
          expect(response.status, JSON.stringify(body)).toBe(400)
          expect(response.body).toEqual(
            refusal([
              { Name: 'SessionId', Error: 'SessionId is required' },
              { Name: 'Token', Error: 'Token is required' },
              { Name: 'TokenType', Error: 'TokenType is required' },
            ]),
          )
        }
        const malformed = await updateSession({ SessionId: 'not-a-session', Token: 'TOKEN2439', TokenType: 'mftoken', SecurityCode: '12a' })
        expect(malformed.status).toBe(400)
        expect(malformed.body).toEqual(
          refusal([
            { Name: 'SessionId', Error: 'SessionId is not valid' },
            { Name: 'SecurityCode', Error: 'SecurityCode must be 3 digits (4 for Amex)' },
            { Name: 'Token', Error: 'Token is not valid' },
          ]),
        )
        const wrongType = await updateSession({ SessionId: UNKNOWN_SESSION, Token: UNKNOWN_TOKEN, tokentype: 'card' })
        expect(wrongType.body).toEqual(refusal([{ Name: 'tokentype', Error: 'TokenType must be mftoken (a saved card token, TKN-…)' }]))
        const wallet = await updateSession({ SessionId: UNKNOWN_SESSION, Token: '{"paymentData":{}}', TokenType: 'ApplePay' })
        expect(wallet.body).toEqual(
          refusal([{ Name: 'TokenType', Error: 'TokenType applepay is not supported: dawri offers no wallets; use mftoken with a saved card token' }]),
        )
        const nested = await updateSession({ SessionId: { id: 1 }, Token: ['x'], TokenType: 'mftoken' })
        expect(nested.status).toBe(400)
        expect(nested.body.ValidationErrors.map((error: { Name: string }) => error.Name)).toEqual(['SessionId', 'Token'])
      })

      it('refuses unknown sessions and tokens together, and a security code that does not fit the card', async () => {
        const unknown = await updateSession({ SessionId: UNKNOWN_SESSION, Token: UNKNOWN_TOKEN, TokenType: 'mftoken' })
        expect(unknown.status).toBe(400)
        expect(unknown.body).toEqual(
          refusal([
            { Name: 'SessionId', Error: 'SessionId is not valid' },
            { Name: 'Token', Error: 'Token is not valid' },
          ]),
        )
        const token = await savedDirectToken()
        const { SessionId } = await initiateSession()
        const amexCode = await updateSession({ SessionId, Token: token, TokenType: 'mftoken', SecurityCode: '1234' })
        expect(amexCode.body).toEqual(refusal([{ Name: 'SecurityCode', Error: 'SecurityCode must be 3 digits (4 for Amex)' }]))
        // Nothing was bound: the session still has no card.
        const refused = await app.call('POST', '/v2/ExecutePayment', apiKey, { SessionId, InvoiceValue: 1 })
        expect(refused.body.ValidationErrors).toEqual([{ Name: 'SessionId', Error: 'No card was submitted for this SessionId; call myFatoorah.submit() first' }])
      })

      it("another merchant's session or token reads as unknown", async () => {
        const token = await savedDirectToken()
        const foreignToken = await savedDirectToken(otherKey)
        const { SessionId } = await initiateSession()
        const foreignSession = (await initiateSession({}, otherKey)).SessionId
        const withForeignToken = await updateSession({ SessionId, Token: foreignToken, TokenType: 'mftoken' })
        expect(withForeignToken.body).toEqual(refusal([{ Name: 'Token', Error: 'Token is not valid' }]))
        const intoForeignSession = await updateSession({ SessionId: foreignSession, Token: token, TokenType: 'mftoken' })
        expect(intoForeignSession.body).toEqual(refusal([{ Name: 'SessionId', Error: 'SessionId is not valid' }]))
        // The other merchant's session is untouched and still works for its owner.
        expect((await updateSession({ SessionId: foreignSession, Token: foreignToken, TokenType: 'mftoken' }, otherKey)).status).toBe(200)
        expect(otherMerchantId).not.toBe(merchantId)
      })

      it("refuses a recurring session, another customer's card and an expired session", async () => {
        const who = customer()
        const token = await savedCustomerToken(who)
        const recurringSession = await initiateSession({ CustomerIdentifier: who, IsRecurring: true })
        const recurring = await updateSession({ SessionId: recurringSession.SessionId, Token: token, TokenType: 'mftoken' })
        expect(recurring.body).toEqual(
          refusal([{ Name: 'Token', Error: 'A recurring session (IsRecurring: true) takes a new card through the Card View, not a saved token' }]),
        )
        const someoneElse = await initiateSession({ CustomerIdentifier: customer() })
        const otherCustomer = await updateSession({ SessionId: someoneElse.SessionId, Token: token, TokenType: 'mftoken' })
        expect(otherCustomer.body).toEqual(refusal([{ Name: 'Token', Error: "Token is saved for another customer than this session's CustomerIdentifier" }]))

        const late = await app.createMerchant({ bypass3ds: true })
        const lateToken = await savedDirectToken(late.apiKey)
        const { SessionId } = await initiateSession({}, late.apiKey)
        expect((await app.call('POST', '/v2/sandbox/AdvanceClock', late.apiKey, { Days: 1 })).status).toBe(200)
        const expired = await updateSession({ SessionId, Token: lateToken, TokenType: 'mftoken' }, late.apiKey)
        expect(expired.body).toEqual(refusal([{ Name: 'SessionId', Error: 'SessionId has expired; call InitiateSession again' }]))
      })

      it('needs the API key', async () => {
        expect((await updateSession({ SessionId: UNKNOWN_SESSION, Token: UNKNOWN_TOKEN, TokenType: 'mftoken' }, null)).status).toBe(401)
      })
    })

    describe('GetCurrenciesExchangeList', () => {
      const expectRates = (body: unknown, base: string) => {
        expect(Array.isArray(body)).toBe(true)
        const list = body as Array<{ Text: string; Value: string }>
        expect(list[0]).toEqual({ Text: base, Value: '1.00000000' })
        expect(list.map((item) => item.Text).sort()).toEqual(['AED', 'BHD', 'EGP', 'JOD', 'KWD', 'OMR', 'QAR', 'SAR'])
        for (const item of list) expect(item).toEqual({ Text: item.Text, Value: '1.00000000' })
      }

      it('answers a bare list, the base currency first, every rate 1 (no conversion)', async () => {
        const response = await app.call('GET', '/v2/GetCurrenciesExchangeList', apiKey)
        expect(response.status).toBe(200)
        expectRates(response.body, 'KWD')
        // As the PHP library sends it: GET with the literal body null; and as a POST.
        // (fetch sends no body with GET; inject does)
        const withNull = await app.app.inject({
          method: 'GET',
          url: '/v2/getcurrenciesexchangelist',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          payload: 'null',
        })
        expect(withNull.statusCode, withNull.body).toBe(200)
        expectRates(withNull.json(), 'KWD')
        const posted = await app.call('POST', '/v2/GetCurrenciesExchangeList', apiKey, {})
        expect(posted.status).toBe(200)
        expectRates(posted.body, 'KWD')
      })

      it("lists the merchant's own base currency first", async () => {
        const saudi = await app.createMerchant({ country: 'SAU' })
        const response = await app.call('GET', '/v2/GetCurrenciesExchangeList', saudi.apiKey)
        expectRates(response.body, 'SAR')
      })

      it('needs the API key, in the envelope', async () => {
        const response = await app.call('GET', '/v2/GetCurrenciesExchangeList', null)
        expect(response.status).toBe(401)
        expect(response.body).toMatchObject({ IsSuccess: false, Data: null })
      })
    })

    describe('RegisterApplePayDomain', () => {
      const register = (body: unknown, key: string | null = apiKey) => app.call('POST', '/v2/RegisterApplePayDomain', key, body)

      it('records a host name once, normalised, per merchant', async () => {
        const response = await register({ DomainName: 'Shop.Example.com.' })
        expect(response.status, JSON.stringify(response.body)).toBe(200)
        expect(response.body).toEqual({ IsSuccess: true, Message: 'OK', ValidationErrors: null, Data: null })
        expect((await register({ domainName: 'shop.example.com' })).body).toMatchObject({ IsSuccess: true, Message: 'OK' })
        expect(await listApplePayDomains(app.deps.store.db, merchantId)).toEqual(['shop.example.com'])
        expect((await register({ DomainName: 'www.shop.example.com' })).status).toBe(200)
        expect(await listApplePayDomains(app.deps.store.db, merchantId)).toEqual(['shop.example.com', 'www.shop.example.com'])
        // Another merchant may register the same domain; neither sees the other's.
        expect((await register({ DomainName: 'shop.example.com' }, otherKey)).status).toBe(200)
        expect(await listApplePayDomains(app.deps.store.db, otherMerchantId)).toEqual(['shop.example.com'])
      })

      it('refuses anything but a bare host name, named as sent', async () => {
        const cases: Array<[unknown, { Name: string; Error: string }]> = [
          [{}, { Name: 'DomainName', Error: 'DomainName is required' }],
          [{ DomainName: '   ' }, { Name: 'DomainName', Error: 'DomainName is required' }],
          [
            { domainname: 'https://shop.example.com/checkout' },
            { Name: 'domainname', Error: 'DomainName must be a bare host name such as shop.example.com: no scheme, port, path or wildcard; international names in punycode (xn--)' },
          ],
          [
            { DomainName: 'shop.example.com:443' },
            { Name: 'DomainName', Error: 'DomainName must be a bare host name such as shop.example.com: no scheme, port, path or wildcard; international names in punycode (xn--)' },
          ],
          [{ DomainName: 'localhost' }, { Name: 'DomainName', Error: 'DomainName must be a fully qualified host name such as shop.example.com' }],
          [{ DomainName: '10.0.0.1' }, { Name: 'DomainName', Error: 'DomainName must be a host name, not an IP address' }],
          [{ DomainName: 42 }, { Name: 'DomainName', Error: 'DomainName must be a fully qualified host name such as shop.example.com' }],
          [{ DomainName: { host: 'shop.example.com' } }, { Name: 'DomainName', Error: 'DomainName must be a text value' }],
          [{ DomainName: `${'a'.repeat(300)}.com` }, { Name: 'DomainName', Error: 'DomainName must not be longer than 253 characters' }],
          [{ DomainName: 'x'.repeat(1001) }, { Name: 'DomainName', Error: 'DomainName must not be longer than 1000 characters' }],
        ]
        const before = await listApplePayDomains(app.deps.store.db, merchantId)
        for (const [body, error] of cases) {
          const response = await register(body)
          expect(response.status, JSON.stringify(body)).toBe(400)
          expect(response.body).toEqual(refusal([error]))
        }
        expect(await listApplePayDomains(app.deps.store.db, merchantId)).toEqual(before)
        expect((await register({ DomainName: 'shop.example.com' }, null)).status).toBe(401)
      })

      it('an account holds at most 100 domains; a registered one still answers OK', async () => {
        const full = await app.createMerchant()
        for (let index = 0; index < 100; index++) {
          await insertApplePayDomain(app.deps.store.db, { merchantId: full.merchant.id, domainName: `shop${index}.example.com`, now: Date.now() })
        }
        const over = await register({ DomainName: 'one-more.example.com' }, full.apiKey)
        expect(over.status).toBe(400)
        expect(over.body).toEqual(refusal([{ Name: 'DomainName', Error: 'An account can register at most 100 Apple Pay domains' }]))
        expect((await register({ DomainName: 'shop7.example.com' }, full.apiKey)).body).toMatchObject({ IsSuccess: true, Message: 'OK' })
      })
    })

    it('documents the four routes with an example body', async () => {
      const spec = (await app.call('GET', '/openapi.json', null)).body
      for (const path of ['/v2/CancelToken', '/v2/UpdateSession', '/v2/GetCurrenciesExchangeList', '/v2/RegisterApplePayDomain']) {
        expect(spec.paths[path], path).toBeDefined()
      }
      expect(spec.paths['/v2/UpdateSession'].post.requestBody.content['application/json'].example).toMatchObject({ TokenType: 'mftoken' })
      expect(spec.paths['/v2/RegisterApplePayDomain'].post.requestBody.content['application/json'].example).toEqual({ DomainName: 'shop.example.com' })
      expect(spec.paths['/v2/CancelToken'].post.parameters[0]).toMatchObject({ name: 'token', in: 'query' })

      // The examples bind: RegisterApplePayDomain's succeeds as it is; UpdateSession's and
      // CancelToken's are refused only because their ids belong to no session or card here.
      const domain = await app.call('POST', '/v2/RegisterApplePayDomain', apiKey, spec.paths['/v2/RegisterApplePayDomain'].post.requestBody.content['application/json'].example)
      expect(domain.body).toMatchObject({ IsSuccess: true, Message: 'OK' })
      const session = await updateSession(spec.paths['/v2/UpdateSession'].post.requestBody.content['application/json'].example)
      expect(session.body.ValidationErrors).toEqual([
        { Name: 'SessionId', Error: 'SessionId is not valid' },
        { Name: 'Token', Error: 'Token is not valid' },
      ])
      const cancel = await cancelToken(spec.paths['/v2/CancelToken'].post.parameters[0].example)
      expect(cancel.body.ValidationErrors).toEqual([{ Name: 'token', Error: 'No saved card matches this token' }])
    })
  })
}
