/**
 * When failed webhook deliveries are tried again. Pure; the caller passes the random source.
 */

/** First retry delay; then doubling (MyFatoorah v1 retries every 10 s, reference §7.1). */
export const RETRY_BASE_MS = 10_000

/** Retry delays stop growing here. */
export const RETRY_CAP_MS = 2 * 3_600_000

/**
 * Delay before the next attempt after `failedAttempts` (≥ 1) failed ones: exponential from
 * {@link RETRY_BASE_MS}, capped at {@link RETRY_CAP_MS}, with "equal jitter" (between half and
 * all of it) so that endpoints recovering from an outage are not hit by synchronized waves.
 */
export function retryDelayMs(failedAttempts: number, random: () => number): number {
  const exponent = Math.min(Math.max(failedAttempts, 1) - 1, 30)
  const ceiling = Math.min(RETRY_BASE_MS * 2 ** exponent, RETRY_CAP_MS)
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

/**
 * When to try again after a failed attempt at `attemptedAt`, or null to give up: retries run
 * until `retryWindowMs` after the first attempt, and the last one is made at the window's end.
 */
export function nextAttemptAfterFailure(options: {
  readonly attemptedAt: number
  readonly firstAttemptAt: number
  readonly failedAttempts: number
  readonly retryWindowMs: number
  readonly random: () => number
}): number | null {
  const deadline = options.firstAttemptAt + options.retryWindowMs
  if (options.attemptedAt >= deadline) return null
  return Math.min(options.attemptedAt + retryDelayMs(options.failedAttempts, options.random), deadline)
}
