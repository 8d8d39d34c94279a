import type { Merchant } from '../domain/merchant.js'
import type { Store } from '../store/create-database.js'
import { findMerchantById, rotateApiKey } from '../store/merchant.repository.js'
import { generateApiKey } from './create-merchant.js'

/** A merchant's new API key, the only copy, and how many old keys stopped working. */
export interface RotatedApiKey {
  readonly merchant: Merchant
  readonly apiKey: string
  readonly revokedKeys: number
}

/**
 * Gives a merchant a new API key and revokes its old ones in one transaction (`dawri key
 * rotate`). The key is returned once and stored only as a hash. Every process sees the change
 * in `api_keys`, so the old key stops working everywhere. Undefined when there is no such merchant.
 */
export async function rotateMerchantApiKey(store: Store, merchantId: number, now: number): Promise<RotatedApiKey | undefined> {
  return store.db.transaction().execute(async (trx) => {
    const merchant = await findMerchantById(trx, merchantId)
    if (!merchant) return undefined
    const apiKey = generateApiKey(merchant.country)
    const revokedKeys = await rotateApiKey(trx, merchant.id, apiKey, now)
    return { merchant, apiKey, revokedKeys }
  })
}
