import { Counter, type Histogram, type Registry } from 'prom-client'

/**
 * The two HTTP metrics, counted on every request without prom-client's per-observation work
 * (a label object, a label hash string and validation each time: about 30 times the cost of
 * this). Each request adds to plain numbers kept per route; the samples are built only when
 * /metrics is scraped.
 */

/** HTTP latency buckets, in seconds: most API calls answer in a few milliseconds. */
export const HTTP_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

const DURATION = 'dawri_http_request_duration_seconds'

interface RouteStats {
  /** Requests per bucket (not cumulative); the last slot holds those above every bound. */
  readonly buckets: Float64Array
  sum: number
  count: number
  /** Requests per status code. */
  readonly statuses: Map<number, number>
}

/** A prom-client sample as the registry prints it. */
interface Sample {
  readonly metricName: string
  readonly labels: Record<string, string | number>
  readonly value: number
}

/** Registers the HTTP metrics in `registry`; returns the per-request recorder. */
export function registerHttpMetrics(registry: Registry): (route: string, status: number, seconds: number) => void {
  const routes = new Map<string, RouteStats>()

  new Counter({
    name: 'dawri_http_requests_total',
    help: 'HTTP requests answered, by route pattern (unmatched: no route) and status code.',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
    collect() {
      this.reset()
      for (const [route, stats] of routes) for (const [status, count] of stats.statuses) this.inc({ route, status: String(status) }, count)
    },
  })

  // The histogram's samples are computed here; the registry only asks for name, help, type and values.
  const duration = {
    name: DURATION,
    help: 'Time from receiving a request to finishing its response, by route pattern.',
    type: 'histogram' as const,
    aggregator: 'sum' as const,
    reset: () => routes.clear(),
    get: async () => {
      const values: Sample[] = []
      for (const [route, stats] of routes) {
        let cumulative = 0
        HTTP_BUCKETS.forEach((le, index) => {
          cumulative += stats.buckets[index] ?? 0
          values.push({ metricName: `${DURATION}_bucket`, labels: { le, route }, value: cumulative })
        })
        values.push({ metricName: `${DURATION}_bucket`, labels: { le: '+Inf', route }, value: stats.count })
        values.push({ metricName: `${DURATION}_sum`, labels: { route }, value: stats.sum })
        values.push({ metricName: `${DURATION}_count`, labels: { route }, value: stats.count })
      }
      return { name: DURATION, help: duration.help, type: duration.type, values, aggregator: duration.aggregator }
    },
  }
  registry.registerMetric(duration as unknown as Histogram)

  return (route, status, seconds) => {
    let stats = routes.get(route)
    if (!stats) {
      stats = { buckets: new Float64Array(HTTP_BUCKETS.length + 1), sum: 0, count: 0, statuses: new Map() }
      routes.set(route, stats)
    }
    let index = 0
    while (index < HTTP_BUCKETS.length && seconds > (HTTP_BUCKETS[index] as number)) index++
    stats.buckets[index] = (stats.buckets[index] ?? 0) + 1
    stats.sum += seconds
    stats.count++
    stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1)
  }
}
