import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { listOutboxEvents } from '../../src/store/outbox.repository.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { executePayment, payHosted } from './checkout-support.js'

/** The merchant hears of a first payment before the recurrence it activates. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: order of the first payment's webhooks`, () => {
    let app: TestApp
    beforeAll(async () => {
      app = await startTestApp(dialect)
    })
    afterAll(async () => app?.close())

    it('writes PAYMENT_STATUS_CHANGED before the RECURRING_UPDATES of the activation', async () => {
      const created = await app.createMerchant({ webhookUrl: 'https://merchant.example.test/hook' })
      const { PaymentURL } = await executePayment(app, created.apiKey, {
        CallBackUrl: 'https://merchant.example.test/ok',
        RecurringModel: { RecurringType: 'Monthly', Iteration: 2 },
      })
      await payHosted(PaymentURL, { number: '5123450000000008' })
      const events = await listOutboxEvents(app.deps.store.db, { merchantId: created.merchant.id })
      expect(events.map((event) => event.event_code)).toEqual([1, 5])
    })
  })
}
