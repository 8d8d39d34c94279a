import { sql, type Insertable, type Selectable } from 'kysely'

import type { StoreAdapter } from './adapter.js'
import type { Executor, MerchantTable, OutboxEventTable, OutboxStatus } from './database.js'

/**
 * The webhook outbox (`outbox_events`): events written by the transaction that changes state,
 * claimed under a lease (real time) by dispatchers, settled after each delivery. Times are
 * merchant time (real time plus the merchant's sandbox clock offset) except `lease_until`,
 * which is real time. What the rows mean (ordering per object, retry schedule, chaos) is
 * decided by src/webhooks/; this module only reads and writes them.
 */

/** An `outbox_events` row as stored. */
export type OutboxRow = Selectable<OutboxEventTable>

/**
 * The columns of a new outbox event, but its body, which is written once its reference is known,
 * and its reference number, which the database draws (migration 0012).
 */
export type NewOutboxEvent = Omit<Insertable<OutboxEventTable>, 'body' | 'reference_number'>

/** An inserted event: its id, and the merchant's number of it (`WH-<n>`). */
export interface InsertedOutboxEvent {
  readonly id: number
  readonly referenceNumber: number
}

/** Rows per statement: 16 columns (or 3 parameters) each stays far below the databases' parameter limits. */
const CHUNK = 500

/**
 * Inserts events with one statement per {@link CHUNK} rows, each with a placeholder body that
 * {@link setOutboxBodies} replaces; returns their ids and reference numbers, in the order given.
 * PostgreSQL's trigger numbers a row before it is written, so RETURNING has the number; SQLite's
 * runs after, so the numbers are read back with one query per chunk (same transaction).
 */
export async function insertOutboxEvents(db: Executor, events: readonly NewOutboxEvent[]): Promise<InsertedOutboxEvent[]> {
  const inserted: InsertedOutboxEvent[] = []
  for (let offset = 0; offset < events.length; offset += CHUNK) {
    const chunk = events.slice(offset, offset + CHUNK)
    // The placeholder names the row's place in the chunk: RETURNING promises no order.
    const rows = await db
      .insertInto('outbox_events')
      .values(chunk.map((event, index) => ({ ...event, body: `#${index}` })))
      .returning(['id', 'body', 'reference_number'])
      .execute()
    const unnumbered = rows.filter((row) => row.reference_number === null).map((row) => row.id)
    const numbers =
      unnumbered.length === 0
        ? new Map<number, number | null>()
        : new Map(
            (await db.selectFrom('outbox_events').select(['id', 'reference_number']).where('id', 'in', unnumbered).execute()).map(
              (row) => [row.id, row.reference_number],
            ),
          )
    const byPlace = new Map(rows.map((row) => [row.body, row]))
    chunk.forEach((_, index) => {
      const row = byPlace.get(`#${index}`)
      if (row === undefined) throw new Error('An inserted outbox event came back without its placeholder')
      const referenceNumber = row.reference_number ?? numbers.get(row.id) ?? null
      if (referenceNumber === null) throw new Error(`Outbox event ${row.id} was not numbered (migration 0012 missing?)`)
      inserted.push({ id: row.id, referenceNumber })
    })
  }
  return inserted
}

/** Writes the bodies of events, one statement per {@link CHUNK} events. */
export async function setOutboxBodies(db: Executor, bodies: ReadonlyArray<{ readonly id: number; readonly body: string }>): Promise<void> {
  for (let offset = 0; offset < bodies.length; offset += CHUNK) {
    const chunk = bodies.slice(offset, offset + CHUNK)
    const cases = chunk.map(({ id, body }) => sql`WHEN ${id} THEN ${body}`)
    await db
      .updateTable('outbox_events')
      .set({ body: sql<string>`CASE id ${sql.join(cases, sql` `)} END` })
      .where('id', 'in', chunk.map(({ id }) => id))
      .execute()
  }
}

/** An event of one merchant by id; another merchant's event is not found. */
export async function findOutboxEvent(db: Executor, merchantId: number, eventId: number): Promise<OutboxRow | undefined> {
  return db.selectFrom('outbox_events').selectAll().where('id', '=', eventId).where('merchant_id', '=', merchantId).executeTakeFirst()
}

/** An event of one merchant by its reference number (`WH-<n>`); another merchant's `WH-<n>` is not found. */
export async function findOutboxEventByNumber(db: Executor, merchantId: number, referenceNumber: number): Promise<OutboxRow | undefined> {
  return db
    .selectFrom('outbox_events')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('reference_number', '=', referenceNumber)
    .executeTakeFirst()
}

