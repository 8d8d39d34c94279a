import type { Insertable, Selectable } from 'kysely'

import { CARD_DISPLAY_COLUMNS, type CardTokenRow } from './card-token.repository.js'
import type { CardTokenTable, Executor, RecurrenceTable, SessionTable, TransactionTable } from './database.js'
import type { InvoiceRow } from './invoice.repository.js'
import type { MerchantRow } from './merchant.repository.js'
import type { RecurrenceRow } from './recurrence.repository.js'
import type { TransactionRow } from './transaction.repository.js'

/**
 * The rows webhook events are rendered from: transactions with their card's display columns,
 * recurrences, invoices, merchants and sessions, read in bulk (one query per table however many
 * events), through the caller's executor so that events written inside a transaction see its
 * uncommitted changes. Turning them into facts is src/webhooks/event-facts.ts's job.
 */

/** The card columns shown with a transaction (never the encrypted number). */
export type CardDisplayColumn = (typeof CARD_DISPLAY_COLUMNS)[number] extends `card_tokens.${infer C}` ? C : never

/** A transaction row with its card's display columns, null without a card (a left join). */
export type TransactionWithCardRow = TransactionRow & { [K in CardDisplayColumn]: CardTokenRow[K] | null }

/** The session columns events show (v2 `Invoice.ExternalIdentifier`). */
export type EventSessionRow = Pick<Selectable<SessionTable>, 'id' | 'customer_identifier'>

/** What {@link loadEventFactRows} reads. */
export interface EventFactIds {
  readonly transactionIds: readonly number[]
  readonly recurrenceIds: readonly number[]
}

/** The rows behind a batch of events, keyed by id; rows that do not exist are absent. */
export interface EventFactRows {
  readonly transactions: ReadonlyMap<number, TransactionWithCardRow>
  readonly recurrences: ReadonlyMap<number, RecurrenceRow>
  /** The invoices of the transactions and the initial invoices of the recurrences. */
  readonly invoices: ReadonlyMap<number, InvoiceRow>
  /** The merchants of those invoices and recurrences. */
  readonly merchants: ReadonlyMap<number, MerchantRow>
  /** The sessions those invoices were paid through. */
  readonly sessions: ReadonlyMap<string, EventSessionRow>
}

/** Ids per `IN (…)` list: well under SQLite's and PostgreSQL's parameter limits. */
const IN_LIST_CHUNK = 500

/**
 * Reads the transactions and recurrences named, then the invoices, merchants and sessions they
 * refer to: five queries (more only past {@link IN_LIST_CHUNK} ids of one table).
 */
export async function loadEventFactRows(db: Executor, { transactionIds, recurrenceIds }: EventFactIds): Promise<EventFactRows> {
  const transactions = await fetchById(unique(transactionIds), (chunk) =>
    db
      .selectFrom('transactions')
      .leftJoin('card_tokens', 'card_tokens.id', 'transactions.card_token_id')
      .selectAll('transactions')
      .select(CARD_DISPLAY_COLUMNS)
      .where('transactions.id', 'in', chunk)
      .execute(),
  )
  const recurrences = await fetchById(unique(recurrenceIds), (chunk) =>
    db.selectFrom('recurrences').selectAll().where('id', 'in', chunk).execute(),
  )
  const invoiceIds = unique([
    ...[...transactions.values()].map((t) => t.invoice_id),
    ...[...recurrences.values()].map((r) => r.initial_invoice_id),
  ])
  const invoices = await fetchById(invoiceIds, (chunk) => db.selectFrom('invoices').selectAll().where('id', 'in', chunk).execute())
  const merchantIds = unique([
    ...[...invoices.values()].map((i) => i.merchant_id),
    ...[...recurrences.values()].map((r) => r.merchant_id),
  ])
  const merchants = await fetchById(merchantIds, (chunk) =>
    db.selectFrom('merchants').selectAll().where('id', 'in', chunk).execute(),
  )
  const sessionIds = unique([...invoices.values()].flatMap((i) => (i.session_id === null ? [] : [i.session_id])))
  const sessions = await fetchById(sessionIds, (chunk) =>
    db.selectFrom('sessions').select(['id', 'customer_identifier']).where('id', 'in', chunk).execute(),
  )
  return { transactions, recurrences, invoices, merchants, sessions }
}

/** Rows fetched `IN (…)` chunk by chunk, keyed by id. */
async function fetchById<K extends number | string, T extends { id: K }>(
  ids: readonly K[],
  fetch: (chunk: K[]) => Promise<T[]>,
): Promise<Map<K, T>> {
  const rows = new Map<K, T>()
  for (let i = 0; i < ids.length; i += IN_LIST_CHUNK) {
    for (const row of await fetch(ids.slice(i, i + IN_LIST_CHUNK))) rows.set(row.id, row)
  }
  return rows
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)]
}

// ---------------------------------------------------------------------------------------------
// Rows written as given: the fixtures of webhook tests and documentation samples, which need
// exact values (a fixed card hash, a transaction of any status) that no business path writes.
// ---------------------------------------------------------------------------------------------

