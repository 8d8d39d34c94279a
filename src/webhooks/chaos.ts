/**
 * Sandbox webhook chaos: per merchant, deliveries are made to misbehave the way networks and
 * queues do in production, so integrators can rehearse it. Pure decisions; the caller passes
 * the random source (`Math.random` in the server, fixed values in tests). Never applied outside
 * sandbox mode.
 *
 * - drop: an attempt is not sent at all; it is logged as a failed attempt ("dropped") and
 *   retried on the normal schedule, as a request lost in transit would be.
 * - duplicate: an attempt is sent twice in a row, same body, same Reference.
 * - delay: the event's first attempt is held back by a random 0..MaxDelaySeconds (merchant
 *   time, so the sandbox clock moves it too). Later events of the same object still wait for it.
 * - reorder: the event is held back by a random 1..max(MaxDelaySeconds, 5) seconds and does not
 *   block later events of the same object, so the next one may arrive first.
 * delay and reorder are decided when the event is written; drop and duplicate at each attempt.
 */

/** A merchant's chaos settings; probabilities are 0..1. */
export interface WebhookChaos {
  readonly dropProbability: number
  readonly duplicateProbability: number
  readonly delayProbability: number
  readonly maxDelaySeconds: number
  readonly reorderProbability: number
}

/** Largest MaxDelaySeconds accepted: one day. */
export const MAX_CHAOS_DELAY_SECONDS = 86_400

/** MaxDelaySeconds when not given. */
export const DEFAULT_CHAOS_DELAY_SECONDS = 30

/** The hold-back of a reordered event is at least this long, so that it can be overtaken. */
const MIN_REORDER_SECONDS = 5

/** Settings that change nothing. */
export const NO_CHAOS: WebhookChaos = {
  dropProbability: 0,
  duplicateProbability: 0,
  delayProbability: 0,
  maxDelaySeconds: DEFAULT_CHAOS_DELAY_SECONDS,
  reorderProbability: 0,
}

/** True when the settings can change a delivery. */
export function isChaosActive(chaos: WebhookChaos): boolean {
  return chaos.dropProbability > 0 || chaos.duplicateProbability > 0 || chaos.delayProbability > 0 || chaos.reorderProbability > 0
}

/** Reads `merchants.webhook_chaos`; null (or unreadable text) means no chaos. */
export function parseChaos(text: string | null): WebhookChaos | null {
  if (text === null || text === '') return null
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof raw !== 'object' || raw === null) return null
  const record = raw as Record<string, unknown>
  const probability = (key: keyof WebhookChaos) => {
    const value = record[key]
    return typeof value === 'number' && value >= 0 && value <= 1 ? value : 0
  }
  const delay = record['maxDelaySeconds']
  const chaos: WebhookChaos = {
    dropProbability: probability('dropProbability'),
    duplicateProbability: probability('duplicateProbability'),
    delayProbability: probability('delayProbability'),
    maxDelaySeconds:
      typeof delay === 'number' && Number.isInteger(delay) && delay >= 0 && delay <= MAX_CHAOS_DELAY_SECONDS
        ? delay
        : DEFAULT_CHAOS_DELAY_SECONDS,
    reorderProbability: probability('reorderProbability'),
  }
  return isChaosActive(chaos) ? chaos : null
}

/** Text stored in `merchants.webhook_chaos`; null when nothing is active. */
export function serializeChaos(chaos: WebhookChaos): string | null {
  return isChaosActive(chaos) ? JSON.stringify(chaos) : null
}

/** What chaos does to an event when it is written. */
export interface EnqueueChaos {
  /** Added to the first attempt's due time, ms. */
  readonly holdBackMs: number
  /** False when later events of the same object may overtake this one. */
  readonly ordered: boolean
}

/** Decides delay and reorder for a new event. `random` returns values in [0, 1). */
export function decideEnqueueChaos(chaos: WebhookChaos | null, random: () => number): EnqueueChaos {
  if (!chaos) return { holdBackMs: 0, ordered: true }
  let holdBackMs = 0
  if (chaos.delayProbability > 0 && random() < chaos.delayProbability) {
    holdBackMs = Math.round(random() * chaos.maxDelaySeconds * 1000)
  }
  let ordered = true
  if (chaos.reorderProbability > 0 && random() < chaos.reorderProbability) {
    ordered = false
    const longest = Math.max(chaos.maxDelaySeconds, MIN_REORDER_SECONDS) * 1000
    holdBackMs = Math.max(holdBackMs, 1000 + Math.round(random() * (longest - 1000)))
  }
  return { holdBackMs, ordered }
}

/** What chaos does to one delivery attempt. */
export interface SendChaos {
  readonly drop: boolean
  readonly duplicate: boolean
}

/** Decides drop and duplicate for one attempt. `random` returns values in [0, 1). */
export function decideSendChaos(chaos: WebhookChaos | null, random: () => number): SendChaos {
  if (!chaos) return { drop: false, duplicate: false }
  const drop = chaos.dropProbability > 0 && random() < chaos.dropProbability
  const duplicate = !drop && chaos.duplicateProbability > 0 && random() < chaos.duplicateProbability
  return { drop, duplicate }
}
