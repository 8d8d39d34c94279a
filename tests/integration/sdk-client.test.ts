import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { MyFatoorahClient, MyFatoorahError, type ExecutePaymentRequest } from '../../src/sdk/index.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { misfits, readSdkMethods, type Shape } from './sdk-shapes.js'
import { startReceiver, type Receiver } from './webhooks-receiver.js'

/**
 * Every SDK method against the real server: its success path (the answer checked field by
 * field against the method's declared type, so the types cannot drift from what the server
 * sends), its validation error or 404, and a bad API key.
 */

const sdk = readSdkMethods()
const responseShape = (name: string): Shape => {
  const method = [...sdk.client, ...sdk.sandbox.map((m) => ({ ...m, name: `sandbox.${m.name}` }))].find((m) => m.name === name)
  if (!method) throw new Error(`No SDK method ${name}`)
  return method.response
}
/** Asserts the value the SDK resolved to fits the method's declared type exactly. */
const expectTyped = (name: string, value: unknown) => expect(misfits(value, responseShape(name)), name).toEqual([])

const CARD = { Number: '5123450000000008', ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100' } as const
/** Every cycle: three declines, then approved. */
const CARD_FOURTH_TIME_LUCKY = { ...CARD, Number: '4000000000001034' } as const

/** The MyFatoorahError a call rejected with. */
async function failure(call: Promise<unknown>): Promise<MyFatoorahError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(MyFatoorahError)
  return error as MyFatoorahError
}