/** Filters of {@link listOutboxEvents} and {@link countOutboxEvents}; omitted fields match everything. */
export interface OutboxFilter {
  readonly merchantId: number
  /** Created at or after (merchant time, epoch ms). */
  readonly createdFrom?: number
  /** Created at or before (merchant time, epoch ms). */
  readonly createdTo?: number
  readonly eventCode?: number
  readonly status?: OutboxStatus
  /** true: at least one delivery attempt made; false: none yet. */
  readonly attempted?: boolean
  /** The merchant's event reference numbers (`WH-<n>`); an empty list matches nothing. */
  readonly referenceNumbers?: readonly number[]
  /** Internal invoice ids the events are about; an empty list matches nothing. */
  readonly invoiceIds?: readonly number[]
  /** An empty list matches nothing. */
  readonly customerReferences?: readonly string[]
}

/** Paging of {@link listOutboxEvents}. */
export interface OutboxPage {
  readonly limit?: number
  readonly offset?: number
  /** Newest first; oldest first by default. */
  readonly newestFirst?: boolean
}

function matchesNothing(filter: OutboxFilter): boolean {
  return filter.referenceNumbers?.length === 0 || filter.invoiceIds?.length === 0 || filter.customerReferences?.length === 0
}

function filtered(db: Executor, filter: OutboxFilter) {
  let query = db.selectFrom('outbox_events').where('merchant_id', '=', filter.merchantId)
  if (filter.createdFrom !== undefined) query = query.where('created_at', '>=', filter.createdFrom)
  if (filter.createdTo !== undefined) query = query.where('created_at', '<=', filter.createdTo)
  if (filter.eventCode !== undefined) query = query.where('event_code', '=', filter.eventCode)
  if (filter.status !== undefined) query = query.where('status', '=', filter.status)
  if (filter.attempted !== undefined) query = query.where('attempt_count', filter.attempted ? '>' : '=', 0)
  if (filter.referenceNumbers !== undefined) query = query.where('reference_number', 'in', [...filter.referenceNumbers])
  if (filter.invoiceIds !== undefined) query = query.where('invoice_id', 'in', [...filter.invoiceIds])
  if (filter.customerReferences !== undefined) query = query.where('customer_reference', 'in', [...filter.customerReferences])
  return query
}

/** Events matching `filter`, by id (GetWebhooks pages, tests). */
export async function listOutboxEvents(db: Executor, filter: OutboxFilter, page: OutboxPage = {}): Promise<OutboxRow[]> {
  if (matchesNothing(filter)) return []
  let query = filtered(db, filter)
    .selectAll()
    .orderBy('id', page.newestFirst ? 'desc' : 'asc')
  if (page.limit !== undefined) query = query.limit(page.limit)
  if (page.offset !== undefined) query = query.offset(page.offset)
  return query.execute()
}

