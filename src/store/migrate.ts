import { randomBytes } from 'node:crypto'

import { Migrator, type Migration, type MigrationProvider } from 'kysely'

import type { DialectName } from './adapter.js'
import type { Store } from './create-database.js'
import { explainDatabaseError } from './database-errors.js'
import { coreMigration } from './migrations/0001-core.js'
import { billingMigration } from './migrations/0002-billing.js'
import { webhooksMigration } from './migrations/0003-webhooks.js'
import { chargingMigration } from './migrations/0004-charging.js'
import { refundsMigration } from './migrations/0005-refunds.js'
import { applePayDomainsMigration } from './migrations/0006-apple-pay-domains.js'
import { notificationsMigration } from './migrations/0007-notifications.js'
import { authorizeCaptureMigration } from './migrations/0008-authorize-capture.js'
import { merchantChangeSignalsMigration } from './migrations/0009-merchant-change-signals.js'
import { consoleIndexesMigration } from './migrations/0010-console-indexes.js'
import { merchantReferenceNumbersMigration } from './migrations/0011-merchant-reference-numbers.js'
import { merchantWebhookReferencesMigration } from './migrations/0012-merchant-webhook-references.js'
import { outboxClaimOrderMigration } from './migrations/0013-outbox-claim-order.js'

/** Every migration in order. Names sort lexically; never rename or edit a released one. */
export function listMigrations(dialect: DialectName): Record<string, Migration> {
  return {
    '0001-core': coreMigration(dialect),
    '0002-billing': billingMigration(),
    '0003-webhooks': webhooksMigration(),
    '0004-charging': chargingMigration(dialect),
    '0005-refunds': refundsMigration(dialect),
    '0006-apple-pay-domains': applePayDomainsMigration(dialect),
    '0007-notifications': notificationsMigration(dialect),
    '0008-authorize-capture': authorizeCaptureMigration(dialect),
    '0009-merchant-change-signals': merchantChangeSignalsMigration(dialect),
    '0010-console-indexes': consoleIndexesMigration(),
    '0011-merchant-reference-numbers': merchantReferenceNumbersMigration(dialect),
    '0012-merchant-webhook-references': merchantWebhookReferencesMigration(dialect),
    '0013-outbox-claim-order': outboxClaimOrderMigration(),
  }
}

/** Brings the schema to the latest version and creates instance settings. Throws on failure. */
export async function migrateToLatest(store: Store): Promise<{ applied: string[] }> {
  const provider: MigrationProvider = {
    getMigrations: async () => listMigrations(store.adapter.dialect),
  }
  const migrator = new Migrator({ db: store.db, provider })
  const { error, results } = await migrator.migrateToLatest()
  if (error) throw explainDatabaseError(error instanceof Error ? error : new Error(String(error)), store.url)
  await ensureSetting(store, 'public_id_key', () => randomBytes(16).toString('hex'))
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) }
}

/** Reads a setting, creating it with `make()` when absent (first writer wins). */
export async function ensureSetting(store: Store, name: string, make: () => string): Promise<string> {
  const existing = await store.db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst()
  if (existing) return existing.value
  await store.db
    .insertInto('settings')
    .values({ name, value: make() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute()
  const row = await store.db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirstOrThrow()
  return row.value
}

/** Migrations this code has that the database has not run (empty when the schema is current). Throws when unreachable. */
export async function pendingMigrations(store: Store): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => listMigrations(store.adapter.dialect) }
  const known = await new Migrator({ db: store.db, provider }).getMigrations()
  return known.filter((migration) => migration.executedAt === undefined).map((migration) => migration.name)
}
