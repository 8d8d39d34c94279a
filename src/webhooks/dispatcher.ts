import type { Deps } from '../services/deps.js'

/** Counts of one delivery pass. */
export interface DeliveryCounts {
  readonly attempted: number
  readonly delivered: number
  readonly failed: number
}

/** Delivers every due event of one merchant at merchant time `now` (work in progress). */
export async function deliverDueWebhooks(
  _deps: Deps,
  _options: { readonly merchantId: number; readonly now: number },
): Promise<DeliveryCounts> {
  return { attempted: 0, delivered: 0, failed: 0 }
}

/** Starts the background dispatcher; resolves to its stop function (work in progress). */
export async function startWebhookDispatcher(_deps: Deps): Promise<() => Promise<void>> {
  return async () => undefined
}
