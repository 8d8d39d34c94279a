/** Runs a batch of items as one unit of work (one statement, one transaction); one result per item, in order. */
export type RunBatch<TItem, TResult> = (items: readonly TItem[]) => Promise<TResult[]>

/** Groups concurrent calls into batches for a {@link RunBatch}. */
export interface Batcher<TItem, TResult> {
  /** Queues one item; resolves with its result once the batch holding it has run. */
  add(item: TItem): Promise<TResult>
}

/** Options for {@link createBatcher}. */
export interface BatcherOptions {
  /** Most items in one batch. */
  readonly maxBatch: number
  /** Most batches running at once (1 for SQLite's single writer). */
  readonly parallel: number
}

interface Pending<TItem, TResult> {
  readonly item: TItem
  readonly resolve: (result: TResult) => void
  readonly reject: (error: unknown) => void
}

/**
 * Batches without waiting for a timer: items queue up until the end of the current turn of the
 * event loop (`setImmediate`), then go together, up to `maxBatch` per batch and `parallel`
 * batches at a time; items arriving while all batches run go in the next ones. Under load this
 * turns many round trips and commits into one; when idle it adds one turn of the loop, a few
 * microseconds. Waiting for the turn to end matters with a synchronous driver (better-sqlite3):
 * a batch started at once would finish inside the caller's microtasks, before the other timers
 * of the same turn (charges waking from their processor latency) could add to it.
 * A batch that fails is run again one item at a time, so one bad item cannot take the others
 * down with it.
 */
export function createBatcher<TItem, TResult>(
  run: RunBatch<TItem, TResult>,
  options: BatcherOptions,
): Batcher<TItem, TResult> {
  const queue: Pending<TItem, TResult>[] = []
  const maxBatch = Math.max(1, options.maxBatch)
  const parallel = Math.max(1, options.parallel)
  let running = 0
  let scheduled = false

  const settle = async (batch: Pending<TItem, TResult>[]): Promise<void> => {
    try {
      const results = await run(batch.map((p) => p.item))
      batch.forEach((pending, index) => {
        if (index < results.length) pending.resolve(results[index] as TResult)
        else pending.reject(new Error('Result missing from its batch'))
      })
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error)
        return
      }
      for (const pending of batch) await settle([pending])
    }
  }

  const pump = () => {
    scheduled = false
    while (running < parallel && queue.length > 0) {
      const batch = queue.splice(0, maxBatch)
      running++
      void settle(batch).finally(() => {
        running--
        pump()
      })
    }
  }

  return {
    add: (item) =>
      new Promise<TResult>((resolve, reject) => {
        queue.push({ item, resolve, reject })
        if (!scheduled && running < parallel) {
          scheduled = true
          setImmediate(pump)
        }
      }),
  }
}
