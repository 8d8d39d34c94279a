import { describe, expect, it } from 'vitest'

import { createBatcher } from '../../src/store/batcher.js'

/** A RunBatch that records the batches it saw and answers each item doubled. */
function recordingRun(options: { failWhen?: (items: readonly number[]) => boolean; delayMs?: number } = {}) {
  const batches: number[][] = []
  let running = 0
  let maxRunning = 0
  const run = async (items: readonly number[]) => {
    batches.push([...items])
    running++
    maxRunning = Math.max(maxRunning, running)
    try {
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs))
      if (options.failWhen?.(items)) throw new Error(`batch ${items.join(',')} failed`)
      return items.map((item) => item * 2)
    } finally {
      running--
    }
  }
  return { run, batches, maxRunning: () => maxRunning }
}

describe('createBatcher', () => {
  it('groups items added in one turn of the event loop, also when the run is synchronous', async () => {
    const { run, batches } = recordingRun()
    const batcher = createBatcher(run, { maxBatch: 100, parallel: 1 })
    // Callers that reach add() one after the other within one turn, separated by microtasks
    // (in which a synchronous batch started at once would already have finished).
    const pending: Promise<number>[] = []
    await new Promise<void>((done) =>
      setTimeout(async () => {
        for (let i = 0; i < 10; i++) {
          pending.push(batcher.add(i))
          for (let hop = 0; hop < 5; hop++) await Promise.resolve()
        }
        done()
      }, 0),
    )
    const results = await Promise.all(pending)
    expect(results).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18])
    expect(batches).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]])
  })

  it('caps batch size and parallel batches, and takes what queued meanwhile', async () => {
    const { run, batches, maxRunning } = recordingRun({ delayMs: 5 })
    const batcher = createBatcher(run, { maxBatch: 3, parallel: 2 })
    const first = Array.from({ length: 7 }, (_, i) => batcher.add(i))
    await new Promise((resolve) => setTimeout(resolve, 1))
    const later = Array.from({ length: 2 }, (_, i) => batcher.add(100 + i))
    expect(await Promise.all([...first, ...later])).toEqual([0, 2, 4, 6, 8, 10, 12, 200, 202])
    expect(batches.slice(0, 2)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ])
    expect(batches.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 100, 101])
    expect(batches.every((batch) => batch.length <= 3)).toBe(true)
    expect(maxRunning()).toBe(2)
  })

  it('runs a failed batch again item by item, so only the bad item fails', async () => {
    const { run, batches } = recordingRun({ failWhen: (items) => items.includes(13) })
    const batcher = createBatcher(run, { maxBatch: 10, parallel: 1 })
    const settled = await Promise.allSettled([11, 12, 13, 14].map((item) => batcher.add(item)))
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : 'failed'))).toEqual([22, 24, 'failed', 28])
    expect(batches).toEqual([[11, 12, 13, 14], [11], [12], [13], [14]])
  })

  it('rejects items a batch did not answer', async () => {
    const batcher = createBatcher(async (items: readonly number[]) => items.slice(1), { maxBatch: 10, parallel: 1 })
    const settled = await Promise.allSettled([batcher.add(1)])
    expect(settled[0]?.status).toBe('rejected')
  })
})
