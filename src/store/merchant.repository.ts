import type { Selectable } from 'kysely'

import { getCountry, isCountryCode } from '../domain/countries.js'
import { isCurrencyCode } from '../domain/currencies.js'
import { sha256Hex } from '../domain/digest.js'
import type { Merchant, WebhookVersion } from '../domain/merchant.js'
import type { ApiKeyTable, Executor, MerchantTable } from './database.js'
import { signalMerchantsChanged } from './merchant-change-signal.js'

/** A merchant row as stored. */
export type MerchantRow = Selectable<MerchantTable>

/** Converts a stored merchant row into the domain type. */
export function merchantRowToMerchant(row: MerchantRow): Merchant {
  if (!isCountryCode(row.country) || !isCurrencyCode(row.currency)) {
    throw new Error(`Merchant ${row.id} has an unknown country or currency`)
  }
  return {
    id: row.id,
    name: row.name,
    country: row.country,
    currency: row.currency,
    timeZone: getCountry(row.country).timeZone,
    recurringEnabled: row.recurring_enabled === 1,
    bypass3dsEnabled: row.bypass_3ds_enabled === 1,
    authorizeCaptureEnabled: row.authorize_capture_enabled === 1,
    webhookUrl: row.webhook_url,
    webhookVersion: row.webhook_version === 'v1' ? 'v1' : 'v2',
    webhookSecret: row.webhook_secret,
    clockOffsetMs: row.clock_offset_ms,
  }
}

/** SHA-256 hex of an API key: what is stored and looked up. */
export function hashApiKey(apiKey: string): string {
  return sha256Hex(apiKey)
}

/** Values for a new merchant. */
export interface InsertMerchantValues {
  readonly name: string
  readonly country: Merchant['country']
  readonly recurringEnabled: boolean
  readonly bypass3dsEnabled: boolean
  readonly authorizeCaptureEnabled?: boolean
  readonly webhookUrl: string | null
  readonly webhookVersion: WebhookVersion
  readonly webhookSecret: string
  readonly now: number
}

/** Inserts a merchant and returns it. */
export async function insertMerchant(db: Executor, values: InsertMerchantValues): Promise<Merchant> {
  const row = await db
    .insertInto('merchants')
    .values({
      name: values.name,
      country: values.country,
      currency: getCountry(values.country).currency,
      recurring_enabled: values.recurringEnabled ? 1 : 0,
      bypass_3ds_enabled: values.bypass3dsEnabled ? 1 : 0,
      authorize_capture_enabled: values.authorizeCaptureEnabled ? 1 : 0,
      webhook_url: values.webhookUrl,
      webhook_version: values.webhookVersion,
      webhook_secret: values.webhookSecret,
      clock_offset_ms: 0,
      webhook_chaos: null,
      created_at: values.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  signalMerchantsChanged()
  return merchantRowToMerchant(row)
}

/** Stores the hash of a new API key for a merchant. */
export async function insertApiKey(db: Executor, merchantId: number, apiKey: string, now: number): Promise<void> {
  await db
    .insertInto('api_keys')
    .values({ merchant_id: merchantId, key_hash: hashApiKey(apiKey), key_prefix: apiKey.slice(0, 8), created_at: now, revoked_at: null })
    .execute()
  signalMerchantsChanged()
}

/** The merchant owning a (non-revoked) API key, or undefined. */
export async function findMerchantByApiKey(db: Executor, apiKey: string): Promise<Merchant | undefined> {
  return findMerchantByKeyHash(db, hashApiKey(apiKey))
}

/** The merchant of an active API key, by the key's hash ({@link hashApiKey}). */
export async function findMerchantByKeyHash(db: Executor, keyHash: string): Promise<Merchant | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('merchants', 'merchants.id', 'api_keys.merchant_id')
    .selectAll('merchants')
    .where('api_keys.key_hash', '=', keyHash)
    .where('api_keys.revoked_at', 'is', null)
    .executeTakeFirst()
  return row ? merchantRowToMerchant(row) : undefined
}

/** A merchant by id, or undefined. */
export async function findMerchantById(db: Executor, id: number): Promise<Merchant | undefined> {
  const row = await db.selectFrom('merchants').selectAll().where('id', '=', id).executeTakeFirst()
  return row ? merchantRowToMerchant(row) : undefined
}

/** Number of merchants (to know whether the database is empty). */
export async function countMerchants(db: Executor): Promise<number> {
  const row = await db.selectFrom('merchants').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()
  return Number(row.count)
}

/** A merchant's sandbox clock offset as stored now (the `Merchant` in hand may be older). */
export async function readClockOffset(db: Executor, merchantId: number): Promise<number> {
  const row = await db.selectFrom('merchants').select('clock_offset_ms').where('id', '=', merchantId).executeTakeFirstOrThrow()
  return row.clock_offset_ms
}

/** Sets a merchant's clock offset to `offsetMs` unless it is already there or later: the offset only grows. */
export async function advanceClockOffset(db: Executor, merchantId: number, offsetMs: number): Promise<void> {
  await db
    .updateTable('merchants')
    .set({ clock_offset_ms: offsetMs })
    .where('id', '=', merchantId)
    .where('clock_offset_ms', '<', offsetMs)
    .execute()
  signalMerchantsChanged()
}

/** Sets (or with null removes) a merchant's webhook URL. */
export async function setMerchantWebhookUrl(db: Executor, merchantId: number, webhookUrl: string | null): Promise<void> {
  await db.updateTable('merchants').set({ webhook_url: webhookUrl }).where('id', '=', merchantId).execute()
  signalMerchantsChanged()
}

/** An `api_keys` row: the hash and prefix of a key, never the key. */
export type ApiKeyRow = Selectable<ApiKeyTable>

/** A merchant's API keys, revoked ones included, oldest first. */
export async function listApiKeys(db: Executor, merchantId: number): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_keys').selectAll().where('merchant_id', '=', merchantId).orderBy('id').execute()
}

