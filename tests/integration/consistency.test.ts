import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { CUSTOMER_MOBILE_RULE, MAX_MOBILE_LENGTH } from '../../src/domain/execute-payment-request.js'
import { UNKNOWN_RECURRING_ID } from '../../src/services/get-recurring-payment.js'
import { changeMerchantSettings } from '../../src/services/update-merchant-settings.js'
import { listOutboxEvents } from '../../src/store/outbox.repository.js'
import { DIALECTS } from '../support/dialects.js'
import type { TestApp } from '../support/start-test-app.js'
import { openRecurringContext, startRecurringApp, tomorrowInKuwait, type RecurringContext } from './recurring-fixtures.js'
import { startReceiver, type Receiver } from './webhooks-receiver.js'

/**
 * Answers that agree (issue 13): each rule is asked of every surface that shows it — the API,
 * both webhook versions and the OpenAPI document — and they must give the same answer.
 */

/** First payment approved; the first 3 attempts of every later cycle declined, the 4th approved. */
const FOURTH_ATTEMPT_CARD = '4000000000001034'

/** A Kuwait local date-time text, from a v2 UTC instant (Kuwait is UTC+3 all year). */
const kuwaitLocal = (utc: string) => new Date(Date.parse(utc) + 3 * 3_600_000).toISOString().slice(0, 19)

const plusDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)

/** The recurring webhook bodies of a merchant, oldest first. */
async function recurringWebhooks(app: TestApp, merchantId: number): Promise<any[]> {
  const rows = await listOutboxEvents(app.deps.store.db, { merchantId })
  return rows.map((row) => JSON.parse(row.body)).filter((body) => (body.Event?.Code ?? body.EventType) === 5)
}

