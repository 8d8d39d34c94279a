import type { Executor } from './database.js'

/** The web domains a merchant registered for the Apple Pay button (recorded only, never fetched). */

/** Records a merchant's domain; false when it was registered already (nothing written then). */
export async function insertApplePayDomain(
  db: Executor,
  options: { readonly merchantId: number; readonly domainName: string; readonly now: number },
): Promise<boolean> {
  const inserted = await db
    .insertInto('apple_pay_domains')
    .values({ merchant_id: options.merchantId, domain_name: options.domainName, created_at: options.now })
    .onConflict((oc) => oc.columns(['merchant_id', 'domain_name']).doNothing())
    .returning('id')
    .executeTakeFirst()
  return inserted !== undefined
}

/** True when the merchant registered this (normalised) domain. */
export async function isApplePayDomainRegistered(db: Executor, merchantId: number, domainName: string): Promise<boolean> {
  const row = await db
    .selectFrom('apple_pay_domains')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where('domain_name', '=', domainName)
    .executeTakeFirst()
  return row !== undefined
}

/** How many domains the merchant registered. */
export async function countApplePayDomains(db: Executor, merchantId: number): Promise<number> {
  const row = await db
    .selectFrom('apple_pay_domains')
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .where('merchant_id', '=', merchantId)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

/** The merchant's domains, in the order they were registered. */
export async function listApplePayDomains(db: Executor, merchantId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('apple_pay_domains')
    .select('domain_name')
    .where('merchant_id', '=', merchantId)
    .orderBy('id')
    .execute()
  return rows.map((row) => row.domain_name)
}
