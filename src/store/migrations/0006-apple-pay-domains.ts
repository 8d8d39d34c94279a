import type { CreateTableBuilder, Kysely } from 'kysely'

import type { DialectName } from '../adapter.js'

/**
 * The web domains merchants register for the Apple Pay button (RegisterApplePayDomain; see
 * store/database.ts, `ApplePayDomainTable`). A domain is recorded once per merchant; two
 * merchants may register the same domain.
 */
export function applePayDomainsMigration(dialect: DialectName) {
  const withId = <T extends string>(table: CreateTableBuilder<T, never>) =>
    dialect === 'sqlite'
      ? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      : table.addColumn('id', 'bigserial', (c) => c.primaryKey())
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await withId(db.schema.createTable('apple_pay_domains'))
        .addColumn('merchant_id', 'bigint', (c) => c.notNull())
        .addColumn('domain_name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('apple_pay_domains_once', ['merchant_id', 'domain_name'])
        .execute()
    },
  }
}
