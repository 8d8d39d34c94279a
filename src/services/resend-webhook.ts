import { AppError, validationError, type FieldError } from '../domain/errors.js'
import { FieldReader } from '../domain/field-reader.js'
import { merchantNow, type Merchant } from '../domain/merchant.js'
import { defaultTransport, deliverClaimedEvent } from '../webhooks/deliver-event.js'
import { parseWebhookReference, webhookDb, webhookReference } from '../webhooks/outbox.js'
import type { ClaimedEvent } from '../webhooks/queue.js'
import { parseChaos } from '../webhooks/chaos.js'
import type { Deps } from '../deps.js'
import { loadAttempts, webhookLogItem, type WebhookLogItem } from './get-webhooks.js'

const NOT_FOUND_MESSAGE = 'No webhook event matches this Reference'

/**
 * POST /v2/ResendWebhook `{ "Reference": "WH-…" }` (beyond MyFatoorah): delivers one event now,
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
  const id = parseWebhookReference(reference)
  if (id === undefined) throw notFound()
  const db = webhookDb(deps.store.db)
  const row = await db.selectFrom('outbox_events').selectAll().where('id', '=', id).where('merchant_id', '=', merchant.id).executeTakeFirst()
  if (!row) throw notFound()
  const merchantRow = await db.selectFrom('merchants').select(['webhook_chaos', 'webhook_url']).where('id', '=', merchant.id).executeTakeFirstOrThrow()
  const targetUrl = row.target_url ?? merchantRow.webhook_url
  if (targetUrl === null) {
    throw validationError([{ Name: reader.nameOf('Reference'), Error: 'No webhook URL is configured; set one before resending' }])
  }
  if (row.target_url === null) await db.updateTable('outbox_events').set({ target_url: targetUrl }).where('id', '=', id).execute()

  const event: ClaimedEvent = {
    id: row.id,
    reference: webhookReference(row.id),
    merchantId: merchant.id,
    eventCode: row.event_code,
    entityKey: row.entity_key,
    body: row.body,
    version: row.webhook_version === 'v1' ? 'v1' : 'v2',
    targetUrl,
    status: row.status === 'delivered' || row.status === 'failed' || row.status === 'skipped' ? row.status : 'pending',
    attemptCount: row.attempt_count,
    firstAttemptAt: row.first_attempt_at,
    merchant: { secret: merchant.webhookSecret, clockOffsetMs: merchant.clockOffsetMs, chaos: parseChaos(merchantRow.webhook_chaos) },
  }
  await deliverClaimedEvent(deps, event, {
    transport: defaultTransport(deps),
    random: Math.random,
    merchantNow: () => merchantNow(deps.clock.now(), merchant),
    resend: true,
  })
  const updated = await db.selectFrom('outbox_events').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const attempts = await loadAttempts(deps, [id])
  return webhookLogItem(updated, attempts.get(id) ?? [], merchant, deps.ids)
}
