import type { AttemptOutcome, RecordedOutcome } from './record-attempt-outcome.js'

/** Records outcomes; one call is one database transaction. */
export type RecordOutcomes = (outcomes: readonly AttemptOutcome[]) => Promise<RecordedOutcome[]>

/** Groups outcomes into batches for {@link RecordOutcomes}. */
export interface OutcomeBatcher {
  /** Queues one outcome; resolves once the transaction that records it has committed. */
  record(outcome: AttemptOutcome): Promise<RecordedOutcome>
}

interface Pending {
  readonly outcome: AttemptOutcome
  readonly resolve: (recorded: RecordedOutcome) => void
  readonly reject: (error: unknown) => void
}

/**
 * Batches without waiting: an outcome arriving while fewer than `parallel` transactions run is
 * recorded at once; outcomes arriving meanwhile queue up and go together in the next one (up
 * to `maxBatch`). Under load this amortises commits; when idle it adds no latency. A batch that
 * fails is retried one outcome at a time, so one bad row cannot hold the others back.
 */
export function createOutcomeBatcher(record: RecordOutcomes, options: { maxBatch: number; parallel: number }): OutcomeBatcher {
  const queue: Pending[] = []
  let running = 0

  const settle = async (batch: Pending[]) => {
    try {
      const recorded = await record(batch.map((p) => p.outcome))
      batch.forEach((pending, index) => {
        const result = recorded[index]
        if (result) pending.resolve(result)
        else pending.reject(new Error('Outcome missing from its batch'))
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
    while (running < options.parallel && queue.length > 0) {
      const batch = queue.splice(0, options.maxBatch)
      running++
      void settle(batch).finally(() => {
        running--
        pump()
      })
    }
  }

  return {
    record: (outcome) =>
      new Promise<RecordedOutcome>((resolve, reject) => {
        queue.push({ outcome, resolve, reject })
        pump()
      }),
  }
}
