import { describe, expect, it } from 'vitest'

import { nextAttemptAfterFailure, RETRY_BASE_MS, RETRY_CAP_MS, retryDelayMs } from '../../src/webhooks/retry-schedule.js'

const HOUR = 3_600_000
const always = () => 0
const half = () => 0.5

describe('webhook retry schedule', () => {
  it('doubles from 10 s up to 2 h, with equal jitter (half to all of the step)', () => {
    expect(retryDelayMs(1, always)).toBe(RETRY_BASE_MS / 2)
    expect(retryDelayMs(1, () => 1)).toBe(RETRY_BASE_MS)
    expect(retryDelayMs(2, () => 1)).toBe(2 * RETRY_BASE_MS)
    expect(retryDelayMs(5, () => 1)).toBe(16 * RETRY_BASE_MS)
    expect(retryDelayMs(50, () => 1)).toBe(RETRY_CAP_MS)
    expect(retryDelayMs(50, always)).toBe(RETRY_CAP_MS / 2)
  })

  it('retries for the whole window from the first attempt, makes a last attempt at its end, then gives up', () => {
    const window = 72 * HOUR
    let attemptedAt = 0
    let failedAttempts = 0
    const times: number[] = []
    for (;;) {
      failedAttempts++
      const next = nextAttemptAfterFailure({ attemptedAt, firstAttemptAt: 0, failedAttempts, retryWindowMs: window, random: () => 1 })
      if (next === null) break
      times.push(next)
      attemptedAt = next
    }
    expect(times.slice(0, 4)).toEqual([10_000, 30_000, 70_000, 150_000])
    expect(times.at(-1)).toBe(window)
    // 10 doubling steps reach the 2 h cap after about 2.8 h, then every 2 h to 72 h.
    expect(times.length).toBeGreaterThan(40)
    expect(times.length).toBeLessThan(50)
    expect(nextAttemptAfterFailure({ attemptedAt: 5, firstAttemptAt: 5, failedAttempts: 1, retryWindowMs: 0, random: half })).toBeNull()
  })
})
