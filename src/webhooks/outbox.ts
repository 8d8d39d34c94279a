import { getCountry, isCountryCode } from '../domain/countries.js'
import { AppError } from '../domain/errors.js'
import type { Deps } from '../deps.js'
import type { Executor, OutboxStatus } from '../store/database.js'
import { insertOutboxEvents, setOutboxBodies, type NewOutboxEvent } from '../store/outbox.repository.js'
import { decideEnqueueChaos, parseChaos } from './chaos.js'
import {
  buildV1RecurringEvent,
  buildV1RefundEvent,
  buildV1TransactionEvent,
  buildV2PaymentStatusEvent,
  buildV2RecurringEvent,
  buildV2RefundEvent,
} from './envelopes.js'
import type { WebhookContext } from './webhook-facts.js'
import type { WebhookBody } from './wire-shapes.js'
import { loadEventSources, type EventSource, type EventSubject } from './event-facts.js'

/**
 * The transactional outbox: events are written by the caller's transaction, so a state change
 * and the event announcing it commit (or roll back) together. The body is rendered once, at
 * write time, in the merchant's webhook version of that moment; retries and resends send the
 * very same bytes, with the same `Reference`.
 *
 * Events are written even when neither the invoice nor the merchant has a webhook URL: they are
 * stored as `skipped` (listed by GetWebhooks as `Skipped`, never sent automatically) so the
 * merchant can see what would have been sent, and ResendWebhook can send one once a URL exists.
 *
 * All times here (`now`, `next_attempt_at`, `created_at`) are merchant time: real time plus the
 * merchant's sandbox clock offset (zero in production). Only `lease_until` is real time,
 * because it protects against crashed processes, which live in real time.
 */

/** Delivery states of an outbox event (the store's column type). */
export type { OutboxStatus }

/** Outbox statuses (`outbox_events.status`). */
export const OUTBOX_STATUSES = ['pending', 'delivered', 'failed', 'skipped'] as const satisfies readonly OutboxStatus[]

/** Event codes dawri writes: 1 payment status changed, 2 refund status changed, 5 recurring updates (reference §7.4). */
export const OUTBOX_EVENT_CODES = [1, 2, 5] as const

/**
 * `WH-<n>`, the reference of a merchant's event number n (v2 `Event.Reference`): n counts that
 * merchant's own events (migration 0012), so the same reference names one event per merchant and
 * is looked up with the merchant.
 */
export function webhookReference(referenceNumber: number): string {
  return `WH-${referenceNumber}`
}

/** The reference of an outbox row (see {@link webhookReference}). */
export function webhookReferenceOf(row: { readonly id: number; readonly reference_number: number | null }): string {
  return webhookReference(row.reference_number ?? row.id)
}

/** The merchant's event number of a `WH-<n>` reference (case-insensitive), or undefined. */
export function parseWebhookReference(reference: string): number | undefined {
  const match = /^\s*WH-(\d{1,15})\s*$/i.exec(reference)
  return match?.[1] === undefined ? undefined : Number(match[1])
}

/** Options for {@link enqueuePaymentStatusChanged}. */
export interface EnqueuePaymentStatusChangedOptions {
  /** Internal transaction id whose outcome was just recorded. */
  readonly transactionId: number
  /** Merchant time (sandbox clock), epoch ms. */
  readonly now: number
}

/** Options for {@link enqueueRefundStatusChanged}. */
export interface EnqueueRefundStatusChangedOptions {
  /** Internal id of the refund whose final status was just recorded. */
  readonly refundId: number
  /** Merchant time (sandbox clock), epoch ms. */
  readonly now: number
}

/**
 * Writes a REFUND_STATUS_CHANGED (v1 RefundStatusChanged) event about a refund that became
 * Refunded or Canceled, inside the caller's transaction. Target: the refunded invoice's
 * `WebhookUrl`, else the merchant's; delivered in order with that invoice's payment events.
 */
export async function enqueueRefundStatusChanged(trx: Executor, deps: Deps, { refundId, now }: EnqueueRefundStatusChangedOptions): Promise<void> {
  await enqueueEvents(trx, deps, [{ kind: 'refund', refundId }], now)
}

/** Options for {@link enqueueRecurringUpdate}. */
export interface EnqueueRecurringUpdateOptions {
  readonly recurrenceId: number
  /** Latest deduction attempt's transaction, or null when there is none. */
  readonly transactionId: number | null
  /** Merchant time (sandbox clock), epoch ms. */
  readonly now: number
}

/**
 * Writes a PAYMENT_STATUS_CHANGED (v1 TransactionsStatusChanged) event about one transaction
 * inside the caller's transaction. Target: the invoice's `WebhookUrl`, else the merchant's.
 * Events of one invoice are delivered in the order they are written.
 */
export async function enqueuePaymentStatusChanged(
  trx: Executor,
  deps: Deps,
  { transactionId, now }: EnqueuePaymentStatusChangedOptions,
): Promise<void> {
  await enqueueEvents(trx, deps, [{ kind: 'payment', transactionId }], now)
}

