/** Where "now" comes from. Services take a Clock; tests pass a fixed one. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number
}

/** The machine's clock. */
export const systemClock: Clock = { now: () => Date.now() }