/** Number of events matching `filter`. */
export async function countOutboxEvents(db: Executor, filter: OutboxFilter): Promise<number> {
  if (matchesNothing(filter)) return 0
  const row = await filtered(db, filter)
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

/** Sets the target of an event written without one (a resend once the merchant has a URL). */
export async function fillOutboxTargetUrl(db: Executor, eventId: number, targetUrl: string): Promise<void> {
  await db.updateTable('outbox_events').set({ target_url: targetUrl }).where('id', '=', eventId).where('target_url', 'is', null).execute()
}

/** Marks every pending event `failed` (tests: nothing left for a later dispatcher); returns how many. */
export async function failPendingOutboxEvents(db: Executor): Promise<number> {
  const result = await db.updateTable('outbox_events').set({ status: 'failed' }).where('status', '=', 'pending').executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** The earliest retry of a merchant's pending events scheduled after `after` (merchant time), or null. */
export async function findNextOutboxAttemptAt(db: Executor, merchantId: number, after: number): Promise<number | null> {
  const row = await db
    .selectFrom('outbox_events')
    .select((eb) => eb.fn.min('next_attempt_at').as('due'))
    .where('merchant_id', '=', merchantId)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '>', after)
    .executeTakeFirst()
  return row?.due === null || row?.due === undefined ? null : Number(row.due)
}

// ---------------------------------------------------------------------------------------------
// Claiming
// ---------------------------------------------------------------------------------------------

/** A due, unleased, unblocked event and its merchant's delivery settings. */
export interface DueOutboxCandidate {
  readonly id: number
  readonly merchant_id: number
  readonly webhook_secret: MerchantTable['webhook_secret']
  readonly clock_offset_ms: MerchantTable['clock_offset_ms']
  readonly webhook_chaos: MerchantTable['webhook_chaos']
}

/** Options for {@link listDueOutboxCandidates}. */
export interface DueOutboxOptions {
  /** Real time, epoch ms (leases; each merchant's clock is real time plus its offset). */
  readonly realNow: number
  readonly limit: number
  /** Only this merchant's events due at its `now`; by default every merchant's at real time + offset. */
  readonly merchant?: { readonly id: number; readonly now: number }
}

/**
 * Pending events that are due, not leased, and not held back by an earlier pending event of the
 * same object (`entity_key`) that keeps order (`ordered = 1`); by due time, then id. Reads only:
 * {@link leaseOutboxEvents} takes them.
 */
export async function listDueOutboxCandidates(db: Executor, options: DueOutboxOptions): Promise<DueOutboxCandidate[]> {
  return dueOutboxCandidatesQuery(db, options).execute()
}

/**
 * PostgreSQL's plan for {@link listDueOutboxCandidates} (EXPLAIN, JSON), for tests and
 * operators who check that the claim stays an index probe per candidate.
 */
export async function explainDueOutboxCandidates(db: Executor, options: DueOutboxOptions): Promise<unknown> {
  const rows = await dueOutboxCandidatesQuery(db, options).explain('json')
  return rows[0]?.['QUERY PLAN']
}

function dueOutboxCandidatesQuery(db: Executor, options: DueOutboxOptions) {
  const { realNow } = options
  let candidates = db
    .selectFrom('outbox_events as o')
    .innerJoin('merchants as m', 'm.id', 'o.merchant_id')
    .select(['o.id', 'o.merchant_id', 'm.webhook_secret', 'm.clock_offset_ms', 'm.webhook_chaos'])
    .where('o.status', '=', 'pending')
    .where((eb) => eb.or([eb('o.lease_until', 'is', null), eb('o.lease_until', '<=', realNow)]))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('outbox_events as p')
            .select('p.id')
            .whereRef('p.entity_key', '=', 'o.entity_key')
            .whereRef('p.id', '<', 'o.id')
            // Written so that no index on status can serve it: the probe must walk the object's
            // own events by (entity_key, id). With statistics gathered while the outbox was
            // nearly empty, PostgreSQL otherwise probed through (status, next_attempt_at) and
            // read every pending event for every candidate: 1 s for 1,500 pending events, 6.5 s
            // in the soak, against 24 ms this way (tests/integration/outbox-claim-plan.test.ts).
            .where(sql<string>`p.status || ''`, '=', 'pending')
            .where('p.ordered', '=', 1),
        ),
      ),
    )
  if (options.merchant) {
    candidates = candidates.where('o.merchant_id', '=', options.merchant.id).where('o.next_attempt_at', '<=', options.merchant.now)
  } else {
    // Each merchant's due check uses its own sandbox clock; offsets are ≥ 0, so the index on
    // (status, next_attempt_at) still finds every event due in real time first.
    candidates = candidates.where(sql<boolean>`o.next_attempt_at <= ${realNow} + m.clock_offset_ms`)
  }
  return candidates.orderBy('o.next_attempt_at').orderBy('o.id').limit(options.limit)
}

/** The columns of a leased event that a delivery needs. */
export type LeasedOutboxRow = Pick<
  OutboxRow,
  | 'id'
  | 'reference_number'
  | 'merchant_id'
  | 'event_code'
  | 'entity_key'
  | 'body'
  | 'webhook_version'
  | 'target_url'
  | 'status'
  | 'attempt_count'
  | 'first_attempt_at'
>

/**
 * Leases those of `ids` that are still pending and unleased at `realNow` until `leaseUntil`
 * (real time), and returns them in no particular order. Concurrent dispatchers pass over rows
 * another one is leasing at that moment instead of waiting for it (the adapter's claim).
 */
