import type { Deps } from '../services/deps.js'
import type { Executor } from '../store/invoice.repository.js'

/** Options for {@link enqueuePaymentStatusChanged}. */
export interface EnqueuePaymentStatusChangedOptions {
  /** Internal transaction id whose outcome was just recorded. */
  readonly transactionId: number
  /** Merchant time (sandbox clock), epoch ms. */
  readonly now: number
}

/** Options for {@link enqueueRecurringUpdate}. */
export interface EnqueueRecurringUpdateOptions {
  readonly recurrenceId: number
  /** Latest deduction attempt's transaction, or null when there is none. */
  readonly transactionId: number | null
  /** Merchant time (sandbox clock), epoch ms. */
  readonly now: number
}

/** Writes a PAYMENT_STATUS_CHANGED event in the caller's transaction (work in progress). */
export async function enqueuePaymentStatusChanged(
  _trx: Executor,
  _deps: Deps,
  _options: EnqueuePaymentStatusChangedOptions,
): Promise<void> {}

/** Writes a RECURRING_UPDATES event in the caller's transaction (work in progress). */
export async function enqueueRecurringUpdate(
  _trx: Executor,
  _deps: Deps,
  _options: EnqueueRecurringUpdateOptions,
): Promise<void> {}
