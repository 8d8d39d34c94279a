/**
 * The closed set of failure codes that are not business outcomes. Declines, insufficient funds
 * and other expected payment results are values, never AppErrors.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'ROUTE_NOT_FOUND',
  'IDEMPOTENCY_CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'INVALID_STATE',
  'SANDBOX_ONLY',
  'INTERNAL',
] as const

/** A code from {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number]

/** One entry of the envelope's `ValidationErrors`: the field as the client named it and why. */
export interface FieldError {
  readonly Name: string
  readonly Error: string
}

/** Options for {@link AppError}. */
export interface AppErrorOptions {
  /** Field errors for the envelope; empty means none. */
  readonly fieldErrors?: readonly FieldError[]
  /** `Data` to send with the error envelope. Default is `null`; Cancel/Resume use `false`. */
  readonly data?: null | boolean
  readonly cause?: unknown
}

/** The one exception class of dawri: a code from a closed set, a message that says how to fix it. */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly fieldErrors: readonly FieldError[]
  readonly data: null | boolean

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    this.fieldErrors = options.fieldErrors ?? []
    this.data = options.data ?? null
  }
}

/** A validation failure with MyFatoorah's `Message: "Invalid data"` and the listed field errors. */
export function validationError(fieldErrors: readonly FieldError[], data: null | boolean = null): AppError {
  return new AppError('VALIDATION_FAILED', 'Invalid data', { fieldErrors, data })
}

/** Turns anything thrown into an Error without losing it (catch `unknown`, coerce before use). */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown))
}