export async function leaseOutboxEvents(
  db: Executor,
  adapter: StoreAdapter,
  ids: readonly number[],
  { realNow, leaseUntil }: { readonly realNow: number; readonly leaseUntil: number },
): Promise<LeasedOutboxRow[]> {
  if (ids.length === 0) return []
  return db
    .updateTable('outbox_events')
    .set({ lease_until: leaseUntil })
    .where('id', 'in', (eb) =>
      adapter.claimRows(
        eb
          .selectFrom('outbox_events')
          .select('id')
          .where('id', 'in', [...ids])
          .where('status', '=', 'pending')
          .where((inner) => inner.or([inner('lease_until', 'is', null), inner('lease_until', '<=', realNow)])),
      ),
    )
    .returning([
      'id',
      'reference_number',
      'merchant_id',
      'event_code',
      'entity_key',
      'body',
      'webhook_version',
      'target_url',
      'status',
      'attempt_count',
      'first_attempt_at',
    ])
    .execute()
}

/** True when a merchant has a pending event due at `now` (merchant time) under a lease still running at `realNow`. */
export async function hasLeasedDueOutboxEvent(
  db: Executor,
  { merchantId, now, realNow }: { readonly merchantId: number; readonly now: number; readonly realNow: number },
): Promise<boolean> {
  const row = await db
    .selectFrom('outbox_events')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where('lease_until', '>', realNow)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

/**
 * Merchants with at least one due pending event (by their own clocks), in id order after
 * `afterId`, leaving out `exclude`. One index probe per merchant.
 */
export async function listMerchantsWithDueOutboxEvents(
  db: Executor,
  options: { readonly realNow: number; readonly afterId: number; readonly exclude: readonly number[]; readonly limit: number },
): Promise<Array<{ id: number; clockOffsetMs: number }>> {
  let query = db
    .selectFrom('merchants as m')
    .select(['m.id', 'm.clock_offset_ms'])
    .where('m.id', '>', options.afterId)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('outbox_events as o')
          .select('o.id')
          .whereRef('o.merchant_id', '=', 'm.id')
          .where('o.status', '=', 'pending')
          .where(sql<boolean>`o.next_attempt_at <= ${options.realNow} + m.clock_offset_ms`),
      ),
    )
  if (options.exclude.length > 0) query = query.where('m.id', 'not in', [...options.exclude])
  const rows = await query.orderBy('m.id').limit(options.limit).execute()
  return rows.map((row) => ({ id: row.id, clockOffsetMs: row.clock_offset_ms }))
}

// ---------------------------------------------------------------------------------------------
// Settling
// ---------------------------------------------------------------------------------------------

/** What a delivery does to its event, if the event is still in a state it may change. */
export type OutboxSettlement =
  /** Acknowledged: settles an event in one of `from`. */
  | { readonly status: 'delivered'; readonly deliveredAt: number; readonly from: readonly OutboxStatus[] }
  /** Not acknowledged and no retry left: fails a pending event. */
  | { readonly status: 'failed' }
  /** Not acknowledged: reschedules a pending event (merchant time). */
  | { readonly status: 'pending'; readonly nextAttemptAt: number }

/** The outcome of one delivery of one event, for {@link settleOutboxEvent}. */
export interface OutboxDeliveryOutcome {
  readonly eventId: number
  /** Attempts the delivery made, added to `attempt_count`. */
  readonly attempts: number
  /** Merchant time of the delivery's first attempt; stored only when the event has none yet. */
  readonly firstAttemptAt: number
  readonly settlement: OutboxSettlement
}

/**
 * Counts a delivery's attempts, releases the lease and applies its settlement when the event is
 * still in a state the settlement may change (a concurrent duplicate may have settled it
 * already: it never moves back). Returns the event's status afterwards, or undefined when the
 * event does not exist.
 */
export async function settleOutboxEvent(db: Executor, outcome: OutboxDeliveryOutcome): Promise<OutboxStatus | undefined> {
  const { settlement } = outcome
  const settle = db
    .updateTable('outbox_events')
    .where('id', '=', outcome.eventId)
    .set({
      attempt_count: sql<number>`attempt_count + ${outcome.attempts}`,
      first_attempt_at: sql<number>`coalesce(first_attempt_at, ${outcome.firstAttemptAt})`,
      lease_until: null,
    })
  const applied =
    settlement.status === 'delivered'
      ? settle.set({ status: 'delivered', delivered_at: settlement.deliveredAt }).where('status', 'in', [...settlement.from])
      : settle
          .set(settlement.status === 'failed' ? { status: 'failed' } : { next_attempt_at: settlement.nextAttemptAt })
          .where('status', '=', 'pending')
  const updated = await applied.executeTakeFirst()
  if (Number(updated.numUpdatedRows) > 0) return settlement.status
  // Not in a state to change (settled by another delivery, or an explicit resend): count only.
  const row = await settle.returning('status').executeTakeFirst()
  return row?.status
}
