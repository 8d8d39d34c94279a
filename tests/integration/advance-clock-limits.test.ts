import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { readClockOffset } from '../../src/store/merchant.repository.js'
import { DIALECTS } from '../support/dialects.js'
import type { TestApp } from '../support/start-test-app.js'
import { openRecurringContext, startRecurringApp } from './recurring-fixtures.js'

const DAY_MS = 86_400_000

for (const dialect of DIALECTS) {
  describe(`${dialect}: AdvanceClock is bounded`, () => {
    let app: TestApp
    beforeAll(async () => {
      app = await startRecurringApp(dialect)
    })
    afterAll(async () => app?.close())

    it('stops walking time when the client goes away, leaving the clock where the work got to', async () => {
      const ctx = await openRecurringContext(app)
      // Never-ending daily recurrences: a year of them is thousands of charges.
      for (let i = 0; i < 8; i++) await ctx.createActive({ RecurringType: 'Daily', Iteration: 0 })
      const gone = new AbortController()
      const call = fetch(`${app.baseUrl}/v2/sandbox/AdvanceClock`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ctx.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ Days: 366 }),
        signal: gone.signal,
      }).catch(() => undefined)
      await new Promise((resolve) => setTimeout(resolve, 400))
      gone.abort()
      await call
      // Within a moment the walk stops: the clock no longer moves, well short of the year.
      let previous = -1
      const deadline = Date.now() + 10_000
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 500))
        const offset = await readClockOffset(app.deps.store.db, ctx.merchantId)
        if (offset === previous) break
        previous = offset
        if (Date.now() > deadline) throw new Error('the clock kept moving after the client went away')
      }
      expect(previous).toBeLessThan(366 * DAY_MS)
      expect(previous).toBeGreaterThan(0)
    })
  })
}
