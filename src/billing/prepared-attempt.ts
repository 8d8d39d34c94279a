import type { CardTokenRow } from '../store/card-token.repository.js'

/**
 * Everything needed to charge one committed attempt and record its outcome. An attempt reaches
 * this shape only after its row (status `open`), its invoice and its InProgress transaction
 * are committed: the processor is never called for work the database does not know about.
 */
export interface PreparedAttempt {
  readonly attemptId: number
  readonly recurrenceId: number
  readonly merchantId: number
  /** Automatic cycle, 1-based. */
  readonly cycle: number
  /** 0 for the first attempt of the cycle, then retries, then resumes. */
  readonly attemptNumber: number
  readonly invoiceId: number
  readonly transactionId: number
  readonly amountMinor: number
  readonly currency: string
  readonly card: Pick<CardTokenRow, 'id' | 'pan_encrypted' | 'expiry_month' | 'expiry_year' | 'holder_name'>
  /**
   * True when the attempt was found open (left by a crashed or slow worker): the processor may
   * already have charged it, so its idempotency look-up is asked first.
   */
  readonly reopened: boolean
}

/** The processor's idempotency key of an attempt; the same for every call about it. */
export function attemptIdempotencyKey(attemptId: number): string {
  return `attempt-${attemptId}`
}