/** Every merchant, by id (the billing worker's round goes over them all). */
export async function listMerchants(db: Executor): Promise<Merchant[]> {
  const rows = await db.selectFrom('merchants').selectAll().orderBy('id').execute()
  return rows.map(merchantRowToMerchant)
}

/** Settings an operator may change on a merchant (`dawri merchant update`); absent ones stay. */
export interface MerchantSettingsChange {
  /** A URL, or null to remove it. */
  readonly webhookUrl?: string | null
  readonly webhookVersion?: WebhookVersion
  readonly recurringEnabled?: boolean
  readonly bypass3dsEnabled?: boolean
  readonly authorizeCaptureEnabled?: boolean
}

/** Applies `change` to a merchant and returns it as stored, or undefined when there is no such merchant. */
export async function updateMerchantSettings(db: Executor, merchantId: number, change: MerchantSettingsChange): Promise<Merchant | undefined> {
  const set: Partial<Pick<MerchantRow, 'webhook_url' | 'webhook_version' | 'recurring_enabled' | 'bypass_3ds_enabled' | 'authorize_capture_enabled'>> = {
    ...(change.webhookUrl === undefined ? {} : { webhook_url: change.webhookUrl }),
    ...(change.webhookVersion === undefined ? {} : { webhook_version: change.webhookVersion }),
    ...(change.recurringEnabled === undefined ? {} : { recurring_enabled: change.recurringEnabled ? 1 : 0 }),
    ...(change.bypass3dsEnabled === undefined ? {} : { bypass_3ds_enabled: change.bypass3dsEnabled ? 1 : 0 }),
    ...(change.authorizeCaptureEnabled === undefined ? {} : { authorize_capture_enabled: change.authorizeCaptureEnabled ? 1 : 0 }),
  }
  if (Object.keys(set).length > 0) {
    await db.updateTable('merchants').set(set).where('id', '=', merchantId).execute()
    signalMerchantsChanged()
  }
  return findMerchantById(db, merchantId)
}

/**
 * Revokes every active key of a merchant at `now` and stores the hash of `newApiKey` as its only
 * active key; returns how many keys were revoked. Run it in a transaction: a lookup by any old
 * key (in any process, cached or not: caches re-check the `api_keys` rows) then finds nothing.
 */
export async function rotateApiKey(db: Executor, merchantId: number, newApiKey: string, now: number): Promise<number> {
  const revoked = await db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('merchant_id', '=', merchantId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  await insertApiKey(db, merchantId, newApiKey, now)
  return Number(revoked.numUpdatedRows)
}
