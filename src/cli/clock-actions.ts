import { ConfigError } from '../config.js'
import { advanceSandboxClock, MAX_ADVANCE_DAYS } from '../services/advance-sandbox-clock.js'
import { OUTPUT_FLAGS, parseFlags, readCount, readId, UsageError } from './args.js'
import { printFields, printJson, withProgress } from './output.js'
import { commandConfig, requireMerchant, service, withDeps } from './session.js'

export async function advanceClockAction(args: readonly string[]): Promise<number> {
  const { values } = parseFlags(args, { merchant: { type: 'string' }, days: { type: 'string' }, until: { type: 'string' }, ...OUTPUT_FLAGS })
  const merchantId = readId('--merchant', values.merchant)
  if ((values.days === undefined) === (values.until === undefined)) throw new UsageError('Give --days N or --until ISO_TIME (one of them)')
  const body = values.days !== undefined ? { Days: readCount('--days', values.days, 1, 1, MAX_ADVANCE_DAYS) } : { Until: values.until }
  const config = commandConfig(values)
  if (config.mode !== 'sandbox') throw new ConfigError('clock advance works only in sandbox mode: DAWRI_MODE is production')
  return withDeps(config, async (deps) => {
    const merchant = await requireMerchant(deps, merchantId)
    const data = await withProgress('Advancing the clock…', () => service(() => advanceSandboxClock(deps, merchant, body), { invalidInputIsUsage: true }))
    if (values.json) printJson(data)
    else {
      printFields([
        [`Merchant ${merchant.id} clock`, data.Now],
        ['Charges', `${data.Charges} (approved ${data.Approved}, declined ${data.Declined}, retries ${data.Retries})`],
        ['Status changes', data.StatusChanges],
        ['Webhook attempts', `${data.WebhookAttempts} (delivered ${data.WebhooksDelivered}, failed ${data.WebhooksFailed})`],
      ])
    }
    return 0
  })
}
