import { createHash, randomUUID, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

import type { Deps } from '../deps.js'
import { pingDatabase } from '../store/metrics.repository.js'
import { pendingMigrations } from '../store/migrate.js'

/**
 * What operators watch (docs/operations.md): `/health`, `/ready`, `/metrics`, the request id and
 * the one log line per request. Every role serves these, the worker role nothing else.
 */

/** Header carrying the request id, taken from the client when sane, returned on every response. */
export const REQUEST_ID_HEADER = 'x-request-id'

/** The route label of requests no route matched (404s), so that scanners cannot grow the label set. */
export const UNMATCHED_ROUTE = 'unmatched'

/** A client's request id is kept when it is short and plain (no spaces, quotes or control characters). */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/

/** Routes probed every few seconds: their request lines go to `debug`, not `info`. */
const PROBE_ROUTES = new Set(['/health', '/ready', '/metrics'])

/** Prometheus text exposition format. */
const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

/** The id of a request: the client's `X-Request-Id` when sane, else a new UUID (Fastify's `genReqId`). */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER]
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID()
}

/**
 * Returns the request id on every response and, once it is sent, counts the request in
 * `dawri_http_requests_total` / `dawri_http_request_duration_seconds` and logs one line: request
 * id (`reqId`), method, route pattern, status and milliseconds. Never the URL: its query or path
 * may carry identifiers a log does not need.
 */
export function installRequestTelemetry(app: FastifyInstance, deps: Pick<Deps, 'telemetry'>): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id)
    done()
  })
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE
    const status = reply.statusCode
    const ms = reply.elapsedTime
    deps.telemetry.httpRequest(route, status, ms / 1000)
    const line = { method: request.method, route, status, ms: Math.round(ms * 10) / 10 }
    if (PROBE_ROUTES.has(route)) request.log.debug(line, 'request')
    else request.log.info(line, 'request')
    done()
  })
}

/** Options for {@link registerOperationsRoutes}. */
export interface OperationsOptions {
  /** This process runs the billing loop: /ready also needs its recent heartbeat. */
  readonly billingHeartbeat: boolean
}

/** How old the billing heartbeat may be before /ready fails: three poll intervals, at least a minute. */
export function billingHeartbeatLimitMs(config: Deps['config']): number {
  return Math.max(60_000, 3 * config.pollIntervalMs)
}

/** Why this process should not take traffic or work now, or null when it is ready. */
export async function readinessProblem(deps: Deps, options: OperationsOptions): Promise<string | null> {
  try {
    await pingDatabase(deps.store.db)
  } catch (error) {
    return `database unreachable: ${describeError(error)}`
  }
  try {
    const pending = await pendingMigrations(deps.store)
    if (pending.length > 0) return `database schema not current: ${pending.length} migration(s) not applied (${pending.join(', ')}); run dawri migrate`
  } catch (error) {
    return `migrations unreadable: ${describeError(error)}`
  }
  if (options.billingHeartbeat) {
    const last = deps.telemetry.lastBillingHeartbeat()
    if (last === null) return 'billing worker has not completed a pass yet'
    const ageMs = deps.clock.now() - last
    const limitMs = billingHeartbeatLimitMs(deps.config)
    if (ageMs > limitMs) return `billing heartbeat is ${Math.round(ageMs / 1000)} s old (limit ${limitMs / 1000} s)`
  }
  return null
}

function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.length > 200 ? `${message.slice(0, 200)}…` : message
}

/** `/health` (the process answers), `/ready` (it can work) and `/metrics` (Prometheus). */
export function registerOperationsRoutes(app: FastifyInstance, deps: Deps, options: OperationsOptions): void {
  const hidden = { schema: { hide: true } }
  app.get('/health', hidden, async () => ({ status: 'ok' }))
  app.get('/ready', hidden, async (_request, reply) => {
    const problem = await readinessProblem(deps, options)
    if (problem !== null) return reply.code(503).send({ status: 'not ready', reason: problem })
    return { status: 'ready' }
  })
  const expected = deps.config.metricsToken === undefined ? undefined : digest(`Bearer ${deps.config.metricsToken}`)
  app.get('/metrics', hidden, async (request: FastifyRequest, reply: FastifyReply) => {
    if (expected !== undefined && !timingSafeEqual(digest(request.headers.authorization ?? ''), expected)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ status: 'unauthorized', reason: 'DAWRI_METRICS_TOKEN is set: send it as a Bearer token' })
    }
    const text = await deps.telemetry.render()
    return reply.type(METRICS_CONTENT_TYPE).send(text)
  })
}

/** Fixed-length digests, so comparing them takes the same time whatever the length of the guess. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}
