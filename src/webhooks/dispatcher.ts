import { setTimeout as delay } from 'node:timers/promises'

import { coerceError } from '../domain/errors.js'
import type { Deps } from '../deps.js'
import { hasLeasedDueOutboxEvent, listMerchantsWithDueOutboxEvents } from '../store/outbox.repository.js'
import type { WebhookTransport } from './deliver.js'
import { createBatchRecorder, defaultTransport, deliverClaimedEvent, leaseMsOf } from './deliver-event.js'
import { claimDueEvents, type ClaimedEvent, type ClaimOptions } from './queue.js'

/**
 * The webhook dispatcher: claims due outbox events, POSTs them, records each attempt, retries
 * with backoff. Two drivers share one delivery routine:
 * - {@link startWebhookDispatcher}, the background loop of the worker role (real time plus each
 *   merchant's sandbox offset);
 * - {@link deliverDueWebhooks}, called by the sandbox AdvanceClock for one merchant at its new
 *   time, so that retries scheduled in merchant time run when the clock is moved.
 */

/** Tuning of the background loop; defaults suit one process with a few hundred endpoints. */
export interface DispatcherOptions {
  /** Deliveries in flight at once. Default is 256. */
  readonly concurrency?: number
  /** Deliveries in flight per merchant with a healthy endpoint. Default is 32. */
  readonly perMerchant?: number
  /** Deliveries in flight per merchant whose last attempt failed. Default is 2. */
  readonly perFailingMerchant?: number
  /** Idle wait between looks at the outbox. Default: config.pollIntervalMs. */
  readonly pollIntervalMs?: number
  /** Default: HTTP with the mode's SSRF rules. */
  readonly transport?: WebhookTransport
  /** Random source for jitter and chaos. Default is Math.random. */
  readonly random?: () => number
}

/** Counts of one {@link deliverDueWebhooks} run: events attempted, delivered, and not delivered. */
export interface DeliveryCounts {
  readonly attempted: number
  readonly delivered: number
  readonly failed: number
}

/**
 * Delivers every event of one merchant that is due at merchant time `now`, awaiting each
 * delivery; events released by a delivery (the next one of the same object) are delivered too.
 * Each due event gets one attempt, made at `now`: moving the sandbox clock by six hours runs
 * the attempt that is due, not every retry six real hours would have made. Waits briefly for
 * due events another dispatcher is delivering at that moment.
 */
export async function deliverDueWebhooks(
  deps: Deps,
  { merchantId, now }: { readonly merchantId: number; readonly now: number },
  options: Pick<DispatcherOptions, 'transport' | 'random'> = {},
): Promise<DeliveryCounts> {
  const transport = options.transport ?? defaultTransport(deps)
  const random = options.random ?? Math.random
  const counts = { attempted: 0, delivered: 0, failed: 0 }
  // Elapsed time, not deps.clock: a frozen test clock must not make this wait forever.
  const waitUntil = performance.now() + deps.config.webhookTimeoutMs + 1_000
  for (;;) {
    const claimed = await claimDueEvents(deps.store.db, deps.store.adapter, {
      realNow: deps.clock.now(),
      leaseMs: leaseMsOf(deps),
      limit: 16,
      merchant: { id: merchantId, now },
    })
    if (claimed.length === 0) {
      // Due events another dispatcher is delivering right now: wait for them, briefly.
      const busy =
        performance.now() < waitUntil &&
        (await hasLeasedDueOutboxEvent(deps.store.db, { merchantId, now, realNow: deps.clock.now() }))
      if (busy) {
        await delay(20)
        continue
      }
      return counts
    }
    const results = await Promise.all(
      claimed.map((event) => deliverClaimedEvent(deps, event, { transport, random, merchantNow: () => now })),
    )
    for (const result of results) {
      counts.attempted++
      if (result.delivered) counts.delivered++
      else counts.failed++
    }
  }
}

/**
 * Starts the background dispatcher and resolves to its stop function, which waits for the
 * deliveries in flight. Bounded concurrency overall and per merchant: a merchant whose endpoint
 * fails or hangs keeps at most `perFailingMerchant` slots (each bounded by the timeout), so it
 * never delays other merchants' deliveries. Several dispatchers (processes) may run against
 * one PostgreSQL database; leases keep them from sending the same event at once.
 */
