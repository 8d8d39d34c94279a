import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { RESUME_NOT_ALLOWED } from '../../src/services/resume-recurring-payment.js'
import { DIALECTS } from '../support/dialects.js'
import type { TestApp } from '../support/start-test-app.js'
import { runCli, runCliJson, TEST_APP_VAULT_KEY } from './cli-support.js'
import { GOOD_CARD, openRecurringContext, RENEWAL_DECLINED_CARD, startRecurringApp, type RecurringContext } from './recurring-fixtures.js'

/** Every cycle: the first attempt declined (MF004), later ones approved. */
const FIRST_ATTEMPT_DECLINED_CARD = '4000000000001018'

for (const dialect of DIALECTS) {
  describe(`${dialect}: dawri recurring and dawri clock`, () => {
    let app: TestApp
    let shop: RecurringContext
    let cli: (args: string[]) => ReturnType<typeof runCli>
    let json: (args: string[]) => Promise<any>
    let completing: string
    let failing: string
    let declining: string
    let weekly: string
    beforeAll(async () => {
      app = await startRecurringApp(dialect)
      shop = await openRecurringContext(app)
      const env = { DAWRI_VAULT_KEY: TEST_APP_VAULT_KEY }
      const database = ['--database', app.database.url]
      cli = (args) => runCli([...args, ...database], env)
      json = (args) => runCliJson([...args, ...database], env)
      completing = await shop.createActive({ RecurringType: 'Daily', Iteration: 3, RetryCount: 0 }, GOOD_CARD)
      failing = await shop.createActive({ RecurringType: 'Daily', Iteration: 3, RetryCount: 0 }, FIRST_ATTEMPT_DECLINED_CARD)
      declining = await shop.createActive({ RecurringType: 'Daily', Iteration: 3, RetryCount: 0 }, RENEWAL_DECLINED_CARD)
      weekly = await shop.createActive({ RecurringType: 'Custom', IntervalDays: 7, Iteration: 2, RetryCount: 0 }, GOOD_CARD)
    })
    afterAll(async () => app?.close())

    it('lists the recurring payments as a table and as the API lists them, with filters and a limit', async () => {
      const merchant = String(shop.merchantId)
      const table = await cli(['recurring', 'list', '--merchant', merchant])
      expect(table.status, table.stderr).toBe(0)
      const lines = table.stdout.trimEnd().split('\n')
      expect(lines[0]).toMatch(/^MERCHANT\s+RECURRING_ID\s+STATUS\s+TYPE\s+AMOUNT\s+EXECUTED\s+LAST_PAY\s+NEXT_PAY$/)
      expect(lines.slice(1)).toEqual([
        expect.stringMatching(new RegExp(`^${merchant}\\s+${completing}\\s+Active\\s+Daily\\s+10 KWD\\s+0\\s+\\S+\\s+\\S+$`)),
        expect.stringMatching(new RegExp(`^${merchant}\\s+${failing}\\s+Active\\s+Daily\\s+10 KWD\\s+0\\s`)),
        expect.stringMatching(new RegExp(`^${merchant}\\s+${declining}\\s+Active\\s+Daily\\s+10 KWD\\s+0\\s`)),
        expect.stringMatching(new RegExp(`^${merchant}\\s+${weekly}\\s+Active\\s+every 7 days\\s+10 KWD\\s+0\\s`)),
      ])

      const listed = await json(['recurring', 'list', '--merchant', merchant])
      const api = await app.call('GET', '/v2/GetRecurringPayment', shop.apiKey)
      expect(listed).toEqual(api.body.Data.RecurringPayment.map((view: object) => ({ MerchantId: shop.merchantId, ...view })))

      const limited = await cli(['recurring', 'list', '--merchant', merchant, '--limit', '1'])
      expect(limited.stdout.trimEnd().split('\n')).toHaveLength(2)
      expect(limited.stderr).toBe('dawri: showing the first 1; --limit shows more\n')
      expect(await json(['recurring', 'list', '--status', 'canceled'])).toEqual([])
      const all = await json(['recurring', 'list'])
      expect(all.map((entry: { RecurringId: string }) => entry.RecurringId)).toEqual(expect.arrayContaining([completing, failing, declining, weekly]))
    })

    it('clock advance runs the billing due, as AdvanceClock does; show tells the outcome', async () => {
      const advanced = await json(['clock', 'advance', '--merchant', String(shop.merchantId), '--days', '3'])
      // Completing: 3 approved; failing and declining: their first renewal declined (no retries); weekly: not due yet.
      expect(advanced).toMatchObject({ Charges: 5, Approved: 3, Declined: 2, Retries: 0 })
      expect(advanced.Now).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/)

      const done = await json(['recurring', 'show', completing])
      const api = await shop.get(completing)
      expect(done).toEqual({ MerchantId: shop.merchantId, ...api })
      expect(done).toMatchObject({ RecurringStatus: 'Completed', ExecutedTimes: 3 })
      expect(done.RecurringInvoices).toHaveLength(3)
      const human = await cli(['recurring', 'show', completing])
      expect(human.stdout).toMatch(/^Status:\s+Completed$/m)
      expect(human.stdout).toMatch(/^INVOICE_ID\s+STATUS\s+CREATED\s+CUSTOMER$/m)
      expect(human.stdout.match(/^\d+\s+Paid\s/gm)).toHaveLength(3)
      expect((await shop.get(failing)).RecurringStatus).toBe('Uncompleted')
      expect(await json(['recurring', 'list', '--status', 'Uncompleted', '--merchant', String(shop.merchantId)])).toHaveLength(2)

      const text = await cli(['clock', 'advance', '--merchant', String(shop.merchantId), '--until', '2099-01-01'])
      expect(text.status).toBe(2)
      expect(text.stderr).toContain('Until must be at most 366 days after')
      const ok = await cli(['clock', 'advance', '--merchant', String(shop.merchantId), '--days', '1'])
      expect(ok.status, ok.stderr).toBe(0)
      expect(ok.stdout).toMatch(new RegExp(`^Merchant ${shop.merchantId} clock:\\s+\\d{4}-`, 'm'))
      expect(ok.stdout).toMatch(/^Charges:\s+0 \(approved 0, declined 0, retries 0\)$/m)
    })

    it('resume charges the failed cycle now; cancel is final; refusals exit 1 with the reason', async () => {
      const resumed = await cli(['recurring', 'resume', failing])
      expect(resumed.status, resumed.stderr).toBe(0)
      expect(resumed.stdout).toBe(`${failing} resumed: the charge was approved; status Active.\n`)
      expect(await shop.get(failing)).toMatchObject({ RecurringStatus: 'Active', ExecutedTimes: 1 })

      const declined = await cli(['recurring', 'resume', declining])
      expect(declined.status).toBe(1)
      expect(declined.stderr).toMatch(/^dawri: The resume charge was declined \(MF002: .+\); the recurring payment stays Uncompleted\n$/)
      const notAllowed = await cli(['recurring', 'resume', completing])
      expect(notAllowed.status).toBe(1)
      expect(notAllowed.stderr).toBe(`dawri: ${RESUME_NOT_ALLOWED}\n`)

      const canceled = await cli(['recurring', 'cancel', failing, '--merchant', String(shop.merchantId)])
      expect(canceled.status, canceled.stderr).toBe(0)
      expect(canceled.stdout).toBe(`${failing} canceled.\n`)
      expect((await shop.get(failing)).RecurringStatus).toBe('Canceled')
      const twice = await cli(['recurring', 'cancel', failing])
      expect(twice.status).toBe(1)
      expect(twice.stderr.trim().split('\n')).toHaveLength(1)
    })

    it('unknown ids exit 1, malformed input exits 2, and another merchant cannot be named', async () => {
      const { merchant: other } = await app.createMerchant()
      for (const args of [['recurring', 'show', 'RECUR999999999'], ['recurring', 'cancel', completing, '--merchant', String(other.id)], ['recurring', 'resume', 'RECUR1']]) {
        const result = await cli(args)
        expect(result.status, args.join(' ')).toBe(1)
        expect(result.stderr, args.join(' ')).toMatch(/^dawri: No recurring payment RECUR\d+( for merchant \d+)?\n$/)
      }
      expect((await shop.get(completing)).RecurringStatus).toBe('Completed')
      for (const args of [
        ['recurring', 'show', '12'],
        ['recurring', 'list', '--status', 'Paused'],
        ['recurring', 'list', '--limit', '0'],
        ['clock', 'advance', '--merchant', String(shop.merchantId)],
        ['clock', 'advance', '--merchant', String(shop.merchantId), '--days', '0'],
        ['clock', 'advance', '--days', '1'],
      ]) {
        const result = await cli(args)
        expect(result.status, args.join(' ')).toBe(2)
        expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1)
      }
      const production = await runCli(['clock', 'advance', '--merchant', String(shop.merchantId), '--days', '1', '--database', app.database.url], {
        DAWRI_MODE: 'production',
        DAWRI_VAULT_KEY: TEST_APP_VAULT_KEY,
      })
      expect(production.status).toBe(2)
      expect(production.stderr).toBe('dawri: clock advance works only in sandbox mode: DAWRI_MODE is production\n')
    })
  })
}
