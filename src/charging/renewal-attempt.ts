import type { ChargeKind } from '../domain/charge.js'
import type { ChargeCard } from './processor-call.js'

/**
 * Everything needed to charge one committed recurring attempt (renewal, retry or resume) and
 * record its outcome. An attempt reaches this shape only after its row (status `open`), its
 * invoice and its InProgress transaction are committed: the processor is never called for work
 * the database does not know about.
 */
export interface RenewalAttempt {
  readonly attemptId: number
  readonly recurrenceId: number
  readonly merchantId: number
  /** Automatic cycle, 1-based. */
  readonly cycle: number
  /** 0 for the first attempt of the cycle, then retries, then resumes. */
  readonly attemptNumber: number
  /** Which of those it is (domain/charge.ts `recurringChargeKind`). */
  readonly kind: Extract<ChargeKind, 'renewal' | 'retry' | 'resume'>
  readonly invoiceId: number
  readonly transactionId: number
  readonly amountMinor: number
  readonly currency: string
  readonly card: ChargeCard
  /**
   * True when the attempt was found open (left by a crashed or slow worker): the processor may
   * already have charged it, so its idempotency look-up is asked first.
   */
  readonly reopened: boolean
}
