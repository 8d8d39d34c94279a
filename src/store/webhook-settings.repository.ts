import type { Executor, MerchantTable } from './database.js'
import { signalMerchantsChanged } from './merchant-change-signal.js'

/**
 * A merchant's webhook settings, the `webhook_*` columns of `merchants`: where events go, the
 * signing secret, and the sandbox delivery chaos (JSON text, parsed by src/webhooks/chaos.ts).
 */

/** The webhook settings of a merchant as stored. */
export interface WebhookSettings {
  readonly url: MerchantTable['webhook_url']
  readonly version: MerchantTable['webhook_version']
  readonly secret: MerchantTable['webhook_secret']
  /** Sandbox chaos settings as JSON, or null for faithful delivery. */
  readonly chaos: MerchantTable['webhook_chaos']
}

/** A merchant's current webhook settings, or undefined when there is no such merchant. */
export async function findWebhookSettings(db: Executor, merchantId: number): Promise<WebhookSettings | undefined> {
  const row = await db
    .selectFrom('merchants')
    .select(['webhook_url', 'webhook_version', 'webhook_secret', 'webhook_chaos'])
    .where('id', '=', merchantId)
    .executeTakeFirst()
  return row && { url: row.webhook_url, version: row.webhook_version, secret: row.webhook_secret, chaos: row.webhook_chaos }
}

/** Replaces a merchant's sandbox chaos settings (JSON text, or null to turn chaos off). */
export async function updateWebhookChaos(db: Executor, merchantId: number, chaos: string | null): Promise<void> {
  await db.updateTable('merchants').set({ webhook_chaos: chaos }).where('id', '=', merchantId).execute()
  signalMerchantsChanged()
}

/** Replaces a merchant's webhook signing secret. */
export async function updateWebhookSecret(db: Executor, merchantId: number, secret: string): Promise<void> {
  await db.updateTable('merchants').set({ webhook_secret: secret }).where('id', '=', merchantId).execute()
  signalMerchantsChanged()
}
