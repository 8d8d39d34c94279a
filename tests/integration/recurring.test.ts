import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { RESUME_NOT_ALLOWED } from '../../src/services/resume-recurring-payment.js'
import { listLedger } from '../../src/store/processor-ledger.repository.js'
import { DIALECTS } from '../support/dialects.js'
import type { TestApp } from '../support/start-test-app.js'
import {
  AMBIGUOUS_CARD,
  openRecurringContext,
  RENEWAL_DECLINED_CARD,
  startRecurringApp,
  tomorrowInKuwait,
} from './recurring-fixtures.js'

const LOCAL_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/

/** The date `days` after a YYYY-MM-DD date. */
function plusDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: recurring payments`, () => {
    let app: TestApp

    beforeAll(async () => {
      app = await startRecurringApp(dialect)
    })
    afterAll(async () => {
      await app?.close()
    })

    it('README walkthrough: Daily ×3 completes; a renewal-declining card becomes Uncompleted; Resume', async () => {
      const ctx = await openRecurringContext(app)
      const day0 = tomorrowInKuwait()
      const { invoiceId, recurringId } = await ctx.create({ RecurringType: 'Daily', Iteration: 3 })
      expect(recurringId).toMatch(/^RECUR\d+$/)
      const draft = await ctx.get(recurringId)
      expect(draft).toMatchObject({ RecurringStatus: 'Draft', IsActive: false, ExecutedTimes: 0, RecurringInvoices: null })

      await ctx.pay(invoiceId)
      const active = await ctx.get(recurringId)
      expect(active).toMatchObject({ RecurringStatus: 'Active', IsActive: true, NextPayDate: `${plusDays(day0, 1)}T00:00:00` })

      const advanced = await ctx.advance({ Days: 3 })
      expect(advanced).toMatchObject({ Charges: 3, Approved: 3, StatusChanges: 1 })
      expect(advanced.Now).toMatch(new RegExp(`^${plusDays(day0, 3)}T10:00:0`))
      const done = await ctx.get(recurringId)
      expect(done).toMatchObject({ RecurringStatus: 'Completed', IsActive: false, ExecutedTimes: 3, RecurringValue: 10, RecurringType: 'Daily' })
      expect(done.RecurringInvoices?.map((invoice) => invoice.InvoiceStatus)).toEqual(['Paid', 'Paid', 'Paid'])
      expect(done.RecurringInvoices?.map((invoice) => invoice.CreatedDate.slice(0, 13))).toEqual([1, 2, 3].map((n) => `${plusDays(day0, n)}T04`))
      expect(done.RecurringInvoices?.[0]?.CustomerName).toBe('Recurring Customer')
      expect(done.LastPayDate.slice(0, 13)).toBe(`${plusDays(day0, 3)}T04`)
      expect([...(await ctx.approvedRenewals(recurringId)).entries()]).toEqual([[1, 1], [2, 1], [3, 1]])
      expect((await ctx.advance({ Days: 2 })).Charges).toBe(0)

      // 4000000000000341: the first payment goes through, every renewal is declined.
      const declining = await ctx.createActive({ RecurringType: 'Daily', Iteration: 0, RetryCount: 2 }, RENEWAL_DECLINED_CARD)
      expect(await ctx.advance({ Days: 1 })).toMatchObject({ Charges: 1, Declined: 1, StatusChanges: 0 })
      expect(await ctx.get(declining)).toMatchObject({ RecurringStatus: 'Active', ExecutedTimes: 0 })
      expect(await ctx.advance({ Days: 2 })).toMatchObject({ Charges: 2, Declined: 2, Retries: 2, StatusChanges: 1 })
      const uncompleted = await ctx.get(declining)
      expect(uncompleted).toMatchObject({ RecurringStatus: 'Uncompleted', IsActive: false, ExecutedTimes: 0 })
      // One invoice per cycle: the retries charged the same invoice.
      expect(uncompleted.RecurringInvoices?.map((invoice) => invoice.InvoiceStatus)).toEqual(['Pending'])
      expect((await ctx.advance({ Days: 3 })).Charges).toBe(0)

      const refused = await ctx.resume(declining)
      expect(refused.status).toBe(400)
      expect(refused.body).toMatchObject({ IsSuccess: false, Data: false, Message: 'Declined by issuer' })
      expect(refused.body.ValidationErrors[0]).toMatchObject({ Name: 'RecurringId' })
      expect(await ctx.get(declining)).toMatchObject({ RecurringStatus: 'Uncompleted' })

      // 4000000000001034: the first 3 attempts of every cycle are declined, the 4th approved.
      const resumable = await ctx.createActive({ RecurringType: 'Daily', Iteration: 2, RetryCount: 2 }, '4000000000001034')
      const merchantToday = String((await ctx.advance({ Days: 3 })).Now).slice(0, 10)
      expect(await ctx.get(resumable)).toMatchObject({ RecurringStatus: 'Uncompleted', ExecutedTimes: 0 })
      const resumed = await ctx.resume(resumable)
      expect(resumed.body).toEqual({ IsSuccess: true, Message: 'Recurring Resumed successfully', ValidationErrors: null, Data: true })
      const afterResume = await ctx.get(resumable)
      expect(afterResume).toMatchObject({ RecurringStatus: 'Active', ExecutedTimes: 1, IsActive: true })
      expect(afterResume.RecurringInvoices?.map((invoice) => invoice.InvoiceStatus)).toEqual(['Paid'])
      // The schedule continues from its own dates (anchor day0 + 11): cycle 2 (day0 + 13) is
      // already due and is charged by the next billing run, not skipped, so NextPayDate shows
      // the merchant's date rather than a day already past (docs/recurring.md).
      expect(plusDays(day0, 13) < merchantToday).toBe(true)
      expect(afterResume.NextPayDate).toBe(`${merchantToday}T00:00:00`)
      const notAgain = await ctx.resume(resumable)
      expect(notAgain.status).toBe(400)
      expect(notAgain.body).toEqual({
        IsSuccess: false,
        Message: 'Invalid data',
        ValidationErrors: [{ Name: 'RecurringId', Error: RESUME_NOT_ALLOWED }],
        Data: false,
      })
    })

    it('cancels: final, with the reference message; errors answer 400 with Data false', async () => {
      const ctx = await openRecurringContext(app)
      const active = await ctx.createActive({ RecurringType: 'Weekly', Iteration: 0 })
      const canceled = await ctx.cancel(active)
      expect(canceled.status).toBe(200)
      expect(canceled.body).toEqual({ IsSuccess: true, Message: 'Canceled successfully', ValidationErrors: null, Data: true })
      expect(await ctx.get(active)).toMatchObject({ RecurringStatus: 'Canceled', IsActive: false })
      expect((await ctx.advance({ Days: 30 })).Charges).toBe(0)

      const again = await ctx.cancel(active)
      expect(again.status).toBe(400)
      expect(again.body).toMatchObject({ IsSuccess: false, Data: false })
      expect(again.body.ValidationErrors[0].Error).toMatch(/already canceled/)
      const resume = await ctx.resume(active)
      expect(resume.body.ValidationErrors).toEqual([{ Name: 'RecurringId', Error: RESUME_NOT_ALLOWED }])

      // GET, recurringId in the body, and any case of the parameter name are accepted too.
      const viaGet = await ctx.createActive({ RecurringType: 'Daily', Iteration: 0 })
      expect((await app.call('GET', `/v2/CancelRecurringPayment?RecurringID=${viaGet}`, ctx.apiKey)).body.Data).toBe(true)
      const viaBody = await ctx.createActive({ RecurringType: 'Daily', Iteration: 0 })
      expect((await app.call('POST', '/v2/CancelRecurringPayment', ctx.apiKey, { RecurringId: viaBody })).body.Data).toBe(true)

      for (const id of ['RECUR1', 'nonsense', '']) {
        const unknown = await ctx.cancel(id)
        expect(unknown.status, id).toBe(400)
        expect(unknown.body).toMatchObject({ IsSuccess: false, Data: false })
      }
      const other = await openRecurringContext(app)
      const foreign = await other.createActive({ RecurringType: 'Daily', Iteration: 0 })
      expect((await ctx.cancel(foreign)).body).toMatchObject({ IsSuccess: false, Data: false })
      expect(await other.get(foreign)).toMatchObject({ RecurringStatus: 'Active' })
      const list = await app.call('GET', '/v2/GetRecurringPayment', ctx.apiKey)
      expect(list.body.Data.RecurringPayment.map((r: { RecurringId: string }) => r.RecurringId)).not.toContain(foreign)

      // A Completed recurrence has nothing left to cancel; it stays Completed.
      const completed = await ctx.createActive({ RecurringType: 'Daily', Iteration: 1 })
      await ctx.advance({ Days: 1 })
      const refused = await ctx.cancel(completed)
      expect(refused.status).toBe(400)
      expect(refused.body.ValidationErrors[0].Error).toMatch(/completed/)
      expect(await ctx.get(completed)).toMatchObject({ RecurringStatus: 'Completed', ExecutedTimes: 1 })
    })

    it('keeps a Draft as Draft: never charged; cancelled before payment it is never activated', async () => {
      const ctx = await openRecurringContext(app)
      const { recurringId } = await ctx.create({ RecurringType: 'Daily', Iteration: 0 })
      expect((await ctx.advance({ Days: 5 })).Charges).toBe(0)
      expect(await ctx.get(recurringId)).toMatchObject({ RecurringStatus: 'Draft', ExecutedTimes: 0, RecurringInvoices: null })

      const { invoiceId, recurringId: canceledDraft } = await ctx.create({ RecurringType: 'Daily', Iteration: 0 })
      expect((await ctx.cancel(canceledDraft)).body.Data).toBe(true)
      await ctx.pay(invoiceId)
      expect(await ctx.get(canceledDraft)).toMatchObject({ RecurringStatus: 'Canceled' })
      expect((await ctx.advance({ Days: 2 })).Charges).toBe(0)
    })

    it('resets the retry counter each cycle (card declining the first attempt of every cycle)', async () => {
      const ctx = await openRecurringContext(app)
      const id = await ctx.createActive({ RecurringType: 'Daily', Iteration: 3, RetryCount: 1 }, '4000000000001018')
      const result = await ctx.advance({ Days: 6 })
      expect(result).toMatchObject({ Charges: 6, Approved: 3, Declined: 3, Retries: 3 })
      const view = await ctx.get(id)
      expect(view).toMatchObject({ RecurringStatus: 'Completed', ExecutedTimes: 3 })
      expect(view.RecurringInvoices).toHaveLength(3)
      expect([...(await ctx.approvedRenewals(id)).values()]).toEqual([1, 1, 1])
    })

    it('charges the ambiguous card exactly once per cycle', async () => {
      const ctx = await openRecurringContext(app)
      const id = await ctx.createActive({ RecurringType: 'Daily', Iteration: 2 }, AMBIGUOUS_CARD)
      const result = await ctx.advance({ Days: 2 })
      expect(result).toMatchObject({ Charges: 2, Approved: 2 })
      expect(await ctx.get(id)).toMatchObject({ RecurringStatus: 'Completed', ExecutedTimes: 2 })
      expect([...(await ctx.approvedRenewals(id)).entries()]).toEqual([[1, 1], [2, 1]])
      // The first payment and the two renewals: every charge is an attempt.
      const ledger = await listLedger(app.deps.store.db, { merchantId: ctx.merchantId, keyPrefix: 'attempt-' })
      expect(ledger).toHaveLength(3)
    })

    it('follows month ends: Jan 31 → Feb 29 → Mar 31 → Apr 30 (leap year), charging at 04:00 local', async () => {
      const ctx = await openRecurringContext(app)
      let year = new Date().getUTCFullYear() + 1
      while (!(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) year++
      // One call jumps at most 366 days: walk there a year at a time.
      while ((await app.call('POST', '/v2/sandbox/AdvanceClock', ctx.apiKey, { Until: `${year}-01-31T10:00:00` })).status !== 200) {
        await ctx.advance({ Days: 366 })
      }
      const id = await ctx.createActive({ RecurringType: 'Monthly', Iteration: 3 })
      expect((await ctx.get(id)).NextPayDate).toBe(`${year}-02-29T00:00:00`)
      await ctx.advance({ Until: `${year}-03-31T03:59:00` })
      expect(await ctx.get(id)).toMatchObject({ ExecutedTimes: 1, NextPayDate: `${year}-03-31T00:00:00` })
      const result = await ctx.advance({ Until: `${year}-05-01T00:00:00+03:00` })
      expect(result.Now).toBe(`${year}-05-01T00:00:00.000`)
      const view = await ctx.get(id)
      expect(view).toMatchObject({ RecurringStatus: 'Completed', ExecutedTimes: 3 })
      expect(view.RecurringInvoices?.map((invoice) => invoice.CreatedDate)).toEqual([
        `${year}-02-29T04:00:00.000`,
        `${year}-03-31T04:00:00.000`,
        `${year}-04-30T04:00:00.000`,
      ])
    })

    it('lists every field of reference §5.1, pages and filters; GetPaymentStatus reads automatic invoices', async () => {
      const ctx = await openRecurringContext(app)
      const custom = await ctx.createActive({ RecurringType: 'Custom', IntervalDays: 2, Iteration: 0 })
      const { recurringId: draft } = await ctx.create({ RecurringType: 'Weekly', Iteration: 2 }, 7.5)
      await ctx.advance({ Days: 2 })

      for (const [method, body] of [['GET', undefined], ['POST', 'null'], ['POST', {}]] as const) {
        const response = await app.call(method, '/v2/GetRecurringPayment', ctx.apiKey, body)
        expect(response.status).toBe(200)
        expect(response.body).toMatchObject({ IsSuccess: true, Message: '', ValidationErrors: null })
        expect(response.body.Data.RecurringPayment).toHaveLength(2)
      }
      const all = (await app.call('GET', '/v2/GetRecurringPayment', ctx.apiKey)).body.Data.RecurringPayment
      const [first, second] = all
      expect(Object.keys(first).sort()).toEqual(
        ['RecurringId', 'RecurringStatus', 'CreationDate', 'RecurringValue', 'RecurringType', 'IntervalDays', 'ExecutedTimes', 'LastPayDate', 'NextPayDate', 'IsActive', 'RecurringInvoices'].sort(),
      )
      expect(first).toMatchObject({ RecurringId: custom, RecurringType: 'Custom', IntervalDays: 2, ExecutedTimes: 1, IsActive: true })
      expect(first.CreationDate).toMatch(LOCAL_ISO)
      expect(first.NextPayDate).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00$/)
      expect(second).toMatchObject({ RecurringId: draft, RecurringStatus: 'Draft', RecurringValue: 7.5, RecurringInvoices: null, IntervalDays: null })
      expect(second.LastPayDate).toBe(second.CreationDate)

      const page = await app.call('GET', '/v2/GetRecurringPayment?PageSize=1&PageNumber=2', ctx.apiKey)
      expect(page.body.Data.RecurringPayment.map((r: { RecurringId: string }) => r.RecurringId)).toEqual([draft])
      const drafts = await app.call('GET', '/v2/GetRecurringPayment?RecurringStatus=draft', ctx.apiKey)
      expect(drafts.body.Data.RecurringPayment.map((r: { RecurringId: string }) => r.RecurringId)).toEqual([draft])
      const none = await app.call('GET', '/v2/GetRecurringPayment?recurringId=RECUR1', ctx.apiKey)
      expect(none.status).toBe(400)
      expect(none.body).toMatchObject({ IsSuccess: false, Data: null, ValidationErrors: [{ Name: 'RecurringId', Error: 'No recurring payment matches this RecurringId' }] })
      const excluded = await app.call('GET', `/v2/GetRecurringPayment?recurringId=${custom}&RecurringStatus=Draft`, ctx.apiKey)
      expect(excluded.body.Data.RecurringPayment).toEqual([])
      const bad = await app.call('GET', '/v2/GetRecurringPayment?PageSize=0&RecurringStatus=Paused', ctx.apiKey)
      expect(bad.status).toBe(400)
      expect(bad.body.ValidationErrors.map((e: { Name: string }) => e.Name).sort()).toEqual(['PageSize', 'RecurringStatus'])

      const invoiceId = first.RecurringInvoices[0].InvoiceId
      const status = await app.call('POST', '/v2/GetPaymentStatus', ctx.apiKey, { Key: invoiceId, KeyType: 'InvoiceId' })
      expect(status.status).toBe(200)
      expect(status.body.Data).toMatchObject({ InvoiceId: invoiceId, InvoiceStatus: 'Paid', RecurringId: custom, CustomerName: 'Recurring Customer' })
      expect(status.body.Data.InvoiceTransactions).toHaveLength(1)
      expect(status.body.Data.InvoiceTransactions[0]).toMatchObject({ TransactionStatus: 'Succss', PaymentGateway: 'VISA/MASTER' })
      expect(status.body.Data.InvoiceTransactions[0].Card.Token).toBe('')
    })

    it('validates AdvanceClock and only moves the clock forward', async () => {
      const ctx = await openRecurringContext(app)
      const call = (body: unknown) => app.call('POST', '/v2/sandbox/AdvanceClock', ctx.apiKey, body)
      for (const body of [{}, { Days: 0 }, { Days: 1.5 }, { Days: 367 }, { Days: 1, Until: '2030-01-01' }, { Until: '2001-01-01T00:00:00Z' }, { Until: 'soon' }, { Until: '2999-01-01' }]) {
        const response = await call(body)
        expect(response.status, JSON.stringify(body)).toBe(400)
        expect(response.body.IsSuccess).toBe(false)
      }
      const before = (await call({ Days: 1 })).body.Data.Now as string
      const after = (await call({ Days: 366 })).body.Data.Now as string
      expect(Date.parse(`${after}Z`) - Date.parse(`${before}Z`)).toBeGreaterThanOrEqual(366 * 86_400_000)
      expect((await call({})).body.ValidationErrors).toEqual([{ Name: 'Days', Error: 'Send Days (a whole number > 0) or Until (an ISO time)' }])
      expect((await app.call('POST', '/v2/sandbox/AdvanceClock', null, { Days: 1 })).status).toBe(401)
    })
  })
}
