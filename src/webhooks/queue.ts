import { sql } from 'kysely'

import type { StoreAdapter } from '../store/adapter.js'
import type { Db } from '../store/database.js'
import { parseChaos, type WebhookChaos } from './chaos.js'
import type { WebhookVersion } from './webhook-facts.js'
import { webhookDb, webhookReference, type OutboxStatus } from './outbox.js'
import { nextAttemptAfterFailure } from './retry-schedule.js'

/**
 * Claiming due outbox events and recording delivery attempts. Delivery is at-least-once: an
 * event is leased (real time) before it is sent and its outcome recorded after, so a process
 * that dies in between leaves a lease that expires, and the event is sent again, with the same
 * body and Reference. Nothing here holds a transaction open across a delivery.
 *
 * Order per object: an event is not claimed while an earlier event with the same `entity_key`
 * is still `pending` (waiting, leased or between retries), unless that earlier one was marked
 * unordered by sandbox chaos. `failed` (retries exhausted), `delivered` and `skipped` events do
 * not hold later ones back, so one dead event cannot block an object forever.
 */

/** A leased event, ready to be sent. */
export interface ClaimedEvent {
  readonly id: number
  /** `WH-<id>`. */
  readonly reference: string
  readonly merchantId: number
  readonly eventCode: number
  readonly entityKey: string
  /** The JSON body exactly as it is sent. */
  readonly body: string
  readonly version: WebhookVersion
  readonly targetUrl: string | null
  readonly status: OutboxStatus
  readonly attemptCount: number
  readonly firstAttemptAt: number | null
  readonly merchant: {
    readonly secret: string
    readonly clockOffsetMs: number
    readonly chaos: WebhookChaos | null
  }
}

/** Options for {@link claimDueEvents}. */
export interface ClaimOptions {
  /** Real time, epoch ms (leases). */
  readonly realNow: number
  readonly leaseMs: number
  readonly limit: number
  /** Only this merchant's events due at its `now`; by default every merchant's at real time + offset. */
  readonly merchant?: { readonly id: number; readonly now: number }
  /** How many more events of a merchant may be claimed now. Default: no per-merchant bound. */
  readonly freeSlots?: (merchantId: number) => number
}