/**
 * Writes a RECURRING_UPDATES (v1 RecurringStatusChanged) event about a recurrence and its
 * latest deduction attempt inside the caller's transaction. Target: the initial invoice's
 * `WebhookUrl`, else the merchant's. Events of one recurrence are delivered in write order.
 */
export async function enqueueRecurringUpdate(
  trx: Executor,
  deps: Deps,
  { recurrenceId, transactionId, now }: EnqueueRecurringUpdateOptions,
): Promise<void> {
  await enqueueEvents(trx, deps, [{ kind: 'recurring', recurrenceId, transactionId }], now)
}

/**
 * Writes one event per subject, in order, inside the caller's transaction: the batch form of
 * {@link enqueuePaymentStatusChanged} and {@link enqueueRecurringUpdate}, with the same targets
 * and bodies. Whatever the number of events, it costs one query per source table, one insert
 * and one update, which is what lets the billing engine record thousands of charges a second.
 */
export async function enqueueEvents(
  trx: Executor,
  deps: Deps,
  subjects: readonly EventSubject[],
  now: number,
): Promise<void> {
  if (subjects.length === 0) return
  const sources = await loadEventSources(trx, deps.ids, deps.config.chargeHour, subjects, now)
  const events = sources.map((source) => newEvent(deps, source, now))
  // The body carries its own reference (v2 Event.Reference), the merchant's number the database
  // draws on insert, so rows go in first and get their body next: one insert (and on SQLite one
  // read of the numbers) and one update per 500 events.
  const inserted = await insertOutboxEvents(trx, events.map((event) => event.row))
  await setOutboxBodies(
    trx,
    inserted.map(({ id, referenceNumber }, index) => {
      const event = events[index]
      if (!event) throw new AppError('INTERNAL', `Outbox row ${id} has no event`)
      return { id, body: JSON.stringify(event.render(webhookReference(referenceNumber))) }
    }),
  )
}

/** An outbox row ready to insert, and how to render its body once its reference is known. */
interface NewEvent {
  readonly row: NewOutboxEvent
  readonly render: (reference: string) => WebhookBody
}

function newEvent(deps: Deps, { kind, source }: EventSource, now: number): NewEvent {
  const merchant = source.merchant
  const country = merchant.country
  if (!isCountryCode(country)) throw new AppError('INTERNAL', `Merchant ${merchant.id} has an unknown country`)
  const timeZone = getCountry(country).timeZone
  const version = merchant.webhook_version
  const chaos = deps.config.mode === 'sandbox' ? parseChaos(merchant.webhook_chaos) : null
  const { holdBackMs, ordered } = decideEnqueueChaos(chaos, Math.random)
  const context = (reference: string): WebhookContext => ({ countryIsoCode: country, timeZone, createdAt: now, reference })
  const common = { merchant_id: merchant.id, webhook_version: version, attempt_count: 0, next_attempt_at: now + holdBackMs }
  const rest = { lease_until: null, created_at: now, delivered_at: null, ordered: ordered ? 1 : 0, first_attempt_at: null }
  // Payment and refund events of an invoice share its ordering key: a refund is never announced
  // before the payment it returns.
  const invoiceRow = (eventCode: number, invoice: { id: number; webhook_url: string | null; customer_reference: string | null }) => {
    const targetUrl = invoice.webhook_url ?? merchant.webhook_url
    return {
      ...common,
      ...rest,
      event_code: eventCode,
      entity_key: `invoice:${invoice.id}`,
      target_url: targetUrl,
      status: targetUrl === null ? ('skipped' as const) : ('pending' as const),
      invoice_id: invoice.id,
      customer_reference: invoice.customer_reference,
    }
  }
  if (kind === 'payment') {
    return {
      row: invoiceRow(1, source.invoice),
      render: (reference) =>
        version === 'v1'
          ? buildV1TransactionEvent(source.facts, context(reference))
          : buildV2PaymentStatusEvent(source.facts, context(reference)),
    }
  }
  if (kind === 'refund') {
    return {
      row: invoiceRow(2, source.invoice),
      render: (reference) =>
        version === 'v1' ? buildV1RefundEvent(source.facts, context(reference)) : buildV2RefundEvent(source.facts, context(reference)),
    }
  }
  const invoice = source.paymentInvoice ?? source.initialInvoice
  const targetUrl = source.initialInvoice.webhook_url ?? merchant.webhook_url
  return {
    row: {
      ...common,
      ...rest,
      event_code: 5,
      entity_key: `recurrence:${source.recurrence.id}`,
      target_url: targetUrl,
      status: targetUrl === null ? 'skipped' : 'pending',
      invoice_id: invoice.id,
      customer_reference: invoice.customer_reference,
    },
    render: (reference) =>
      version === 'v1'
        ? buildV1RecurringEvent(source.facts, context(reference))
        : buildV2RecurringEvent(source.facts, context(reference)),
  }
}
