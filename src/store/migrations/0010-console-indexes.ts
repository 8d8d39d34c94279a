import type { Kysely } from 'kysely'

/**
 * Indexes the operators' console lists need to stay fast at millions of rows (keyset paging,
 * newest first; see store/console-*.repository.ts):
 * - `recurrences (status, id)`: the operator's all-merchant list filtered by status (a
 *   merchant's own list uses `recurrences_merchant_status` and `recurrences_merchant_id`);
 * - `invoices (customer_reference)`: the operator's CustomerReference search across merchants;
 * - `invoices (merchant_id, id)`: a merchant's invoice list, newest first;
 * - `charge_attempts (merchant_id, created_at)`, `charge_attempts (created_at)`: the overview's
 *   charges per day, read for the last weeks only.
 */
export function consoleIndexesMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createIndex('recurrences_status_id').on('recurrences').columns(['status', 'id']).execute()
      await db.schema.createIndex('invoices_reference_any_merchant').on('invoices').column('customer_reference').execute()
      await db.schema.createIndex('invoices_merchant_id').on('invoices').columns(['merchant_id', 'id']).execute()
      await db.schema.createIndex('charge_attempts_merchant_created').on('charge_attempts').columns(['merchant_id', 'created_at']).execute()
      await db.schema.createIndex('charge_attempts_created').on('charge_attempts').column('created_at').execute()
    },
  }
}
