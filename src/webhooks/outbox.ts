import type { Generated, Kysely } from 'kysely'

import { getCountry, isCountryCode } from '../domain/countries.js'
import { AppError } from '../domain/errors.js'
import type { Deps } from '../services/deps.js'
import type { Database, OutboxEventTable } from '../store/database.js'
import type { Executor } from '../store/invoice.repository.js'
import type { MerchantRow } from '../store/merchant.repository.js'
import { decideEnqueueChaos, parseChaos } from './chaos.js'
import {
  buildV1RecurringEvent,
  buildV1TransactionEvent,
  buildV2PaymentStatusEvent,
  buildV2RecurringEvent,
  type WebhookBody,
  type WebhookContext,
  type WebhookVersion,
} from './envelopes.js'
import { loadPaymentSource, loadRecurringSource } from './event-facts.js'

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

/** Columns added by migration 0003 (store/migrations/0003-webhooks.ts). */
export interface OutboxWebhookColumns {
  /** Internal invoice the event is about (the deduction invoice for recurring events). */
  invoice_id: number | null
  customer_reference: string | null
  /** 0 when sandbox chaos lets later events of the same object overtake this one. */
  ordered: Generated<number>
  /** Merchant time of the first delivery attempt; the retry window counts from it. */
  first_attempt_at: number | null
}

/** The schema with the outbox columns of migration 0003. */
export interface WebhookDatabase extends Omit<Database, 'outbox_events'> {
  outbox_events: OutboxEventTable & OutboxWebhookColumns
}

/** Views a database handle or transaction with the outbox columns of migration 0003. */
export function webhookDb(db: Executor): Kysely<WebhookDatabase> {
  // Transaction<DB> extends Kysely<DB>; the row types differ only by the added columns.
  return db as unknown as Kysely<WebhookDatabase>
}

/** Outbox statuses (`outbox_events.status`). */
export const OUTBOX_STATUSES = ['pending', 'delivered', 'failed', 'skipped'] as const

/** One of {@link OUTBOX_STATUSES}. */
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number]

/** Event codes dawri writes: 1 payment status changed, 5 recurring updates (reference §7.4). */
export const OUTBOX_EVENT_CODES = [1, 5] as const

/** `WH-<n>`, the unique reference of outbox event n (v2 `Event.Reference`). */
export function webhookReference(eventId: number): string {
  return `WH-${eventId}`
}

/** The outbox id of a `WH-<n>` reference (case-insensitive), or undefined. */
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
  const { facts, invoice, merchant } = await loadPaymentSource(trx, deps.ids, transactionId)
  await insertEvent(trx, deps, {
    merchant,
    eventCode: 1,
    entityKey: `invoice:${invoice.id}`,
    invoiceId: invoice.id,
    customerReference: invoice.customer_reference,
    targetUrl: invoice.webhook_url ?? merchant.webhook_url,
    now,
    render: (version, ctx) =>
      version === 'v1' ? buildV1TransactionEvent(facts, ctx) : buildV2PaymentStatusEvent(facts, ctx),
  })
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
  const source = await loadRecurringSource(trx, deps.ids, deps.config.chargeHour, recurrenceId, transactionId)
  const invoice = source.paymentInvoice ?? source.initialInvoice
  await insertEvent(trx, deps, {
    merchant: source.merchant,
    eventCode: 5,
    entityKey: `recurrence:${recurrenceId}`,
    invoiceId: invoice.id,
    customerReference: invoice.customer_reference,
    targetUrl: source.initialInvoice.webhook_url ?? source.merchant.webhook_url,
    now,
    render: (version, ctx) =>
      version === 'v1' ? buildV1RecurringEvent(source.facts, ctx) : buildV2RecurringEvent(source.facts, ctx),
  })
}

interface NewEvent {
  readonly merchant: MerchantRow
  readonly eventCode: (typeof OUTBOX_EVENT_CODES)[number]
  readonly entityKey: string
  readonly invoiceId: number
  readonly customerReference: string | null
  readonly targetUrl: string | null
  readonly now: number
  readonly render: (version: WebhookVersion, ctx: WebhookContext) => WebhookBody
}

async function insertEvent(trx: Executor, deps: Deps, event: NewEvent): Promise<void> {
  const { merchant, now } = event
  if (!isCountryCode(merchant.country)) throw new AppError('INTERNAL', `Merchant ${merchant.id} has an unknown country`)
  const version: WebhookVersion = merchant.webhook_version === 'v1' ? 'v1' : 'v2'
  const chaos = deps.config.mode === 'sandbox' ? parseChaos(merchant.webhook_chaos) : null
  const { holdBackMs, ordered } = decideEnqueueChaos(chaos, Math.random)
  const db = webhookDb(trx)
  const { id } = await db
    .insertInto('outbox_events')
    .values({
      merchant_id: merchant.id,
      event_code: event.eventCode,
      entity_key: event.entityKey,
      // The body carries its own reference (v2 Event.Reference), known once the row exists.
      body: '',
      webhook_version: version,
      target_url: event.targetUrl,
      status: event.targetUrl === null ? 'skipped' : 'pending',
      attempt_count: 0,
      next_attempt_at: now + holdBackMs,
      lease_until: null,
      created_at: now,
      delivered_at: null,
      invoice_id: event.invoiceId,
      customer_reference: event.customerReference,
      ordered: ordered ? 1 : 0,
      first_attempt_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const ctx: WebhookContext = {
    countryIsoCode: merchant.country,
    timeZone: getCountry(merchant.country).timeZone,
    createdAt: now,
    reference: webhookReference(id),
  }
  await db
    .updateTable('outbox_events')
    .set({ body: JSON.stringify(event.render(version, ctx)) })
    .where('id', '=', id)
    .execute()
}
