import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { BACKGROUND_POOL_SIZE } from '../../src/app/runtime.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { pollUntil } from './payment-support.js'
import { openRecurringContext, type RecurringContext } from './recurring-fixtures.js'

// `serve --role all` runs billing and webhook deliveries beside the API. On PostgreSQL they get a
// pool of their own (app/runtime.ts withBackgroundPool): with every background connection taken,
// AdvanceClock waits while API requests are still answered; on SQLite there is nothing to split.
for (const dialect of DIALECTS) {
  describe(`${dialect}: background work on its own pool`, () => {
    let app: TestApp
    let ctx: RecurringContext

    beforeAll(async () => {
      app = await startTestApp(dialect, { backgroundPool: true })
      ctx = await openRecurringContext(app)
    })
    afterAll(async () => {
      await app?.close()
    })

    it.runIf(dialect === 'postgres')('answers API requests while AdvanceClock waits for a background connection', async () => {
      const background = app.deps.background
      if (background === undefined || background.store.native.dialect !== 'postgres') throw new Error('no background pool')
      expect(background.store.native.pool).not.toBe(app.deps.store.native.dialect === 'postgres' ? app.deps.store.native.pool : undefined)
      const recurringId = await ctx.createActive({ RecurringType: 'Daily', Iteration: 3 })
      const executedBefore = (await ctx.get(recurringId)).ExecutedTimes

      // Take every background connection, as a long billing pass would.
      const pool = background.store.native.pool
      const held = await Promise.all(Array.from({ length: BACKGROUND_POOL_SIZE }, () => pool.connect()))
      let advanced = false
      const advancing = app.call('POST', '/v2/sandbox/AdvanceClock', ctx.apiKey, { Days: 1 }).then((response) => {
        advanced = true
        return response
      })
      try {
        // AdvanceClock queues for a background connection…
        expect(await pollUntil(async () => pool.waitingCount > 0, 10_000)).toBe(true)
        // …while the API's own pool serves these.
        const created = await ctx.create({ RecurringType: 'Daily', Iteration: 2 })
        const status = await app.call('POST', '/v2/GetPaymentStatus', ctx.apiKey, { Key: String(created.invoiceId), KeyType: 'InvoiceId' })
        expect(status.status).toBe(200)
        expect((await ctx.get(recurringId)).ExecutedTimes).toBe(executedBefore)
        expect(advanced).toBe(false)
      } finally {
        for (const client of held) client.release()
      }
      const response = await advancing
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      expect(response.body.Data.Approved).toBe(1)
      expect((await ctx.get(recurringId)).ExecutedTimes).toBe(executedBefore + 1)
    })

    it.runIf(dialect === 'sqlite')('shares the one SQLite connection: nothing to split', () => {
      expect(app.deps.background?.store ?? app.deps.store).toBe(app.deps.store)
    })
  })
}
