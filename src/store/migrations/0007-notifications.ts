import type { CreateTableBuilder, Kysely } from 'kysely'

import type { DialectName } from '../adapter.js'

/**
 * SendPayment (see store/database.ts):
 * - `invoices.invoice_payment_methods`: the JSON list of PaymentMethodIds an invoice link offers
 *   on its invoice page; null for invoices bound to one method (ExecutePayment, renewals);
 * - `notifications`: the sandbox's outbox of the e-mails and SMS a SendPayment would send, per
 *   merchant, listed newest first (`notifications_merchant`). Nothing is ever sent from it.
 */
export function notificationsMigration(dialect: DialectName) {
  const withId = <T extends string>(table: CreateTableBuilder<T, never>) =>
    dialect === 'sqlite'
      ? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      : table.addColumn('id', 'bigserial', (c) => c.primaryKey())
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('invoices').addColumn('invoice_payment_methods', 'text').execute()
      await withId(db.schema.createTable('notifications'))
        .addColumn('merchant_id', 'bigint', (c) => c.notNull())
        .addColumn('invoice_id', 'bigint', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('language', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('invoice_url', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('notifications_merchant').on('notifications').columns(['merchant_id', 'id']).execute()
    },
  }
}
