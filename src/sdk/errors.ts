import type { Envelope, FieldError } from './types/common.js'

/**
 * The server answered, and not with success: a validation error (400), an unknown key (404),
 * a bad API key (401), a conflict (409), or a server error after the retries ran out.
 */
export class MyFatoorahError extends Error {
  override readonly name = 'MyFatoorahError'
  /** HTTP status of the answer. */
  readonly status: number
  /** Every bad field, named as the request spelled it; empty when the envelope listed none. */
  readonly validationErrors: readonly FieldError[]
  /** The envelope as received; null when the answer was not an envelope (e.g. a proxy's HTML page). */
  readonly envelope: Envelope<unknown> | null
  /** The route called, e.g. `/v2/ExecutePayment`. */
  readonly path: string

  constructor(options: { status: number; message: string; validationErrors: readonly FieldError[]; envelope: Envelope<unknown> | null; path: string }) {
    super(options.message)
    this.status = options.status
    this.validationErrors = options.validationErrors
    this.envelope = options.envelope
    this.path = options.path
  }
}

/**
 * No answer at all after every retry: the connection failed, or each attempt ran past
 * `timeoutMs`. The request may or may not have reached the server; repeating it with the same
 * `idempotencyKey` is safe.
 */
export class MyFatoorahConnectionError extends Error {
  override readonly name = 'MyFatoorahConnectionError'
  /** True when the last attempt ran out of time. */
  readonly timedOut: boolean
  /** Attempts made, first one included. */
  readonly attempts: number
  /** The `Idempotency-Key` every attempt carried (POST only). */
  readonly idempotencyKey: string | undefined
  readonly path: string

  constructor(options: { message: string; timedOut: boolean; attempts: number; idempotencyKey: string | undefined; path: string; cause: unknown }) {
    super(options.message, { cause: options.cause })
    this.timedOut = options.timedOut
    this.attempts = options.attempts
    this.idempotencyKey = options.idempotencyKey
    this.path = options.path
  }
}
