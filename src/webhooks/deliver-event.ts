import type { Deps } from '../deps.js'
import { decideSendChaos } from './chaos.js'
import { createHttpTransport, type WebhookTransport } from './deliver.js'
import type { OutboxStatus } from './outbox.js'
import {
  isDelivered,
  recordAttempts,
  recordDeliveries,
  type AttemptRecord,
  type ClaimedEvent,
  type DeliveryRecord,
} from './queue.js'
import { signatureStringForBody, signWebhook, SIGNATURE_HEADER, VERSION_HEADER } from './signature.js'

/**
 * One delivery of one leased event: headers and signature, sandbox chaos, the HTTP attempt(s)
 * and recording the outcome. Shared by the background dispatcher, the sandbox clock's
 * deliverDueWebhooks and ResendWebhook.
 */

/** Header naming the event (`WH-<n>`, per account), so receivers can drop duplicates; v1 bodies carry no Reference. */
export const REFERENCE_HEADER = 'Dawri-Webhook-Reference'

let sharedTransports: Partial<Record<'sandbox' | 'production', WebhookTransport>> = {}

/** The process-wide HTTP transport of a mode (one keep-alive pool per process). */
export function defaultTransport(deps: Pick<Deps, 'config'>): WebhookTransport {
  const mode = deps.config.mode
  const existing = sharedTransports[mode]
  if (existing) return existing
  const created = createHttpTransport({ production: mode === 'production' })
  sharedTransports = { ...sharedTransports, [mode]: created }
  return created
}

/** A lease covers the send (bounded by the timeout, twice for a chaos duplicate) and recording. */
export function leaseMsOf(deps: Pick<Deps, 'config'>): number {
  return deps.config.webhookTimeoutMs * 2 + 5_000
}

/** Headers of one delivery; the signature uses the merchant's current secret. */
export function deliveryHeaders(event: Pick<ClaimedEvent, 'version' | 'body' | 'reference'>, secret: string): Record<string, string> {
  const signature = signWebhook(signatureStringForBody(event.version, JSON.parse(event.body) as unknown), secret)
  return {
    'Content-Type': 'application/json',
    [SIGNATURE_HEADER]: signature,
    [VERSION_HEADER]: event.version,
    [REFERENCE_HEADER]: event.reference,
    'User-Agent': 'dawri-webhooks',
  }
}

/** Options for {@link deliverClaimedEvent}. */
export interface DeliverEventOptions {
  readonly transport: WebhookTransport
  readonly random: () => number
  /** Merchant time of an attempt starting now. */
  readonly merchantNow: () => number
  /** Explicit resend (see recordAttempts). */
  readonly resend?: boolean
  /** How the outcome is stored. Default: its own transaction (see {@link createBatchRecorder}). */
  readonly record?: (delivery: DeliveryRecord) => Promise<OutboxStatus>
}

/**
 * Sends one leased event (applying sandbox chaos), records the attempts and settles it.
 * Returns the event's new status and whether any attempt was acknowledged.
 */
export async function deliverClaimedEvent(
  deps: Deps,
  event: ClaimedEvent,
  options: DeliverEventOptions,
): Promise<{ status: OutboxStatus; delivered: boolean; reachable: boolean }> {
  const chaos = deps.config.mode === 'sandbox' ? event.merchant.chaos : null
  const decision = decideSendChaos(chaos, options.random)
  const attempts: AttemptRecord[] = []
  if (event.targetUrl === null) {
    attempts.push(failedAttempt(options.merchantNow(), 'No webhook URL is configured for this event'))
  } else if (decision.drop) {
    attempts.push(failedAttempt(options.merchantNow(), 'Dropped by sandbox webhook chaos (not sent)'))
  } else {
    const headers = deliveryHeaders(event, event.merchant.secret)
    for (let copy = 0; copy < (decision.duplicate ? 2 : 1); copy++) {
      const attemptedAt = options.merchantNow()
      const response = await options.transport({
        url: event.targetUrl,
        headers,
        body: event.body,
        timeoutMs: deps.config.webhookTimeoutMs,
      })
      attempts.push({ attemptedAt, ...response })
    }
  }
  const status = options.record
    ? await options.record({ event, attempts })
    : await recordAttempts(deps.store.db, event, attempts, {
        retryWindowMs: deps.config.webhookRetryWindowMs,
        random: options.random,
        resend: options.resend ?? false,
      })
  const delivered = attempts.some(isDelivered)
  reportDelivery(deps, event, attempts, status, delivered)
  return {
    status,
    delivered,
    reachable: attempts.some((a) => a.statusCode !== null && a.statusCode < 500),
  }
}

/**
 * `dawri_webhook_deliveries_total{outcome}` and one line per delivery: `info` when acknowledged,
 * `warn` when not. The URL, body, signature and response are never logged (GetWebhooks and the
 * console show them to the merchant).
 */
function reportDelivery(deps: Deps, event: ClaimedEvent, attempts: readonly AttemptRecord[], status: OutboxStatus, delivered: boolean): void {
  const outcome = delivered ? 'delivered' : status === 'failed' ? 'failed' : 'retrying'
  deps.telemetry.webhookDelivery(outcome)
  const last = attempts[attempts.length - 1]
  const line = {
    event: event.reference,
    merchantId: event.merchantId,
    eventCode: event.eventCode,
    outcome,
    attempt: event.attemptCount + attempts.length,
    httpStatus: last?.statusCode ?? null,
    ms: last?.durationMs ?? 0,
    ...(delivered || !last?.error ? {} : { error: last.error }),
  }
  if (delivered) deps.logger.info(line, 'webhook delivered')
  else deps.logger.warn(line, outcome === 'failed' ? 'webhook delivery failed; retries exhausted' : 'webhook delivery failed; will retry')
}

function failedAttempt(attemptedAt: number, error: string): AttemptRecord {
  return { attemptedAt, statusCode: null, responseText: null, durationMs: 0, error }
}

/**
 * Group commit: outcomes that finish while a recording transaction is running are stored
 * together by the next one, so a busy dispatcher commits once per batch, not once per event.
 */
export function createBatchRecorder(deps: Deps, random: () => number): (delivery: DeliveryRecord) => Promise<OutboxStatus> {
  interface Waiting {
    readonly delivery: DeliveryRecord
    readonly resolve: (status: OutboxStatus) => void
    readonly reject: (error: unknown) => void
  }
  const waiting: Waiting[] = []
  let flushing = false
  const flush = async () => {
    flushing = true
    while (waiting.length > 0) {
      const batch = waiting.splice(0, 256)
      try {
        const statuses = await recordDeliveries(
          deps.store.db,
          batch.map((item) => item.delivery),
          { retryWindowMs: deps.config.webhookRetryWindowMs, random },
        )
        batch.forEach((item, index) => item.resolve(statuses[index] ?? 'failed'))
      } catch (error) {
        for (const item of batch) item.reject(error)
      }
    }
    flushing = false
  }
  return (delivery) =>
    new Promise<OutboxStatus>((resolve, reject) => {
      waiting.push({ delivery, resolve, reject })
      if (!flushing) void flush()
    })
}

