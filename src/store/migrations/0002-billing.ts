import type { Kysely } from 'kysely'

/**
 * Indexes of the recurring engine. Every hot query of billing and GetRecurringPayment is an
 * index range scan, so their cost does not grow with the number of recurrences:
 * - due work is claimed per merchant (each merchant has its own sandbox clock):
 *   `merchant_id = ? AND next_attempt_at <= ?`, ordered by next_attempt_at;
 * - recovery looks for a merchant's open attempts;
 * - activation finds the recurrence of a paid first invoice;
 * - GetRecurringPayment pages through a merchant's recurrences by id.
 */
export function billingMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('recurrences_merchant_due')
        .on('recurrences')
        .columns(['merchant_id', 'next_attempt_at'])
        .execute()
      await db.schema
        .createIndex('recurrences_merchant_id')
        .on('recurrences')
        .columns(['merchant_id', 'id'])
        .execute()
      await db.schema
        .createIndex('recurrences_initial_invoice')
        .on('recurrences')
        .column('initial_invoice_id')
        .execute()
      await db.schema
        .createIndex('recurrence_attempts_merchant_open')
        .on('recurrence_attempts')
        .columns(['merchant_id', 'status'])
        .execute()
    },
  }
}
