import type { Deps } from '../deps.js'
import type { Executor } from '../store/database.js'
import type { EventSubject } from '../webhooks/event-facts.js'
import { enqueueEvents, enqueueRecurringUpdate } from '../webhooks/outbox.js'

/**
 * The webhook events of the recurring engine, written to the outbox inside the caller's
 * transaction so that a state change and its event commit together (the outbox, docs/architecture.md).
 * One place for both calls keeps the engine's choice of events readable:
 * - a recurring update (event 5) for every automatic charge attempt, retry or resume, and for
 *   every status change (Active, Uncompleted, Completed, Canceled); an attempt that changes the
 *   status sends one event, which carries the new status;
 * - a payment status change (event 1) for every outcome of an automatic transaction.
 */

/** Options for {@link announceRecurringUpdate}. */
export interface RecurringUpdateEvent {
  /** Internal recurrence id. */
  readonly recurrenceId: number
  /** Internal id of the transaction the update is about, or null for a bare status change. */
  readonly transactionId: number | null
  /** Merchant time (sandbox clock). */
  readonly now: number
}

/** Writes a RECURRING_UPDATES event for the recurrence in `trx`. */
export async function announceRecurringUpdate(trx: Executor, deps: Deps, event: RecurringUpdateEvent): Promise<void> {
  await enqueueRecurringUpdate(trx, deps, event)
}

/**
 * Writes the events of recorded charge attempts in `trx`: for each, in order, the payment status
 * change of its transaction, then the recurring update carrying it. All in one batch.
 */
export async function announceAttemptOutcomes(
  trx: Executor,
  deps: Deps,
  attempts: readonly { readonly recurrenceId: number; readonly transactionId: number }[],
  now: number,
): Promise<void> {
  const subjects = attempts.flatMap(({ recurrenceId, transactionId }): EventSubject[] => [
    { kind: 'payment', transactionId },
    { kind: 'recurring', recurrenceId, transactionId },
  ])
  await enqueueEvents(trx, deps, subjects, now)
}
