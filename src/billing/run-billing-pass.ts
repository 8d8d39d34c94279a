import type { Merchant } from '../domain/merchant.js'
import type { Deps } from '../deps.js'
import { createBatcher } from '../store/batcher.js'
import { countAttempt, emptyCounts, type BillingCounts } from './billing-counts.js'
import { processRenewalAttempt } from '../charging/process-renewal-attempt.js'
import { recordRenewalOutcomes, type RenewalOutcome } from '../charging/record-renewal-outcomes.js'
import type { RenewalAttempt } from '../charging/renewal-attempt.js'
import { recoverCustomerAttempts } from '../charging/recover-customer-attempts.js'
import { claimAttempts } from './claim-attempts.js'

/** Default recurrences claimed per transaction. */
export const DEFAULT_BATCH_SIZE = 256

/**
 * Default charges in flight per worker. With 200 ms of processor latency, 1,000 charges/s need
 * at least 200 in flight, more while attempts wait for the database (claims and recording
 * queue on the connection pool, or on SQLite's one connection); each costs a few kilobytes.
 */
export const DEFAULT_CONCURRENCY = 1024

/** Most outcomes recorded in one transaction: enough to amortise the commit, short enough not to hold SQLite's one connection for long. */
export const MAX_RECORD_BATCH = 64

/** Options for {@link runBillingPass}. */
export interface BillingPassOptions {
  /** The merchant's clock: what is due at or before it is charged. */
  readonly now: number
  readonly batchSize?: number
  readonly concurrency?: number
  /** Stop claiming after this many attempts (fairness between merchants). Default: no limit. */
  readonly maxAttempts?: number
  readonly leaseMs?: number
  /** Settle this merchant's customer payments left open first. Default true; a worker round does it once for every merchant. */
  readonly recoverCustomers?: boolean
  /** See `ClaimOptions.ignoreLeases` (claim-attempts.ts). */
  readonly ignoreLeases?: boolean
}

type Claim = (limit: number) => Promise<RenewalAttempt[]>

/**
 * One pass over a merchant's work at `now`: first the recovery of customer payments and of
 * recurring attempts left open (their process died), then
 * everything due, claimed in batches and charged with bounded concurrency, so memory stays
 * flat however many rows are due. The pass ends when a claim comes back empty; attempts it
 * made may leave more work due (catch-up of later cycles, retries), which the next pass takes.
 */
export async function runBillingPass(
  deps: Deps,
  merchant: Pick<Merchant, 'id' | 'timeZone'>,
  options: BillingPassOptions,
): Promise<BillingCounts> {
  const { now } = options
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE)
  const concurrency = Math.max(batchSize, options.concurrency ?? DEFAULT_CONCURRENCY)
  const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY
  const counts = emptyCounts()
  const inFlight = new Set<Promise<void>>()
  // One waiter (this loop) for a free slot; racing the whole set instead would add a reaction
  // to every pending charge at each completion, which costs time and memory at high concurrency.
  let wake: (() => void) | undefined
  const slotFreed = () => {
    const waiter = wake
    wake = undefined
    waiter?.()
  }
  let claimed = 0
  // PostgreSQL records several batches at once on separate connections; SQLite has one writer.
  const recorder = createBatcher((outcomes: readonly RenewalOutcome[]) => recordRenewalOutcomes(deps, merchant, outcomes, now), {
    maxBatch: MAX_RECORD_BATCH,
    parallel: deps.store.adapter.parallelWrites,
  })

  const common = { now, leaseMs: options.leaseMs, ignoreLeases: options.ignoreLeases }
  const claims: Claim[] = [
    (limit) => claimAttempts(deps, merchant, 'open', { ...common, realNow: deps.clock.now(), limit }),
    (limit) => claimAttempts(deps, merchant, 'due', { ...common, realNow: deps.clock.now(), limit }),
  ]
  if (options.recoverCustomers !== false) {
    const recovery = await recoverCustomerAttempts(deps, { merchantId: merchant.id })
    counts.customerRecovered += recovery.recovered
    counts.unresolved += recovery.unresolved
  }
  try {
    for (const claim of claims) {
      while (claimed < maxAttempts) {
        while (inFlight.size > 0 && inFlight.size + batchSize > concurrency) {
          await new Promise<void>((resolve) => (wake = resolve))
        }
        const batch = await claim(Math.min(batchSize, maxAttempts - claimed))
        if (batch.length === 0) break
        claimed += batch.length
        for (const attempt of batch) {
          const running: Promise<void> = processRenewalAttempt(deps, recorder, attempt, now)
            .then((processed) => countAttempt(counts, attempt, processed))
            .finally(() => {
              inFlight.delete(running)
              slotFreed()
            })
          inFlight.add(running)
        }
      }
    }
  } finally {
    // Never leave charges running behind the caller's back, even when a claim failed.
    await Promise.allSettled(inFlight)
  }
  return counts
}