/** Asserts a validation error naming `field`, with the envelope kept. */
async function expectInvalid(call: Promise<unknown>, field: string): Promise<MyFatoorahError> {
  const error = await failure(call)
  expect(error.status).toBe(400)
  expect(error.validationErrors.map((e) => e.Name)).toContain(field)
  expect(error.envelope?.IsSuccess).toBe(false)
  expect(error.message).toBe(error.envelope?.Message)
  return error
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: every SDK method against the server`, () => {
    let app: TestApp
    let client: MyFatoorahClient
    let receiver: Receiver

    beforeAll(async () => {
      app = await startTestApp(dialect)
      receiver = await startReceiver()
      const { merchant, apiKey } = await app.createMerchant({ bypass3ds: true, authorizeCapture: true, webhookUrl: receiver.url })
      receiver.secret = merchant.webhookSecret
      client = new MyFatoorahClient({ apiKey, baseUrl: app.baseUrl, retries: 0 })
    })
    afterAll(async () => {
      await receiver?.close()
      await app?.close()
    })

    /** A recurring payment paid at once with `card`. */
    async function paidRecurrence(card: typeof CARD | typeof CARD_FOURTH_TIME_LUCKY, recurring: ExecutePaymentRequest['RecurringModel'] = { RecurringType: 'Daily', Iteration: 3, RetryCount: 2 }) {
      const created = await client.executePayment({ PaymentMethodId: 9, InvoiceValue: 10, RecurringModel: recurring })
      const paid = await client.directPayment(created.PaymentURL, { PaymentType: 'card', Bypass3DS: true, Card: card })
      expect(paid.Status).toBe('SUCCESS')
      return created
    }

    it('initiatePayment lists the methods with charges; a negative amount is refused', async () => {
      const data = await client.initiatePayment({ InvoiceAmount: 10, CurrencyIso: 'KWD' })
      expectTyped('initiatePayment', data)
      expect(data.PaymentMethods.find((m) => m.PaymentMethodId === 9)?.IsDirectPayment).toBe(true)
      await expectInvalid(client.initiatePayment({ InvoiceAmount: -1 }), 'InvoiceAmount')
    })

    it('executePayment + directPayment + getPaymentStatus: a recurring invoice paid with a saved card', async () => {
      const created = await client.executePayment({
        PaymentMethodId: 9,
        InvoiceValue: 12.5,
        CustomerName: 'Fatima',
        CustomerEmail: 'fatima@example.com',
        MobileCountryCode: '965',
        CustomerMobile: '12345678',
        CustomerReference: `order-${dialect}-1`,
        UserDefinedField: 'plan=monthly',
        Language: 'EN',
        CallBackUrl: 'https://shop.example.com/paid',
        ErrorUrl: 'https://shop.example.com/failed',
        CustomerAddress: { Block: '1', Street: 'Gulf Road', HouseBuildingNo: '7', Address: 'Kuwait City', AddressInstructions: 'ring twice' },
        InvoiceItems: [
          { ItemName: 'Monthly plan', Quantity: 1, UnitPrice: 10 },
          { ItemName: 'Add-on', Quantity: 2, UnitPrice: '1.250', Weight: 0.5 },
        ],
        RecurringModel: { RecurringType: 'Monthly', Iteration: 12, RetryCount: 3 },
      })
      expectTyped('executePayment', created)
      expect(created.IsDirectPayment).toBe(true)
      expect(created.RecurringId).toMatch(/^RECUR\d+$/)

      const paid = await client.directPayment(created.PaymentURL, { PaymentType: 'card', Bypass3DS: true, SaveToken: true, Card: { ...CARD, HolderName: 'Fatima' } })
      expectTyped('directPayment', paid)
      expect(paid).toMatchObject({ Status: 'SUCCESS', RecurringId: created.RecurringId })
      expect(paid.CardInfo.Number).toBe('512345xxxxxx0008')

      const status = await client.getPaymentStatus({ Key: created.InvoiceId, KeyType: 'InvoiceId' })
      expectTyped('getPaymentStatus', status)
      expect(status).toMatchObject({ InvoiceStatus: 'Paid', InvoiceValue: 12.5, RecurringId: created.RecurringId, CustomerReference: `order-${dialect}-1` })
      expect(status.InvoiceItems).toHaveLength(2)
      expect(status.InvoiceTransactions.map((t) => t.TransactionStatus)).toEqual(['Succss'])
      const byReference = await client.getPaymentStatus({ Key: `order-${dialect}-1`, KeyType: 'CustomerReference' })
      expect(byReference.InvoiceId).toBe(created.InvoiceId)
    })

    it('executePayment, directPayment, getPaymentStatus: errors and 404s', async () => {
      const error = await expectInvalid(client.executePayment({ PaymentMethodId: 2, InvoiceValue: 0, CustomerMobile: '1234567890123' }), 'InvoiceValue')
      expect(error.validationErrors.map((e) => e.Name)).toContain('CustomerMobile')
      const notFound = await failure(client.getPaymentStatus({ Key: 1, KeyType: 'InvoiceId' }))
      expect(notFound.status).toBe(404)
      expect(notFound.message).toBe('No data match the provided values')
      const unknownInvoice = await failure(client.directPayment(`${app.baseUrl}/v2/DirectPayment/no-such-invoice-key/9`, { PaymentType: 'card', Card: CARD }))
      expect(unknownInvoice.status).toBe(404)
      expect(() => client.directPayment('https://evil.example.com/steal', { PaymentType: 'card', Card: CARD })).toThrow(TypeError)
      const created = await client.executePayment({ PaymentMethodId: 9, InvoiceValue: 10 })
      await expectInvalid(client.directPayment(created.PaymentURL, { PaymentType: 'card', Card: { ...CARD, ExpiryMonth: '13' } }), 'Card.ExpiryMonth')
    })

    it('initiateSession and updateSession bind a saved card; cancelToken deletes it', async () => {
      const customer = `customer-${dialect}`
      const first = await client.initiateSession({ CustomerIdentifier: customer, SaveToken: true })
      expectTyped('initiateSession', first)
      expect(first.CountryCode).toBe('KWT')
      await expectInvalid(client.initiateSession({ SaveToken: true }), 'CustomerIdentifier')

      // A card saved by a DirectPayment with SaveToken.
      const created = await client.executePayment({ PaymentMethodId: 9, InvoiceValue: 3 })
      const paid = await client.directPayment(created.PaymentURL, { PaymentType: 'card', Bypass3DS: true, SaveToken: true, Card: CARD })
      expect(paid.Token).toMatch(/^TKN-/)

      const session = await client.initiateSession({ CustomerIdentifier: customer })
      const bound = await client.updateSession({ SessionId: session.SessionId, Token: paid.Token, TokenType: 'mftoken', SecurityCode: '100' })
      expectTyped('updateSession', bound)
      expect(bound.SessionId).toBe(session.SessionId)
      await expectInvalid(client.updateSession({ SessionId: 'not-a-session', Token: paid.Token, TokenType: 'mftoken' }), 'SessionId')

      expect(await client.cancelToken({ token: paid.Token })).toBe(true)
      const again = await failure(client.cancelToken({ token: paid.Token }))
      expect([400, 404]).toContain(again.status)
    })

    it('getRecurringPayment, sandbox.advanceClock, cancelRecurringPayment: a recurrence charged, then cancelled', async () => {
      const created = await paidRecurrence(CARD)
      // Two days: the first renewal (04:00 merchant time the next day) is due whatever the time now.
      const advanced = await client.sandbox.advanceClock({ Days: 2 })
      expectTyped('sandbox.advanceClock', advanced)
      expect(advanced.Approved).toBeGreaterThanOrEqual(1)
      await expectInvalid(client.sandbox.advanceClock({ Days: 0 }), 'Days')

      const listed = await client.getRecurringPayment({ recurringId: created.RecurringId })
      expectTyped('getRecurringPayment', listed)
      expect(listed.RecurringPayment).toHaveLength(1)
      expect(listed.RecurringPayment[0]).toMatchObject({ RecurringId: created.RecurringId, RecurringStatus: 'Active', ExecutedTimes: advanced.Approved })
      const all = await client.getRecurringPayment()
      expectTyped('getRecurringPayment', all)
      expect(all.RecurringPayment.map((r) => r.RecurringId)).toContain(created.RecurringId)
      const badPage = await failure(client.getRecurringPayment({ PageSize: 0 }))
      expect(badPage.status).toBe(400)

      expect(await client.cancelRecurringPayment({ recurringId: created.RecurringId })).toBe(true)
      const after = await client.getRecurringPayment({ recurringId: created.RecurringId })
      expect(after.RecurringPayment[0]?.RecurringStatus).toBe('Canceled')
      const unknown = await failure(client.cancelRecurringPayment({ recurringId: 'RECUR1' }))
      expect([400, 404]).toContain(unknown.status)
      expect(unknown.message).not.toBe('')
    })

    it('resumeRecurringPayment charges an Uncompleted recurrence again; a declined or final one throws with Data false', async () => {
      const created = await paidRecurrence(CARD_FOURTH_TIME_LUCKY, { RecurringType: 'Daily', Iteration: 3, RetryCount: 2 })
      // The first renewal and its two daily retries are declined (four days covers them whatever the time now).
      await client.sandbox.advanceClock({ Days: 4 })
      const stuck = await client.getRecurringPayment({ recurringId: created.RecurringId })
      expect(stuck.RecurringPayment[0]?.RecurringStatus).toBe('Uncompleted')
      expect(await client.resumeRecurringPayment({ recurringId: created.RecurringId })).toBe(true)
      await client.cancelRecurringPayment({ recurringId: created.RecurringId })
      const refused = await failure(client.resumeRecurringPayment({ recurringId: created.RecurringId }))
      expect(refused.status).toBe(400)
      expect(refused.envelope?.Data).toBe(false)
      expect(refused.validationErrors.length).toBeGreaterThan(0)
    })

    it('makeRefund and getRefundStatus', async () => {
      const created = await client.executePayment({ PaymentMethodId: 9, InvoiceValue: 20 })
      await client.directPayment(created.PaymentURL, { PaymentType: 'card', Bypass3DS: true, Card: CARD })
      const refund = await client.makeRefund({ KeyType: 'InvoiceId', Key: created.InvoiceId, Amount: 5, Comment: 'partial', ExternalIdentifier: `refund-${dialect}` })
      expectTyped('makeRefund', refund)
      expect(refund).toMatchObject({ Amount: 5, RefundStatus: 'Refunded', RefundInvoiceId: created.InvoiceId })
      await expectInvalid(client.makeRefund({ KeyType: 'InvoiceId', Key: created.InvoiceId, Amount: 1000 }), 'Amount')

      const status = await client.getRefundStatus({ KeyType: 'InvoiceId', Key: created.InvoiceId })
      expectTyped('getRefundStatus', status)
      expect(status.RefundStatusResult.map((r) => r.ExternalIdentifier)).toEqual([`refund-${dialect}`])
      await expectInvalid(client.getRefundStatus({ KeyType: 'RefundId', Key: 1 }), 'Key')
    })

    it('updatePaymentStatus captures an authorised payment', async () => {
      const created = await client.executePayment({ PaymentMethodId: 9, InvoiceValue: 8, ProcessingDetails: { AutoCapture: false } })
      await client.directPayment(created.PaymentURL, { PaymentType: 'card', Bypass3DS: true, Card: CARD })
      await expectInvalid(client.updatePaymentStatus({ Operation: 'Capture', KeyType: 'InvoiceId', Key: created.InvoiceId }), 'Amount')
      const captured = await client.updatePaymentStatus({ Operation: 'Capture', Amount: 6, KeyType: 'InvoiceId', Key: created.InvoiceId })
      expectTyped('updatePaymentStatus', captured)
      expect(captured).toMatchObject({ Operation: 'Capture', Amount: 6, InvoiceId: created.InvoiceId })
    })

    it('sendPayment and sandbox.notifications: an e-mailed invoice link lands in the outbox', async () => {
      const sent = await client.sendPayment({ InvoiceValue: 12.5, CustomerName: 'Fatima', NotificationOption: 'EML', CustomerEmail: 'fatima@example.com', InvoicePaymentMethods: [2, 1] })
      expectTyped('sendPayment', sent)
      await expectInvalid(client.sendPayment({ InvoiceValue: 5, CustomerName: 'Fatima', NotificationOption: 'EML' }), 'CustomerEmail')

      const outbox = await client.sandbox.notifications({ PageSize: 1, InvoiceId: sent.InvoiceId })
      expectTyped('sandbox.notifications', outbox)
      expect(outbox.Notifications[0]).toMatchObject({ Channel: 'EML', Recipient: 'fatima@example.com', InvoiceURL: sent.InvoiceURL })
      expect((await failure(client.sandbox.notifications({ PageSize: 0 }))).status).toBe(400)
    })

    it('getWebhooks, resendWebhook and sandbox.webhookChaos', async () => {
      await paidRecurrence(CARD)
      await receiver.waitFor(1)
      const log = await client.getWebhooks({ PageSize: 5, EventType: 'PAYMENT_STATUS_CHANGED' })
      expectTyped('getWebhooks', log)
      const first = log.Items[0]
      expect(first?.EventName).toBe('PAYMENT_STATUS_CHANGED')
      await expectInvalid(client.getWebhooks({ PageSize: 0 }), 'PageSize')

      const resent = await client.resendWebhook({ Reference: first!.WebhookReference })
      expectTyped('resendWebhook', resent)
      expect(resent.WebhookReference).toBe(first!.WebhookReference)
      const unknown = await failure(client.resendWebhook({ Reference: 'WH-999999999' }))
      expect([400, 404]).toContain(unknown.status)

      const chaos = await client.sandbox.webhookChaos({ DropProbability: 0, DuplicateProbability: 0 })
      expectTyped('sandbox.webhookChaos', chaos)
      expect(chaos.Enabled).toBe(false)
      await expectInvalid(client.sandbox.webhookChaos({ DropProbability: 2 }), 'DropProbability')
    })

    it('getCurrenciesExchangeList (a bare list) and registerApplePayDomain', async () => {
      const rates = await client.getCurrenciesExchangeList()
      expectTyped('getCurrenciesExchangeList', rates)
      expect(rates.map((r) => r.Text)).toContain('KWD')
      expect(await client.registerApplePayDomain({ DomainName: 'shop.example.com' })).toBeNull()
      await expectInvalid(client.registerApplePayDomain({ DomainName: 'not a domain' }), 'DomainName')
    })

    it('every method rejects a wrong API key with a 401 MyFatoorahError', async () => {
      const stranger = new MyFatoorahClient({ apiKey: 'SK_KWT_not-a-real-key-0000000000', baseUrl: app.baseUrl, retries: 0 })
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['initiatePayment', () => stranger.initiatePayment({})],
        ['initiateSession', () => stranger.initiateSession({})],
        ['updateSession', () => stranger.updateSession({ SessionId: 'x', Token: 'y', TokenType: 'mftoken' })],
        ['executePayment', () => stranger.executePayment({ PaymentMethodId: 2, InvoiceValue: 1 })],
        ['directPayment', () => stranger.directPayment(`${app.baseUrl}/v2/DirectPayment/abc/9`, { PaymentType: 'card', Card: CARD })],
        ['getPaymentStatus', () => stranger.getPaymentStatus({ Key: 1, KeyType: 'InvoiceId' })],
        ['getRecurringPayment', () => stranger.getRecurringPayment()],
        ['cancelRecurringPayment', () => stranger.cancelRecurringPayment({ recurringId: 'RECUR1' })],
        ['resumeRecurringPayment', () => stranger.resumeRecurringPayment({ recurringId: 'RECUR1' })],
        ['sendPayment', () => stranger.sendPayment({ InvoiceValue: 1, CustomerName: 'x', NotificationOption: 'LNK' })],
        ['makeRefund', () => stranger.makeRefund({ KeyType: 'InvoiceId', Key: 1, Amount: 1 })],
        ['getRefundStatus', () => stranger.getRefundStatus({ KeyType: 'InvoiceId', Key: 1 })],
        ['updatePaymentStatus', () => stranger.updatePaymentStatus({ Operation: 'Release', KeyType: 'InvoiceId', Key: 1 })],
        ['cancelToken', () => stranger.cancelToken({ token: 'TKN-x' })],
        ['getCurrenciesExchangeList', () => stranger.getCurrenciesExchangeList()],
        ['registerApplePayDomain', () => stranger.registerApplePayDomain({ DomainName: 'shop.example.com' })],
        ['getWebhooks', () => stranger.getWebhooks()],
        ['resendWebhook', () => stranger.resendWebhook({ Reference: 'WH-1' })],
        ['sandbox.advanceClock', () => stranger.sandbox.advanceClock({ Days: 1 })],
        ['sandbox.notifications', () => stranger.sandbox.notifications()],
        ['sandbox.webhookChaos', () => stranger.sandbox.webhookChaos({})],
      ]
      expect(calls.map(([name]) => name).sort()).toEqual([...sdk.client.map((m) => m.name), ...sdk.sandbox.map((m) => `sandbox.${m.name}`)].sort())
      for (const [name, call] of calls) {
        const error = await failure(call())
        expect(error.status, name).toBe(401)
        expect(error.message, name).not.toBe('')
      }
    })
  })
}
