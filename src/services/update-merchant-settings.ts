import type { Mode } from '../config.js'
import { AppError } from '../domain/errors.js'
import type { Merchant } from '../domain/merchant.js'
import { checkMerchantUrl } from '../domain/urls.js'
import type { Store } from '../store/create-database.js'
import { updateMerchantSettings, type MerchantSettingsChange } from '../store/merchant.repository.js'

/**
 * Changes a merchant's webhook URL and version and its approved features (`dawri merchant
 * update`). A webhook URL follows the rules of URLs merchants give the API: in production it
 * must be https and not point to this machine. Undefined when there is no such merchant.
 */
export async function changeMerchantSettings(
  store: Store,
  mode: Mode,
  merchantId: number,
  change: MerchantSettingsChange,
): Promise<Merchant | undefined> {
  if (typeof change.webhookUrl === 'string') {
    const problem = checkMerchantUrl('--webhook-url', change.webhookUrl, { forbidLocalhost: mode === 'production', requireHttps: mode === 'production' })
    if (problem) throw new AppError('VALIDATION_FAILED', problem, { fieldErrors: [{ Name: 'WebhookUrl', Error: problem }] })
  }
  return updateMerchantSettings(store.db, merchantId, change)
}