/** Status and NextPayDate (as GetRecurringPayment prints it) of a recurring webhook body. */
function webhookSays(body: any): { status: string; nextPayDate: string | null } {
  if (body.EventType === 5) return { status: body.Data.RecurringStatus, nextPayDate: body.Data.NextPayDate }
  const next = body.Data.Recurring.NextPayDate
  return { status: body.Data.Recurring.Status, nextPayDate: next === null ? null : kuwaitLocal(next) }
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: answers that agree`, () => {
    let app: TestApp
    let receiver: Receiver

    beforeAll(async () => {
      app = await startRecurringApp(dialect)
      receiver = await startReceiver()
    })
    afterAll(async () => {
      await receiver?.close()
      await app?.close()
    })

    async function contextWithWebhooks(version: 'v1' | 'v2'): Promise<RecurringContext> {
      const ctx = await openRecurringContext(app)
      await changeMerchantSettings(app.deps.store, 'sandbox', ctx.merchantId, { webhookUrl: receiver.url, webhookVersion: version })
      return ctx
    }

    for (const version of ['v1', 'v2'] as const) {
      it(`a Completed recurrence shows the same NextPayDate in GetRecurringPayment and in its ${version} webhook`, async () => {
        const ctx = await contextWithWebhooks(version)
        const paidOn = tomorrowInKuwait()
        const recurringId = await ctx.createActive({ RecurringType: 'Daily', Iteration: 2 })
        expect(await ctx.advance({ Days: 2 })).toMatchObject({ Charges: 2, Approved: 2, StatusChanges: 1 })
        const view = await ctx.get(recurringId)
        // Cycles on paidOn + 1 and + 2; the schedule's next cycle would be paidOn + 3.
        expect(view).toMatchObject({ RecurringStatus: 'Completed', NextPayDate: `${plusDays(paidOn, 3)}T00:00:00` })

        const webhooks = (await recurringWebhooks(app, ctx.merchantId)).map(webhookSays)
        const last = webhooks[webhooks.length - 1]
        expect(last).toEqual({ status: 'COMPLETED', nextPayDate: view.NextPayDate })
      })
    }

    it('after a late Resume, NextPayDate is the merchant’s date, not a day already past, in the API and the webhook', async () => {
      const ctx = await contextWithWebhooks('v2')
      const recurringId = await ctx.createActive({ RecurringType: 'Daily', Iteration: 0, RetryCount: 2 }, FOURTH_ATTEMPT_CARD)
      await ctx.advance({ Days: 3 })
      expect(await ctx.get(recurringId)).toMatchObject({ RecurringStatus: 'Uncompleted' })
      // A week later the customer fixes the card: cycles 2…10 are already due.
      const today = String((await ctx.advance({ Days: 7 })).Now).slice(0, 10)
      const stuck = await ctx.get(recurringId)
      expect(stuck.NextPayDate < `${today}T00:00:00`).toBe(true) // Uncompleted: the blocked cycle's date

      const resumed = await ctx.resume(recurringId)
      expect(resumed.body).toMatchObject({ IsSuccess: true, Data: true })
      const view = await ctx.get(recurringId)
      expect(view).toMatchObject({ RecurringStatus: 'Active', ExecutedTimes: 1, NextPayDate: `${today}T00:00:00` })
      const webhooks = (await recurringWebhooks(app, ctx.merchantId)).map(webhookSays)
      expect(webhooks[webhooks.length - 1]).toEqual({ status: 'ACTIVE', nextPayDate: `${today}T00:00:00` })

      // The date is the truth: the overdue cycles are charged by the next billing run.
      const caughtUp = await ctx.advance({ Until: `${today}T23:00:00` })
      expect(Number(caughtUp.Charges)).toBeGreaterThan(0)
    })

    it('an unknown, malformed or other merchant’s RecurringId gets the same 400 from Get, Cancel and Resume', async () => {
      const mine = await openRecurringContext(app)
      const theirs = await openRecurringContext(app)
      const theirId = await theirs.createActive({ RecurringType: 'Weekly', Iteration: 0 })
      const myId = await mine.createActive({ RecurringType: 'Weekly', Iteration: 0 })
      const unknown = { IsSuccess: false, Message: 'Invalid data', ValidationErrors: [{ Name: 'RecurringId', Error: UNKNOWN_RECURRING_ID }] }
      for (const id of [theirId, 'RECUR1', 'not-an-id', `${theirId}0`]) {
        const query = `?recurringId=${encodeURIComponent(id)}`
        for (const method of ['GET', 'POST']) {
          const listed = await app.call(method, `/v2/GetRecurringPayment${query}`, mine.apiKey)
          expect([id, method, listed.status, listed.body]).toEqual([id, method, 400, { ...unknown, Data: null }])
        }
        for (const route of ['CancelRecurringPayment', 'ResumeRecurringPayment']) {
          const acted = await app.call('POST', `/v2/${route}${query}`, mine.apiKey)
          expect([id, route, acted.status, acted.body]).toEqual([id, route, 400, { ...unknown, Data: false }])
        }
      }
      // The id is the other merchant's and it is untouched; a filter that excludes a known id narrows the list.
      expect(await theirs.get(theirId)).toMatchObject({ RecurringStatus: 'Active' })
      const excluded = await app.call('GET', `/v2/GetRecurringPayment?recurringId=${myId}&RecurringStatus=Canceled`, mine.apiKey)
      expect([excluded.status, excluded.body.Data]).toEqual([200, { RecurringPayment: [] }])
    })

    it('CustomerMobile: one rule, the reference’s, with one message, in the API and the OpenAPI document', async () => {
      const { apiKey } = await app.createMerchant()
      const send = (mobile: string) =>
        app.call('POST', '/v2/ExecutePayment', apiKey, { InvoiceValue: 1, PaymentMethodId: 2, MobileCountryCode: '+965', CustomerMobile: mobile })
      for (const accepted of ['12345678901', '555', '+9655551234', '0055512345', '55512345#']) {
        const response = await send(accepted)
        expect([accepted, response.status]).toEqual([accepted, 200])
      }
      for (const refused of ['1234567890123', '123456789012', '+96555512345', '12', '5551-2345', '#555']) {
        const response = await send(refused)
        expect([refused, response.status, response.body.ValidationErrors]).toEqual([
          refused,
          400,
          [{ Name: 'CustomerMobile', Error: CUSTOMER_MOBILE_RULE }],
        ])
      }
      expect(CUSTOMER_MOBILE_RULE).toBe('CustomerMobile must be 3 to 11 digits (the number without its country code, which goes in MobileCountryCode)')

      const spec = (await app.call('GET', '/openapi.json', null)).body
      for (const path of ['/v2/ExecutePayment', '/v2/SendPayment']) {
        const field = spec.paths[path].post.requestBody.content['application/json'].schema.properties.CustomerMobile
        expect(field).toMatchObject({ type: 'string', maxLength: MAX_MOBILE_LENGTH, description: expect.stringContaining(CUSTOMER_MOBILE_RULE) })
        expect(new RegExp(field.pattern).test('12345678901')).toBe(true)
        expect(new RegExp(field.pattern).test('+96555512')).toBe(true)
        expect(new RegExp(field.pattern).test('12')).toBe(false)
      }
    })
  })
}
