import { sql } from 'kysely'

import type { Executor } from './database.js'

/**
 * The database facts behind the operators' gauges (/metrics). Each read is bounded: at most
 * `cap` rows are counted, taken in the order of an index, so a scrape costs the same whether a
 * million charges are due or none. Times are real time: a sandbox merchant's clock (real time
 * plus its offset) is brought back to real time by subtracting the offset.
 */

/** How much work waits, as far as a bounded read can tell. */
export interface Backlog {
  /** Rows counted, at most the cap. */
  readonly count: number
  /** True when the cap was reached: there may be more. */
  readonly capped: boolean
  /** Real time (epoch ms) since which the oldest counted row waits, or null when none waits. */
  readonly oldestSince: number | null
}

interface BacklogRow {
  n: number | string | null
  oldest: number | string | null
}

function toBacklog(row: BacklogRow | undefined, cap: number): Backlog {
  const count = Number(row?.n ?? 0)
  const oldest = row?.oldest
  return { count, capped: count >= cap, oldestSince: oldest === null || oldest === undefined ? null : Number(oldest) }
}

/**
 * Charges due and not yet attempted: Active recurrences whose next attempt is due at their
 * merchant's clock and which no worker holds (no live lease). `oldestSince` is when the most
 * overdue of them fell due, in real time. The rows are read in due order through the index on
 * `next_attempt_at`, bounded by the largest merchant clock offset (zero outside the sandbox).
 */
export async function readBillingBacklog(db: Executor, options: { readonly realNow: number; readonly cap: number }): Promise<Backlog> {
  const { realNow, cap } = options
  const offsets = await db.selectFrom('merchants').select((eb) => eb.fn.max('clock_offset_ms').as('max_offset')).executeTakeFirst()
  const maxOffset = Number(offsets?.max_offset ?? 0)
  const due = db
    .selectFrom('recurrences as r')
    .innerJoin('merchants as m', 'm.id', 'r.merchant_id')
    .select(sql<number>`r.next_attempt_at - m.clock_offset_ms`.as('since'))
    .where('r.status', '=', 'Active')
    .where('r.next_attempt_at', '<=', realNow + maxOffset)
    .where(sql<boolean>`r.next_attempt_at <= ${realNow} + m.clock_offset_ms`)
    .where((eb) => eb.or([eb('r.lease_until', 'is', null), eb('r.lease_until', '<=', realNow)]))
    .orderBy('r.next_attempt_at')
    .limit(cap)
  const row = await db
    .selectFrom(due.as('d'))
    .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('d.since').as('oldest')])
    .executeTakeFirst()
  return toBacklog(row as BacklogRow | undefined, cap)
}

/**
 * Webhook events not delivered yet and not given up (`pending`: waiting, being sent, or between
 * retries). `oldestSince` is when the oldest counted one was written, in real time. Read through
 * the index on (status, next_attempt_at).
 */
export async function readWebhookBacklog(db: Executor, options: { readonly cap: number }): Promise<Backlog> {
  const { cap } = options
  const pending = db
    .selectFrom('outbox_events as o')
    .innerJoin('merchants as m', 'm.id', 'o.merchant_id')
    .select(sql<number>`o.created_at - m.clock_offset_ms`.as('since'))
    .where('o.status', '=', 'pending')
    .orderBy('o.next_attempt_at')
    .limit(cap)
  const row = await db
    .selectFrom(pending.as('p'))
    .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('p.since').as('oldest')])
    .executeTakeFirst()
  return toBacklog(row as BacklogRow | undefined, cap)
}

/** One round trip to the database; throws when it cannot be reached. */
export async function pingDatabase(db: Executor): Promise<void> {
  await sql`select 1`.execute(db)
}
