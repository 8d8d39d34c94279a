import { AppError, validationError, type FieldError } from '../domain/errors.js'
import { FieldReader } from '../domain/field-reader.js'
import type { Merchant } from '../domain/merchant.js'
import { updateWebhookChaos } from '../store/webhook-settings.repository.js'
import {
  DEFAULT_CHAOS_DELAY_SECONDS,
  MAX_CHAOS_DELAY_SECONDS,
  parseChaos,
  serializeChaos,
  type WebhookChaos,
} from '../webhooks/chaos.js'
import type { Deps } from '../deps.js'

/** `Data` of WebhookChaos: the settings now in force. */
export interface WebhookChaosData {
  DropProbability: number
  DuplicateProbability: number
  DelayProbability: number
  MaxDelaySeconds: number
  ReorderProbability: number
  Enabled: boolean
}

function readProbability(reader: FieldReader, field: string): number {
  const value = reader.decimal(field)
  if (value === undefined) return 0
  const number = Number(value)
  if (!Number.isFinite(number) || number < 0 || number > 1) {
    reader.fail(field, `${field} must be a probability between 0 and 1`)
    return 0
  }
  return number
}

/**
 * POST /v2/sandbox/WebhookChaos (sandbox only): replaces the merchant's webhook chaos settings
 * (see webhooks/chaos.ts). Omitted probabilities are 0, so `{}` turns chaos off.
 */
export async function setWebhookChaos(deps: Deps, merchant: Merchant, body: unknown): Promise<WebhookChaosData> {
  if (deps.config.mode !== 'sandbox') throw new AppError('SANDBOX_ONLY', 'Webhook chaos exists only in sandbox mode')
  const errors: FieldError[] = []
  const reader = new FieldReader(body ?? {}, errors)
  const chaos: WebhookChaos = {
    dropProbability: readProbability(reader, 'DropProbability'),
    duplicateProbability: readProbability(reader, 'DuplicateProbability'),
    delayProbability: readProbability(reader, 'DelayProbability'),
    maxDelaySeconds:
      reader.integer('MaxDelaySeconds', { min: 0, max: MAX_CHAOS_DELAY_SECONDS }) ?? DEFAULT_CHAOS_DELAY_SECONDS,
    reorderProbability: readProbability(reader, 'ReorderProbability'),
  }
  if (errors.length > 0) throw validationError(errors)
  const text = serializeChaos(chaos)
  await updateWebhookChaos(deps.store.db, merchant.id, text)
  return chaosData(parseChaos(text), chaos.maxDelaySeconds)
}

function chaosData(chaos: WebhookChaos | null, maxDelaySeconds: number): WebhookChaosData {
  return {
    DropProbability: chaos?.dropProbability ?? 0,
    DuplicateProbability: chaos?.duplicateProbability ?? 0,
    DelayProbability: chaos?.delayProbability ?? 0,
    MaxDelaySeconds: chaos?.maxDelaySeconds ?? maxDelaySeconds,
    ReorderProbability: chaos?.reorderProbability ?? 0,
    Enabled: chaos !== null,
  }
}
