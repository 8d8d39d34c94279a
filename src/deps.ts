import type { FastifyBaseLogger } from 'fastify'

import type { Config } from './config.js'
import type { ChargeKind } from './domain/charge.js'
import type { Clock } from './domain/clock.js'
import type { PublicIdKeys } from './domain/public-ids.js'
import type { CardProcessor } from './processor/card-processor.js'
import type { CardVault } from './processor/card-vault.js'
import type { Store } from './store/create-database.js'

/** What services need from the outside world, passed as one plain argument. */
export interface Deps {
  readonly config: Config
  readonly store: Store
  readonly ids: PublicIdKeys
  readonly clock: Clock
  readonly logger: FastifyBaseLogger
  /** The acquirer seam; the TestProcessor in sandbox. Never call it inside a DB transaction. */
  readonly processor: CardProcessor
  /** Encrypts card numbers at rest. */
  readonly vault: CardVault
  /** Counters and heartbeats behind /metrics and /ready (src/telemetry); every call is cheap and never throws. */
  readonly telemetry: Telemetry
  /**
   * The dependencies for work a serving process does in the background of its requests (the
   * billing worker, the webhook dispatcher, AdvanceClock's billing and deliveries). On
   * PostgreSQL with role `all` they run on a connection pool of their own, so that a day's
   * billing never queues ahead of API requests for a connection (app/runtime.ts). Absent: the
   * same as these.
   */
  readonly background?: Deps
}

/** How a charge attempt ended: recorded approved or declined, or left open by an error or a missing answer (recovery settles it). */
export type ChargeOutcome = 'approved' | 'declined' | 'error'

/** How one webhook delivery ended: acknowledged, failed with a retry scheduled, or failed for good (retry window over). */
export type WebhookDeliveryOutcome = 'delivered' | 'retrying' | 'failed'

/**
 * What the engine reports about its own work, per process. The charging engine, the billing
 * worker, the webhook dispatcher and the HTTP layer call it; the Prometheus implementation lives
 * in src/telemetry/ and is assembled by app/runtime.ts.
 */
export interface Telemetry {
  /** One charge attempt's outcome, counted where it is recorded. */
  chargeOutcome(kind: ChargeKind, outcome: ChargeOutcome): void
  /** An attempt taken over after its opener's lease ran out (or left by this process's previous life). */
  attemptLeaseExpired(): void
  /** A taken-over attempt whose outcome was learnt and recorded. */
  attemptRecovered(): void
  webhookDelivery(outcome: WebhookDeliveryOutcome): void
  /** The billing loop is alive: called after each merchant's pass and each round. */
  billingHeartbeat(): void
  /** When the billing loop last beat (deps.clock time), or null when it never ran in this process. */
  lastBillingHeartbeat(): number | null
  /** One answered HTTP request: the route pattern (never the raw URL), its status, its duration. */
  httpRequest(route: string, status: number, seconds: number): void
  /** The Prometheus text exposition of every metric of this process. */
  render(): Promise<string>
}
