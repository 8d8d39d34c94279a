import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client'

import { CHARGE_KINDS, type ChargeKind } from '../domain/charge.js'
import type { Clock } from '../domain/clock.js'
import type { ChargeOutcome, Telemetry, WebhookDeliveryOutcome } from '../deps.js'
import type { Store } from '../store/create-database.js'
import { readBillingBacklog, readWebhookBacklog, type Backlog } from '../store/metrics.repository.js'
import { registerHttpMetrics } from './http-stats.js'

/**
 * The Prometheus side of {@link Telemetry}: one registry per instance (several apps in one
 * process, as in tests, never share counters), counters bumped where the engine records
 * outcomes, and gauges read from the database when scraped, cached for a few seconds so that
 * several scrapers (or several Prometheus servers) cost one set of queries. Node's own process
 * metrics come from one registry per process, since they describe the process, not an app.
 */

/** How long the database gauges are reused before a scrape reads them again. */
export const DATABASE_GAUGES_TTL_MS = 5_000

/** Most rows a gauge counts; past it the gauge reads this number (docs/operations.md). */
export const BACKLOG_CAP = 100_000

const CHARGE_OUTCOMES: readonly ChargeOutcome[] = ['approved', 'declined', 'error']
const WEBHOOK_OUTCOMES: readonly WebhookDeliveryOutcome[] = ['delivered', 'retrying', 'failed']

/** The logger calls telemetry makes (a failed gauge read). */
interface WarnLogger {
  warn(object: object, message: string): void
}

/** What {@link createPrometheusTelemetry} needs. */
export interface PrometheusTelemetryOptions {
  readonly store: Pick<Store, 'db'>
  readonly clock: Clock
  readonly logger: WarnLogger
  /** Default {@link DATABASE_GAUGES_TTL_MS}. */
  readonly databaseGaugesTtlMs?: number
}

let processRegistry: Registry | undefined

/** Node's default metrics (CPU, memory, event loop, GC), collected once per process. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry()
    collectDefaultMetrics({ register: processRegistry })
  }
  return processRegistry
}

interface DatabaseFacts {
  readonly billing: Backlog
  readonly webhooks: Backlog
  /** deps.clock time of the read. */
  readonly readAt: number
}

/** Builds the telemetry of one app (one process in production). */
export function createPrometheusTelemetry(options: PrometheusTelemetryOptions): Telemetry {
  const { store, clock, logger } = options
  const ttlMs = options.databaseGaugesTtlMs ?? DATABASE_GAUGES_TTL_MS
  const registry = new Registry()
  const registers = [registry]

  const httpRequest = registerHttpMetrics(registry)
  const charges = new Counter({
    name: 'dawri_charges_total',
    help: 'Charge attempts by kind and outcome, counted by the process that recorded them (error: left open for recovery).',
    labelNames: ['kind', 'outcome'] as const,
    registers,
  })
  const recovered = new Counter({
    name: 'dawri_attempts_recovered_total',
    help: 'Attempts taken over after their lease ran out whose outcome this process learnt and recorded.',
    registers,
  })
  const leasesExpired = new Counter({
    name: 'dawri_attempt_leases_expired_total',
    help: 'Attempts this process took over because their lease ran out (their process died or was too slow).',
    registers,
  })
  const deliveries = new Counter({
    name: 'dawri_webhook_deliveries_total',
    help: 'Webhook deliveries made by this process, by outcome (retrying: failed, another attempt scheduled; failed: given up).',
    labelNames: ['outcome'] as const,
    registers,
  })
  for (const kind of CHARGE_KINDS) for (const outcome of CHARGE_OUTCOMES) charges.labels(kind, outcome).inc(0)
  for (const outcome of WEBHOOK_OUTCOMES) deliveries.labels(outcome).inc(0)

  // Children per label set, so that counting a charge does not build label objects.
  const chargeCounters = new Map(
    CHARGE_KINDS.map((kind) => [kind, new Map(CHARGE_OUTCOMES.map((outcome) => [outcome, charges.labels(kind, outcome)]))]),
  )
  const deliveryCounters = new Map(WEBHOOK_OUTCOMES.map((outcome) => [outcome, deliveries.labels(outcome)]))

  let cached: { readonly at: number; readonly facts: Promise<DatabaseFacts | null> } | undefined
  const databaseFacts = (): Promise<DatabaseFacts | null> => {
    const now = performance.now()
    if (!cached || now - cached.at >= ttlMs) cached = { at: now, facts: readDatabaseFacts() }
    return cached.facts
  }
  const readDatabaseFacts = async (): Promise<DatabaseFacts | null> => {
    try {
      const realNow = clock.now()
      const [billing, webhooks] = await Promise.all([
        readBillingBacklog(store.db, { realNow, cap: BACKLOG_CAP }),
        readWebhookBacklog(store.db, { cap: BACKLOG_CAP }),
      ])
      return { billing, webhooks, readAt: realNow }
    } catch (error) {
      // The gauges go missing from this scrape (absent() alerts), the counters stay.
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'metrics: reading the database gauges failed')
      return null
    }
  }
  const secondsSince = (facts: DatabaseFacts, since: number | null) => (since === null ? 0 : Math.max(0, (facts.readAt - since) / 1000))
  const databaseGauge = (name: string, help: string, read: (facts: DatabaseFacts) => number) =>
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        const facts = await databaseFacts()
        if (facts) this.set(read(facts))
        else this.reset()
      },
    })
  databaseGauge('dawri_billing_due', `Automatic charges due now that no worker has taken yet (counted up to ${BACKLOG_CAP}).`, (f) => f.billing.count)
  databaseGauge('dawri_billing_lag_seconds', 'How long the most overdue of those charges has been due; 0 when none is.', (f) =>
    secondsSince(f, f.billing.oldestSince),
  )
  databaseGauge('dawri_webhook_pending', `Webhook events neither delivered nor given up (counted up to ${BACKLOG_CAP}).`, (f) => f.webhooks.count)
  databaseGauge('dawri_webhook_oldest_pending_seconds', 'Age of the oldest pending webhook event; 0 when none is pending.', (f) =>
    secondsSince(f, f.webhooks.oldestSince),
  )

  let lastHeartbeat: number | null = null
  new Gauge({
    name: 'dawri_billing_heartbeat_timestamp_seconds',
    help: 'When this process\'s billing loop last completed a pass (Unix time); absent when it runs no billing loop.',
    registers,
    collect() {
      if (lastHeartbeat === null) this.reset()
      else this.set(lastHeartbeat / 1000)
    },
  })

  return {
    chargeOutcome(kind: ChargeKind, outcome: ChargeOutcome) {
      chargeCounters.get(kind)?.get(outcome)?.inc()
    },
    attemptLeaseExpired: () => leasesExpired.inc(),
    attemptRecovered: () => recovered.inc(),
    webhookDelivery(outcome) {
      deliveryCounters.get(outcome)?.inc()
    },
    billingHeartbeat() {
      lastHeartbeat = clock.now()
    },
    lastBillingHeartbeat: () => lastHeartbeat,
    httpRequest,
    async render() {
      return (await registry.metrics()) + (await processMetrics().metrics())
    },
  }
}
