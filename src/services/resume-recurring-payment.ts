import { AppError } from '../domain/errors.js'
import { merchantNow, type Merchant } from '../domain/merchant.js'
import { openRenewalAttempts } from '../charging/open-renewal-attempts.js'
import { chargeRenewalAttempt } from '../charging/process-renewal-attempt.js'
import { recordRenewalOutcome } from '../charging/record-renewal-outcomes.js'
import { leaseRecurrenceRows } from '../store/recurrence.repository.js'
import { lockRecurrenceByPublicId } from './cancel-recurring-payment.js'
import type { Deps } from '../deps.js'

/** MyFatoorah's success text for ResumeRecurringPayment (reference §1.3). */
export const RESUME_SUCCESS_MESSAGE = 'Recurring Resumed successfully'

/** MyFatoorah's exact error for a recurrence that is not Uncompleted (reference §5.3). */
export const RESUME_NOT_ALLOWED = 'This recurring cannot be resumed as it is active or the status is not Uncompleted'

/** The recurrence's status after a successful Resume. */
export interface ResumeOutcome {
  readonly status: 'Active' | 'Completed' | 'Uncompleted' | 'Canceled' | 'Draft'
}

/**
 * ResumeRecurringPayment: charges the failed cycle's invoice now, through the same exactly-once
 * path as the worker (an attempt row numbered after the cycle's automatic attempts is committed
 * first, the processor gets the attempt id as idempotency key, the outcome is recorded in a
 * second transaction with its webhooks).
 * - Approved: the cycle is paid, the recurrence is Active again (Completed when that was the
 *   last iteration) and continues on its own dates; later cycles already due are caught up by
 *   the worker, one after the other, never skipped.
 * - Declined: 400 with the processor's message and `Data: false`; the recurrence stays
 *   Uncompleted and can be resumed again.
 * - No answer from the processor: 400 saying so; the attempt stays open and the recovery pass
 *   settles it through the processor's look-up.
 * Only an Uncompleted recurrence can be resumed; anything else gets the reference's exact error.
 */
export async function resumeRecurringPayment(
  deps: Deps,
  merchant: Merchant,
  recurringId: string | undefined,
): Promise<ResumeOutcome> {
  const now = merchantNow(deps.clock.now(), merchant)
  const attempt = await deps.store.db.transaction().execute(async (trx) => {
    const row = await lockRecurrenceByPublicId(trx, deps, merchant, recurringId)
    if (row.status !== 'Uncompleted') {
      throw new AppError('INVALID_STATE', 'Invalid data', {
        fieldErrors: [{ Name: 'RecurringId', Error: RESUME_NOT_ALLOWED }],
        data: false,
      })
    }
    // The lease keeps the recovery pass off the attempt while this request charges it.
    await leaseRecurrenceRows(trx, [row.id], deps.clock.now() + deps.config.billingLeaseMs)
    const [prepared] = await openRenewalAttempts(trx, deps, [row], 'resume', now)
    if (!prepared) throw new AppError('INTERNAL', `Recurrence ${row.id} has no card to charge`)
    return prepared
  })

  const result = await chargeRenewalAttempt(deps, attempt, now)
  if (result.status === 'unknown') {
    throw new AppError('INVALID_STATE', 'The card processor did not answer', {
      fieldErrors: [
        {
          Name: 'RecurringId',
          Error: 'The processor did not answer in time; the charge will be settled automatically, check GetRecurringPayment later',
        },
      ],
      data: false,
    })
  }
  const recorded = await recordRenewalOutcome(deps, merchant, attempt, result, now)
  if (result.status === 'declined') {
    throw new AppError('INVALID_STATE', result.message, {
      fieldErrors: [
        {
          Name: 'RecurringId',
          Error: `The resume charge was declined (${result.errorCode}: ${result.message}); the recurring payment stays Uncompleted`,
        },
      ],
      data: false,
    })
  }
  return { status: recorded.statusAfter }
}
