import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'

const PLAIN = { PaymentMethodId: 2, InvoiceValue: 12.5, CustomerName: 'Batch Test', CustomerReference: 'batch' }
const RECURRING = { ...PLAIN, RecurringModel: { RecurringType: 'Monthly', Iteration: 3 } }

// Concurrent ExecutePayments share one write (SQLite: one transaction per turn of the event
// loop; PostgreSQL: one statement each): every caller still gets its own invoice and recurrence.
for (const dialect of DIALECTS) {
  describe(`${dialect}: concurrent ExecutePayment`, () => {
    let app: TestApp
    let apiKey: string

    beforeAll(async () => {
      app = await startTestApp(dialect)
      ;({ apiKey } = await app.createMerchant())
    })
    afterAll(async () => app.close())

    it('gives 120 concurrent requests 120 distinct invoices and 60 Draft recurrences, each readable back', async () => {
      const answers = await Promise.all(
        Array.from({ length: 120 }, (_, i) => app.call('POST', '/v2/ExecutePayment', apiKey, i % 2 === 0 ? PLAIN : { ...RECURRING, CustomerReference: `batch-${i}` })),
      )
      for (const answer of answers) expect(answer.status).toBe(200)
      const invoiceIds = answers.map((a) => a.body.Data.InvoiceId as number)
      expect(new Set(invoiceIds).size).toBe(120)
      const recurringIds = answers.filter((_, i) => i % 2 === 1).map((a) => a.body.Data.RecurringId as string)
      expect(new Set(recurringIds).size).toBe(60)
      for (const id of recurringIds) expect(id).toMatch(/^RECUR\d+$/)
      for (const answer of answers.filter((_, i) => i % 2 === 0)) expect(answer.body.Data.RecurringId).toBe('')

      for (const [i, answer] of answers.entries()) {
        if (i % 10 !== 1) continue
        const status = await app.call('POST', '/v2/GetPaymentStatus', apiKey, { Key: String(answer.body.Data.InvoiceId), KeyType: 'InvoiceId' })
        expect(status.body.Data).toMatchObject({ InvoiceId: answer.body.Data.InvoiceId, InvoiceStatus: 'Pending', CustomerReference: `batch-${i}`, InvoiceValue: 12.5 })
        const recurring = await app.call('GET', `/v2/GetRecurringPayment?recurringId=${answer.body.Data.RecurringId}`, apiKey)
        expect(recurring.status).toBe(200)
        const [row] = recurring.body.Data.RecurringPayment
        expect(row).toMatchObject({ RecurringId: answer.body.Data.RecurringId, RecurringStatus: "Draft", RecurringType: "Monthly" })
      }
    })

    it('keeps a refused request out of the others’ batch', async () => {
      const answers = await Promise.all([
        app.call('POST', '/v2/ExecutePayment', apiKey, PLAIN),
        app.call('POST', '/v2/ExecutePayment', apiKey, { ...PLAIN, InvoiceValue: -1 }),
        app.call('POST', '/v2/ExecutePayment', apiKey, RECURRING),
      ])
      expect(answers.map((a) => a.status)).toEqual([200, 400, 200])
      expect(answers[1]?.body.IsSuccess).toBe(false)
    })
  })
}
