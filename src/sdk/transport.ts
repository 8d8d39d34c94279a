import { MyFatoorahConnectionError, MyFatoorahError } from './errors.js'
import type { Envelope, FieldError } from './types/common.js'

/** What every call can override. */
export interface CallOptions {
  /** Time allowed for one attempt (connect, send, whole answer), in ms. */
  readonly timeoutMs?: number
  /** Retries after a network error, a timeout or a 5xx. */
  readonly retries?: number
  /** `Idempotency-Key` of a POST; by default a new random key per call, kept across its retries. */
  readonly idempotencyKey?: string
  /** Cancels the call (and its retries). */
  readonly signal?: AbortSignal
}

/** The settings a transport runs with (resolved client options). */
export interface TransportSettings {
  readonly apiKey: string
  readonly baseUrl: string
  readonly timeoutMs: number
  readonly retries: number
  /** First back-off delay in ms; doubles per retry. */
  readonly retryDelayMs: number
  readonly fetch: typeof globalThis.fetch
}

/** One HTTP call of a route. */
export interface RouteCall {
  readonly method: 'GET' | 'POST'
  /** Path below the base URL, e.g. `/v2/ExecutePayment`. */
  readonly path: string
  readonly query?: Readonly<Record<string, string | number | undefined>>
  readonly body?: unknown
}

/** Longest wait between two attempts, whatever Retry-After says. */
const MAX_RETRY_DELAY_MS = 5_000

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

function isEnvelope(value: unknown): value is Envelope<unknown> {
  return isRecord(value) && typeof value['IsSuccess'] === 'boolean' && 'Data' in value
}

function fieldErrorsOf(envelope: Envelope<unknown> | null): FieldError[] {
  const list = envelope?.ValidationErrors
  if (!Array.isArray(list)) return []
  return list.filter((entry): entry is FieldError => isRecord(entry) && typeof entry['Name'] === 'string' && typeof entry['Error'] === 'string')
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** Sleeps `ms`, or rejects at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Retry-After in ms (seconds or an HTTP date), capped; undefined when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined
  const seconds = Number(header)
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now()
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_DELAY_MS) : undefined
}

/** The outcome of one attempt that got an answer. */
type Answer = { readonly kind: 'success'; readonly data: unknown } | { readonly kind: 'failure'; readonly error: MyFatoorahError; readonly retryable: boolean; readonly delayMs: number | undefined }

/**
 * Sends route calls: Bearer key, JSON, a per-attempt timeout, and retries that are safe because
 * every POST carries one `Idempotency-Key` for all its attempts (the server answers a repeat
 * with the first response, or runs it again if the first ended in a 5xx).
 */
export class Transport {
  constructor(private readonly settings: TransportSettings) {}

  async call<T>(route: RouteCall, options: CallOptions = {}): Promise<T> {
    const retries = Math.max(0, Math.floor(options.retries ?? this.settings.retries))
    const timeoutMs = options.timeoutMs ?? this.settings.timeoutMs
    const idempotencyKey = route.method === 'POST' ? (options.idempotencyKey ?? globalThis.crypto.randomUUID()) : undefined
    const url = this.urlOf(route)
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${this.settings.apiKey}` }
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey
    let body: string | undefined
    if (route.body !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(route.body)
    }

    let lastFailure: MyFatoorahError | undefined
    let lastCause: unknown
    let timedOut = false
    let delayMs: number | undefined
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(delayMs ?? this.backoffMs(attempt), options.signal)
      delayMs = undefined
      const outcome = await this.attempt(route, url, { method: route.method, headers, body }, timeoutMs, options.signal)
      if ('answer' in outcome) {
        const answer = outcome.answer
        if (answer.kind === 'success') return answer.data as T
        // A 409 on a repeat means the first attempt, which reached the server, is still running.
        const stillRunning = answer.error.status === 409 && attempt > 0 && idempotencyKey !== undefined
        if (!(answer.retryable || stillRunning)) throw answer.error
        lastFailure = answer.error
        delayMs = answer.delayMs
      } else {
        lastFailure = undefined
        lastCause = outcome.cause
        timedOut = outcome.timedOut
      }
    }
    if (lastFailure) throw lastFailure
    const what = timedOut ? `timed out after ${timeoutMs} ms` : `failed: ${lastCause instanceof Error ? lastCause.message : String(lastCause)}`
    throw new MyFatoorahConnectionError({
      message: `${route.method} ${route.path} ${what} (${retries + 1} attempt${retries === 0 ? '' : 's'})`,
      timedOut,
      attempts: retries + 1,
      idempotencyKey,
      path: route.path,
      cause: lastCause,
    })
  }

  private urlOf(route: RouteCall): string {
    const params = new URLSearchParams()
    for (const [name, value] of Object.entries(route.query ?? {})) if (value !== undefined) params.set(name, String(value))
    const query = params.toString()
    return `${this.settings.baseUrl}${route.path}${query === '' ? '' : `?${query}`}`
  }

  /** Exponential back-off with a little jitter so that clients retrying together spread out. */
  private backoffMs(attempt: number): number {
    const base = this.settings.retryDelayMs * 2 ** (attempt - 1)
    return Math.min(base + Math.random() * this.settings.retryDelayMs * 0.25, MAX_RETRY_DELAY_MS)
  }

  /** One attempt: an answer, or no answer (network error or timeout). A caller's abort is thrown. */
  private async attempt(
    route: RouteCall,
    url: string,
    init: { method: string; headers: Record<string, string>; body: string | undefined },
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<{ answer: Answer } | { cause: unknown; timedOut: boolean }> {
    if (signal?.aborted) throw signal.reason
    const controller = new AbortController()
    let expired = false
    const timer = setTimeout(() => {
      expired = true
      controller.abort(new Error(`timed out after ${timeoutMs} ms`))
    }, timeoutMs)
    const onAbort = () => controller.abort(signal?.reason)
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const response = await this.settings.fetch(url, { ...init, signal: controller.signal })
      // The timeout covers the body too: a server that stalls mid-answer is a failed attempt.
      const text = await response.text()
      return { answer: interpret(route.path, response, text) }
    } catch (cause) {
      if (signal?.aborted) throw signal.reason
      return { cause, timedOut: expired }
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
  }
}

/** Reads an answer: the envelope's Data (or MyFatoorah's bare list), or the error it carries. */
function interpret(path: string, response: Response, text: string): Answer {
  const parsed = parseJson(text)
  const envelope = isEnvelope(parsed) ? parsed : null
  if (response.ok && envelope?.IsSuccess === true) return { kind: 'success', data: envelope.Data }
  // GetCurrenciesExchangeList answers a bare list, as MyFatoorah does.
  if (response.ok && Array.isArray(parsed)) return { kind: 'success', data: parsed }
  const message =
    typeof envelope?.Message === 'string' && envelope.Message !== ''
      ? envelope.Message
      : `HTTP ${response.status}${envelope ? '' : `: ${text.slice(0, 200) || 'empty answer'}`}`
  const error = new MyFatoorahError({ status: response.status, message, validationErrors: fieldErrorsOf(envelope), envelope, path })
  const retryable = response.status >= 500 || response.status === 429
  return { kind: 'failure', error, retryable, delayMs: retryable ? retryAfterMs(response.headers.get('retry-after')) : undefined }
}
