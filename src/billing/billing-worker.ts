import { coerceError } from '../domain/errors.js'
import { merchantNow } from '../domain/merchant.js'
import type { Deps } from '../deps.js'
import { claimCustomerAttemptsToRecover, recoverCustomerAttempt } from '../charging/recover-customer-attempts.js'
import { listMerchants } from '../store/merchant.repository.js'
import { addCounts, emptyCounts, type BillingCounts } from './billing-counts.js'
import { runBillingPass, type BillingPassOptions } from './run-billing-pass.js'

/** Attempts one merchant gets per round before the worker moves on to the next merchant. */
export const ATTEMPTS_PER_MERCHANT_PER_ROUND = 10_000

/** Options for {@link runBillingRound}. */
export type BillingRoundOptions = Omit<BillingPassOptions, 'now'>

/**
 * One round over every merchant: each merchant's due work at its own clock (real time plus its
 * sandbox offset), up to a share per merchant so that one huge account cannot starve others.
 */
export async function runBillingRound(deps: Deps, options: BillingRoundOptions = {}): Promise<BillingCounts> {
  const total = emptyCounts()
  for (const merchant of await listMerchants(deps.store.db)) {
    const counts = await runBillingPass(deps, merchant, {
      maxAttempts: ATTEMPTS_PER_MERCHANT_PER_ROUND,
      ...options,
      // The worker's own loop recovers customers' payments (startCustomerRecovery).
      recoverCustomers: false,
      now: merchantNow(deps.clock.now(), merchant),
    })
    addCounts(total, counts)
    // /ready of a worker needs a recent beat; a long round beats once per merchant.
    deps.telemetry.billingHeartbeat()
  }
  deps.telemetry.billingHeartbeat()
  return total
}

/**
 * Starts the billing loop of the worker role: rounds back to back while there is work, a sleep
 * of `pollIntervalMs` when a round found nothing (or failed). Resolves to the stop function,
 * which lets the running round finish its charges and record them, then returns.
 */
export async function startBillingWorker(deps: Deps, options: BillingRoundOptions = {}): Promise<() => Promise<void>> {
  let stopping = false
  let wake: (() => void) | undefined
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })

  const loop = (async () => {
    // On SQLite (one process), the first round also takes recurrences leased by this process's
    // previous life, so their open attempts are settled at once.
    let ignoreLeases = options.ignoreLeases ?? !deps.store.adapter.concurrentWriters
    while (!stopping) {
      let busy = false
      try {
        const counts = await runBillingRound(deps, { ...options, ignoreLeases })
        ignoreLeases = options.ignoreLeases ?? false
        busy = counts.charges > 0 && counts.errors === 0
        if (counts.charges > 0) deps.logger.debug({ counts }, 'billing round')
      } catch (thrown) {
        deps.logger.error({ err: coerceError(thrown) }, 'billing round failed')
      }
      if (!busy && !stopping) await sleep(deps.config.pollIntervalMs)
    }
  })()

  const stopRecovery = startCustomerRecovery(deps)
  return async () => {
    stopping = true
    wake?.()
    await Promise.all([loop, stopRecovery()])
  }
}

/** Most customer recoveries one worker runs at once. */
const MAX_RECOVERIES_IN_FLIGHT = 500

/**
 * The worker's recovery of customers' payments: every poll interval (the first at start-up),
 * attempts open past their lease (on SQLite at start-up, every open attempt) are claimed and
 * settled without waiting for each other or for the billing rounds, so a payment whose process died is recorded within about one lease, one
 * poll interval and one processor round trip. Returns the stop function, which waits for the
 * recoveries under way.
 */
function startCustomerRecovery(deps: Deps): () => Promise<void> {
  let stopping = false
  const inFlight = new Set<Promise<boolean>>()
  let timer: NodeJS.Timeout | undefined
  // An embedded SQLite file is served by one process: at start-up, whatever is open was left by
  // this process's previous life, so it is settled at once instead of after its lease.
  let startUp = !deps.store.adapter.concurrentWriters
  const tick = async (): Promise<void> => {
    try {
      const room = MAX_RECOVERIES_IN_FLIGHT - inFlight.size
      const ignoreLeases = startUp
      startUp = false
      const claimed = room > 0 ? await claimCustomerAttemptsToRecover(deps, { limit: Math.min(room, 100), ignoreLeases }) : []
      for (const attempt of claimed) {
        const running = recoverCustomerAttempt(deps, attempt).finally(() => inFlight.delete(running))
        inFlight.add(running)
      }
    } catch (thrown) {
      deps.logger.error({ err: coerceError(thrown) }, 'claiming customer payments to recover failed')
    }
    if (!stopping) timer = setTimeout(() => (current = tick()), deps.config.pollIntervalMs)
  }
  let current = tick()
  return async () => {
    stopping = true
    clearTimeout(timer)
    await current
    await Promise.allSettled([...inFlight])
  }
}
