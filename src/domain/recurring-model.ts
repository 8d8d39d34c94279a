import { RECURRING_TYPES, type RecurringType } from './schedule.js'

/** The `RecurringType` values of reference §2.3, in their PascalCase wire spelling. */
export const RECURRING_TYPES_LIST = RECURRING_TYPES

/** A validated `RecurringModel` of ExecutePayment. */
export interface RecurringModelInput {
  readonly recurringType: RecurringType
  /** Days between charges; only for Custom (1–180), null otherwise. */
  readonly intervalDays: number | null
  /** Automatic charges after the first payment; 0 = until cancelled. */
  readonly iteration: number
  /** Daily retries of a failed automatic charge, 0–5. */
  readonly retryCount: number
}
