import { randomBytes } from 'node:crypto'

import type { CountryCode } from '../domain/countries.js'
import type { Merchant, WebhookVersion } from '../domain/merchant.js'
import type { Store } from '../store/create-database.js'
import { countMerchants, insertApiKey, insertMerchant } from '../store/merchant.repository.js'

/** Options for {@link createMerchant}. */
export interface CreateMerchantOptions {
  readonly name: string
  readonly country: CountryCode
  readonly recurringEnabled: boolean
  readonly bypass3dsEnabled?: boolean
  /** ProcessingDetails.AutoCapture false (authorise, then UpdatePaymentStatus) may be used. */
  readonly authorizeCaptureEnabled?: boolean
  readonly webhookUrl?: string | null
  readonly webhookVersion?: WebhookVersion
  /** Use this API key instead of generating one (DAWRI_DEMO_API_KEY). */
  readonly apiKey?: string
  readonly now: number
}

/** A new merchant with the only copy of its API key. */
export interface CreatedMerchant {
  readonly merchant: Merchant
  readonly apiKey: string
}

/** A new API key in MyFatoorah's newer shape, `SK_<COUNTRY>_` + 64 random characters. */
export function generateApiKey(country: CountryCode): string {
  return `SK_${country}_${randomBytes(48).toString('base64url')}`
}

/** Creates a merchant and its first API key; the key is returned once and stored hashed. */
export async function createMerchant(store: Store, options: CreateMerchantOptions): Promise<CreatedMerchant> {
  const apiKey = options.apiKey ?? generateApiKey(options.country)
  return store.db.transaction().execute(async (trx) => {
    const merchant = await insertMerchant(trx, {
      name: options.name,
      country: options.country,
      recurringEnabled: options.recurringEnabled,
      bypass3dsEnabled: options.bypass3dsEnabled ?? false,
      authorizeCaptureEnabled: options.authorizeCaptureEnabled ?? false,
      webhookUrl: options.webhookUrl ?? null,
      webhookVersion: options.webhookVersion ?? 'v2',
      webhookSecret: randomBytes(32).toString('base64'),
      now: options.now,
    })
    await insertApiKey(trx, merchant.id, apiKey, options.now)
    return { merchant, apiKey }
  })
}

/** On an empty database, creates the demo merchant (KWT, recurring enabled); else nothing. */
export async function ensureDemoMerchant(store: Store, apiKey: string | undefined, now: number): Promise<CreatedMerchant | undefined> {
  if ((await countMerchants(store.db)) > 0) return undefined
  return createMerchant(store, {
    name: 'Demo Merchant',
    country: 'KWT',
    recurringEnabled: true,
    bypass3dsEnabled: true,
    authorizeCaptureEnabled: true,
    ...(apiKey === undefined ? {} : { apiKey }),
    now,
  })
}
