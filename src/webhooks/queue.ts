import type { StoreAdapter } from '../store/adapter.js'
import type { Db, Executor } from '../store/database.js'
import {
  leaseOutboxEvents,
  listDueOutboxCandidates,
  settleOutboxEvent,
  type OutboxSettlement,
} from '../store/outbox.repository.js'
import { insertWebhookAttempts } from '../store/webhook-attempt.repository.js'
import { parseChaos, type WebhookChaos } from './chaos.js'
import type { WebhookVersion } from './webhook-facts.js'
import { webhookReferenceOf, type OutboxStatus } from './outbox.js'
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
  /** `WH-<n>`, the merchant's number of the event. */
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
  const rows = await listDueOutboxCandidates(db, {
    realNow,
    // Across merchants, extra candidates let busy merchants be passed over; for one, `limit` is exact.
    limit: options.merchant ? limit : Math.max(limit * 4, 64),
    merchant: options.merchant,
  })
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

  // Concurrent dispatchers skip rows another one is leasing instead of waiting for it.
  const leased = await leaseOutboxEvents(db, adapter, picked, { realNow, leaseUntil: realNow + options.leaseMs })
  if (leased.length === 0) return []
  // Merchant settings come with the candidates (same moment, no extra query).
  const byId = new Map(rows.map((row) => [row.merchant_id, row]))
  return leased
    .sort((a, b) => a.id - b.id)
    .map((row) => {
      const merchant = byId.get(row.merchant_id)
      return {
        id: row.id,
        reference: webhookReferenceOf(row),
        merchantId: row.merchant_id,
        eventCode: row.event_code,
        entityKey: row.entity_key,
        body: row.body,
        version: row.webhook_version,
        targetUrl: row.target_url,
        status: row.status,
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
    await insertWebhookAttempts(
      trx,
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
    const statuses: OutboxStatus[] = []
    for (const delivery of deliveries) statuses.push(await settleEvent(trx, delivery, options))
    return statuses
  })
}

async function settleEvent(trx: Executor, { event, attempts }: DeliveryRecord, options: RecordOptions): Promise<OutboxStatus> {
  const first = attempts[0]
  const last = attempts[attempts.length - 1]
  if (!first || !last) throw new RangeError('A delivery needs at least one attempt')
  const firstAttemptAt = event.firstAttemptAt ?? first.attemptedAt
  const delivered = attempts.find(isDelivered)
  let settlement: OutboxSettlement
  if (delivered) {
    // An explicit resend also settles events that were given up or never sent.
    const from: OutboxStatus[] = options.resend ? ['pending', 'failed', 'skipped'] : ['pending']
    settlement = { status: 'delivered', deliveredAt: delivered.attemptedAt, from }
  } else {
    const next = nextAttemptAfterFailure({
      attemptedAt: last.attemptedAt,
      firstAttemptAt,
      failedAttempts: event.attemptCount + attempts.length,
      retryWindowMs: options.retryWindowMs,
      random: options.random,
    })
    settlement = next === null ? { status: 'failed' } : { status: 'pending', nextAttemptAt: next }
  }
  // A concurrent duplicate may have settled the event already: it never moves back, and this
  // delivery's attempts are only counted.
  const status = await settleOutboxEvent(trx, { eventId: event.id, attempts: attempts.length, firstAttemptAt, settlement })
  return status ?? 'failed'
}