export async function startWebhookDispatcher(deps: Deps, options: DispatcherOptions = {}): Promise<() => Promise<void>> {
  const concurrency = options.concurrency ?? 256
  const perMerchant = options.perMerchant ?? 32
  const perFailingMerchant = options.perFailingMerchant ?? 2
  const pollIntervalMs = options.pollIntervalMs ?? deps.config.pollIntervalMs
  const transport = options.transport ?? defaultTransport(deps)
  const random = options.random ?? Math.random
  const inFlight = new Map<number, number>()
  const failing = new Set<number>()
  const tasks = new Set<Promise<void>>()
  const record = createBatchRecorder(deps, random)
  let total = 0
  let stopped = false
  let wake: (() => void) | null = null
  // A delivery finishing while the loop is busy claiming must not be missed.
  let poked = false
  const poke = () => {
    if (wake) wake()
    else poked = true
  }

  /** Waits for a poke or the poll interval; true when the interval ran out. */
  const sleep = (ms: number) =>
    new Promise<boolean>((resolve) => {
      if (poked) {
        poked = false
        resolve(false)
        return
      }
      const timer = setTimeout(() => done(true), ms)
      function done(timedOut: boolean) {
        clearTimeout(timer)
        wake = null
        resolve(timedOut)
      }
      wake = () => done(false)
    })

  // A merchant's slots: its cap, and never more than a fair share of the total, so that busy
  // merchants leave room for others instead of filling every slot.
  const capOf = (merchantId: number) => {
    const busy = inFlight.size + (inFlight.has(merchantId) ? 0 : 1)
    const fairShare = Math.max(1, Math.floor(concurrency / busy))
    return Math.min(failing.has(merchantId) ? perFailingMerchant : perMerchant, fairShare)
  }
  const freeSlots = (merchantId: number) => capOf(merchantId) - (inFlight.get(merchantId) ?? 0)

  // Merchants whose deliveries just finished (→ their clock offset): refilled with a cheap
  // per-merchant claim, which also picks up the next event of an object that was waiting.
  const refill = new Map<number, number>()
  // A look across all merchants is due: at start, on each poll, after a full batch.
  let discover = true
  // A walk through merchants with due events (fairness, below) is due: at start and each poll.
  let spreadDue = true

  const claim = async (claimOptions: Omit<ClaimOptions, 'realNow' | 'leaseMs'>): Promise<ClaimedEvent[]> => {
    try {
      return await claimDueEvents(deps.store.db, deps.store.adapter, {
        realNow: deps.clock.now(),
        leaseMs: leaseMsOf(deps),
        ...claimOptions,
      })
    } catch (error) {
      deps.logger.error({ err: coerceError(error) }, 'webhook dispatcher could not claim events')
      return []
    }
  }

  const start = (event: ClaimedEvent) => {
    total++
    inFlight.set(event.merchantId, (inFlight.get(event.merchantId) ?? 0) + 1)
    const task = deliverClaimedEvent(deps, event, {
      transport,
      random,
      merchantNow: () => deps.clock.now() + event.merchant.clockOffsetMs,
      record,
    })
      .then((result) => {
        if (result.reachable) failing.delete(event.merchantId)
        else failing.add(event.merchantId)
      })
      .catch((error: unknown) => {
        // The lease expires and the event is delivered again: at-least-once, never lost.
        deps.logger.error({ err: coerceError(error), event: event.reference }, 'webhook delivery not recorded')
      })
      .finally(() => {
        total--
        const left = (inFlight.get(event.merchantId) ?? 1) - 1
        if (left === 0) inFlight.delete(event.merchantId)
        else inFlight.set(event.merchantId, left)
        refill.set(event.merchantId, event.merchant.clockOffsetMs)
        tasks.delete(task)
        poke()
      })
    tasks.add(task)
  }

  // Fairness: when busy merchants fill the head of the due order, the look across all
  // merchants sees only their events; walk the other merchants with due events instead.
  let merchantCursor = 0
  const spread = async () => {
    const saturated = [...inFlight.keys()].filter((merchantId) => freeSlots(merchantId) <= 0)
    if (saturated.length === 0 || concurrency - total <= 0) return
    let merchants: Array<{ id: number; clockOffsetMs: number }> = []
    try {
      merchants = await listMerchantsWithDueOutboxEvents(deps.store.db, {
        realNow: deps.clock.now(),
        afterId: merchantCursor,
        exclude: saturated,
        limit: 32,
      })
    } catch (error) {
      deps.logger.error({ err: coerceError(error) }, 'webhook dispatcher could not list merchants')
    }
    merchantCursor = merchants.length < 32 ? 0 : (merchants.at(-1)?.id ?? 0)
    for (const merchant of merchants) {
      const limit = Math.min(freeSlots(merchant.id), concurrency - total)
      if (limit <= 0 || stopped) continue
      const claimed = await claim({ limit, merchant: { id: merchant.id, now: deps.clock.now() + merchant.clockOffsetMs } })
      for (const event of claimed) start(event)
    }
  }

  const loop = async () => {
    while (!stopped) {
      for (const [merchantId, offset] of [...refill]) {
        refill.delete(merchantId)
        const limit = Math.min(freeSlots(merchantId), concurrency - total)
        // Claim in batches: wait for a quarter of the merchant's slots unless it has gone idle.
        const batch = Math.max(1, Math.floor(capOf(merchantId) / 4))
        if (limit <= 0 || stopped || (limit < batch && inFlight.has(merchantId))) continue
        const claimed = await claim({ limit, merchant: { id: merchantId, now: deps.clock.now() + offset } })
        for (const event of claimed) start(event)
      }
      if (discover && !stopped) {
        discover = false
        const batch = Math.min(concurrency - total, 64)
        if (batch > 0) {
          const claimed = await claim({ limit: batch, freeSlots })
          for (const event of claimed) if (!stopped) start(event)
          // A full batch means more may be due right away.
          if (claimed.length === batch) discover = true
          else if (spreadDue) {
            spreadDue = false
            await spread()
          }
        }
      }
      if (stopped || discover || refill.size > 0) continue
      if (await sleep(pollIntervalMs)) discover = spreadDue = true
    }
  }

  const running = loop()
  return async () => {
    stopped = true
    poke()
    await running
    await Promise.allSettled([...tasks])
  }
}
