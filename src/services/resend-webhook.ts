import { AppError, validationError, type FieldError } from '../domain/errors.js'
import { FieldReader } from '../domain/field-reader.js'
import { merchantNow, type Merchant } from '../domain/merchant.js'
import { fillOutboxTargetUrl, findOutboxEvent, findOutboxEventByNumber } from '../store/outbox.repository.js'
import { findWebhookSettings } from '../store/webhook-settings.repository.js'
import { defaultTransport, deliverClaimedEvent } from '../webhooks/deliver-event.js'
import { parseWebhookReference, webhookReferenceOf } from '../webhooks/outbox.js'
import type { ClaimedEvent } from '../webhooks/queue.js'
import { parseChaos } from '../webhooks/chaos.js'
import type { Deps } from '../deps.js'
import { loadAttempts, webhookLogItem, type WebhookLogItem } from './get-webhooks.js'

const NOT_FOUND_MESSAGE = 'No webhook event matches this Reference'

/**
 * POST /v2/ResendWebhook `{ "Reference": "WH-…" }` (beyond MyFatoorah): delivers one event now,
 * the merchant's own event of that number (another merchant's `WH-<n>` is never reached),
 * whatever its status, with the same body and Reference, and returns it as GetWebhooks lists
 * it. Success settles a waiting, failed or skipped event as Succeeded; a failure reschedules
 * only an event that was still being retried. An event written without a URL (Skipped) is sent
 * to the merchant's current webhook URL. Ordering is not applied: the merchant asked for it.
 */
export async function resendWebhook(deps: Deps, merchant: Merchant, body: unknown): Promise<WebhookLogItem> {
  const errors: FieldError[] = []
  const reader = new FieldReader(body ?? {}, errors)
  const reference = reader.string('Reference', { required: true, max: 40 })
  if (errors.length > 0 || reference === undefined) throw validationError(errors)
  const notFound = () =>
    new AppError('NOT_FOUND', NOT_FOUND_MESSAGE, { fieldErrors: [{ Name: reader.nameOf('Reference'), Error: NOT_FOUND_MESSAGE }] })
  const referenceNumber = parseWebhookReference(reference)
  if (referenceNumber === undefined) throw notFound()
  const db = deps.store.db
  const row = await findOutboxEventByNumber(db, merchant.id, referenceNumber)
  if (!row) throw notFound()
  const id = row.id
  const settings = await findWebhookSettings(db, merchant.id)
  if (!settings) throw new AppError('INTERNAL', `Merchant ${merchant.id} does not exist`)
  const targetUrl = row.target_url ?? settings.url
  if (targetUrl === null) {
    throw validationError([{ Name: reader.nameOf('Reference'), Error: 'No webhook URL is configured; set one before resending' }])
  }
  if (row.target_url === null) await fillOutboxTargetUrl(db, id, targetUrl)

  const event: ClaimedEvent = {
    id: row.id,
    reference: webhookReferenceOf(row),
    merchantId: merchant.id,
    eventCode: row.event_code,
    entityKey: row.entity_key,
    body: row.body,
    version: row.webhook_version,
    targetUrl,
    status: row.status,
    attemptCount: row.attempt_count,
    firstAttemptAt: row.first_attempt_at,
    merchant: { secret: merchant.webhookSecret, clockOffsetMs: merchant.clockOffsetMs, chaos: parseChaos(settings.chaos) },
  }
  await deliverClaimedEvent(deps, event, {
    transport: defaultTransport(deps),
    random: Math.random,
    merchantNow: () => merchantNow(deps.clock.now(), merchant),
    resend: true,
  })
  const updated = await findOutboxEvent(db, merchant.id, id)
  if (!updated) throw notFound()
  const attempts = await loadAttempts(deps, [id])
  return webhookLogItem(updated, attempts.get(id) ?? [], merchant, deps.ids)
}