/** Leases up to `limit` due, unblocked events and returns them. */
export async function claimDueEvents(db: Db, adapter: StoreAdapter, options: ClaimOptions): Promise<ClaimedEvent[]> {
  const { realNow, limit } = options
  if (limit <= 0) return []
  const w = webhookDb(db)
  let candidates = w
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
            .where('p.status', '=', 'pending')
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
  const rows = await candidates
    .orderBy('o.next_attempt_at')
    .orderBy('o.id')
    // Across merchants, extra candidates let busy merchants be passed over; for one, `limit` is exact.
    .limit(options.merchant ? limit : Math.max(limit * 4, 64))
    .execute()
  const picked: number[] = []
  const taken = new Map<number, number>()
  for (const row of rows) {
    if (picked.length >= limit) break
    const count = taken.get(row.merchant_id) ?? 0
    if (options.freeSlots && count >= options.freeSlots(row.merchant_id)) continue
    taken.set(row.merchant_id, count + 1)
    picked.push(row.id)
  }
  if (picked.length === 0) return []

  let update = w.updateTable('outbox_events').set({ lease_until: realNow + options.leaseMs })
  if (adapter.concurrentWriters) {
    // Concurrent dispatchers skip rows another one is leasing instead of waiting for it.
    update = update.where('id', 'in', (eb) =>
      eb
        .selectFrom('outbox_events')
        .select('id')
        .where('id', 'in', picked)
        .where('status', '=', 'pending')
        .where((inner) => inner.or([inner('lease_until', 'is', null), inner('lease_until', '<=', realNow)]))
        .forUpdate()
        .skipLocked(),
    )
  } else {
    update = update
      .where('id', 'in', picked)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', realNow)]))
  }
  const leased = await update
    .returning([
      'id',
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
  if (leased.length === 0) return []
  // Merchant settings come with the candidates (same moment, no extra query).
  const byId = new Map(rows.map((row) => [row.merchant_id, row]))
  return leased
    .sort((a, b) => a.id - b.id)
    .map((row) => {
      const merchant = byId.get(row.merchant_id)
      return {
        id: row.id,
        reference: webhookReference(row.id),
        merchantId: row.merchant_id,
        eventCode: row.event_code,
        entityKey: row.entity_key,
        body: row.body,
        version: row.webhook_version === 'v1' ? 'v1' : 'v2',
        targetUrl: row.target_url,
        status: row.status as OutboxStatus,
        attemptCount: row.attempt_count,
        firstAttemptAt: row.first_attempt_at,
        merchant: {
          secret: merchant?.webhook_secret ?? '',
          clockOffsetMs: merchant?.clock_offset_ms ?? 0,
          chaos: parseChaos(merchant?.webhook_chaos ?? null),
        },
      }
    })
}

/**
 * Merchants with at least one due pending event (by their own clocks), in id order after
 * `afterId`, leaving out `exclude`. One index probe per merchant: this is how a dispatcher finds
 * the other merchants when a few busy ones fill the head of the due order.
 */
export async function findMerchantsWithDueEvents(
  db: Db,
  options: { readonly realNow: number; readonly afterId: number; readonly exclude: readonly number[]; readonly limit: number },
): Promise<Array<{ id: number; clockOffsetMs: number }>> {
  let query = webhookDb(db)
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

/** One delivery attempt as recorded in `webhook_attempts`. */
export interface AttemptRecord {
  /** Merchant time, epoch ms. */
  readonly attemptedAt: number
  /** HTTP status, or null when no response arrived (timeout, refused, dropped). */
  readonly statusCode: number | null
  /** Start of the response body (at most a few KiB), or null. */
  readonly responseText: string | null
  readonly durationMs: number
  readonly error: string | null
}

/** True for an attempt the merchant acknowledged: any 2xx (reference §7.1). */
export function isDelivered(attempt: Pick<AttemptRecord, 'statusCode'>): boolean {
  return attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300
}

/** Options for {@link recordAttempts}. */
export interface RecordOptions {
  readonly retryWindowMs: number
  readonly random: () => number
  /**
   * An explicit resend (ResendWebhook): success also settles `failed` and `skipped` events, and
   * a failure reschedules only events that are still pending.
   */
  readonly resend?: boolean
}

/** The attempts of one delivery of one event. */
export interface DeliveryRecord {
  readonly event: Pick<ClaimedEvent, 'id' | 'attemptCount' | 'firstAttemptAt'>
  readonly attempts: readonly AttemptRecord[]
}

/** Records the attempts of one delivery and settles the event; returns its new status. */
export async function recordAttempts(
  db: Db,
  event: DeliveryRecord['event'],
  attempts: readonly AttemptRecord[],
  options: RecordOptions,
): Promise<OutboxStatus> {
  const [status] = await recordDeliveries(db, [{ event, attempts }], options)
  return status ?? 'failed'
}

/**
 * Records several deliveries in one transaction (one commit for many events: on PostgreSQL a
 * commit waits for the disk, so this is what bounds throughput). Returns each event's status.
 */
export async function recordDeliveries(
  db: Db,
  deliveries: readonly DeliveryRecord[],
  options: RecordOptions,
): Promise<OutboxStatus[]> {
  if (deliveries.some((d) => d.attempts.length === 0)) throw new RangeError('Every delivery needs at least one attempt')
  if (deliveries.length === 0) return []
  return db.transaction().execute(async (trx) => {
    const w = webhookDb(trx)
    await w
      .insertInto('webhook_attempts')
      .values(
        deliveries.flatMap(({ event, attempts }) =>
          attempts.map((a) => ({
            event_id: event.id,
            attempted_at: a.attemptedAt,
            status_code: a.statusCode,
            response_text: a.responseText,
            duration_ms: Math.round(a.durationMs),
            error: a.error,
          })),
        ),
      )
      .execute()
    const statuses: OutboxStatus[] = []
    for (const delivery of deliveries) statuses.push(await settleEvent(w, delivery, options))
    return statuses
  })
}

async function settleEvent(
  w: ReturnType<typeof webhookDb>,
  { event, attempts }: DeliveryRecord,
  options: RecordOptions,
): Promise<OutboxStatus> {
  const first = attempts[0]
  const last = attempts[attempts.length - 1]
  if (!first || !last) throw new RangeError('A delivery needs at least one attempt')
  const firstAttemptAt = event.firstAttemptAt ?? first.attemptedAt
  const attemptCount = event.attemptCount + attempts.length
  const delivered = attempts.find(isDelivered)
  const settle = w
    .updateTable('outbox_events')
    .where('id', '=', event.id)
    .set({
      attempt_count: sql<number>`attempt_count + ${attempts.length}`,
      first_attempt_at: sql<number>`coalesce(first_attempt_at, ${firstAttemptAt})`,
      lease_until: null,
    })
  if (delivered) {
    // A concurrent duplicate may have settled it already; never move it back.
    const updated = await settle
      .set({ status: 'delivered', delivered_at: delivered.attemptedAt })
      .where('status', 'in', options.resend ? ['pending', 'failed', 'skipped'] : ['pending'])
      .executeTakeFirst()
    if (Number(updated.numUpdatedRows) > 0) return 'delivered'
  } else {
    const next = nextAttemptAfterFailure({
      attemptedAt: last.attemptedAt,
      firstAttemptAt,
      failedAttempts: attemptCount,
      retryWindowMs: options.retryWindowMs,
      random: options.random,
    })
    const updated = await settle
      .set(next === null ? { status: 'failed' } : { next_attempt_at: next })
      .where('status', '=', 'pending')
      .executeTakeFirst()
    if (Number(updated.numUpdatedRows) > 0) return next === null ? 'failed' : 'pending'
  }
  // Not pending any more (settled by another delivery, or an explicit resend): count only.
  const row = await settle.returning('status').executeTakeFirst()
  return (row?.status as OutboxStatus | undefined) ?? 'failed'
}
