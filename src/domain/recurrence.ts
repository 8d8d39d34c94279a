import { AppError } from './errors.js'
import {
  compareLocalDates,
  cycleDate,
  dueInstant,
  retryDate,
  type LocalDate,
  type RecurringType,
} from './schedule.js'

/**
 * The recurrence state machine (reference §6) and the decisions taken after each charge
 * attempt. Everything here is a pure function of its arguments; the caller persists the
 * returned progress and supplies the clock.
 *
 * Choices where MyFatoorah's record is silent:
 * - `Iteration` counts automatic charges after the first (customer) payment, like
 *   `ExecutedTimes`; 0 means unlimited.
 * - A failed cycle blocks later cycles: while retries run, or after Uncompleted until a
 *   successful Resume, `nextCycle` stays put. Later cycles are then charged one after the other
 *   (catch-up), never skipped, so the customer pays exactly once per cycle.
 */

/** Recurring statuses, PascalCase with the single-L `Canceled` as GetRecurringPayment prints them. */
export const RECURRENCE_STATUSES = ['Draft', 'Active', 'Completed', 'Uncompleted', 'Canceled'] as const

/** A value of {@link RECURRENCE_STATUSES}. */
export type RecurrenceStatus = (typeof RECURRENCE_STATUSES)[number]

/** Largest `RetryCount` accepted (the recurring guide allows 0..5). */
export const MAX_RETRY_COUNT = 5

/** Allowed status changes; Completed and Canceled are final. */
export const RECURRENCE_TRANSITIONS: Readonly<Record<RecurrenceStatus, readonly RecurrenceStatus[]>> = {
  // Draft → Active when the customer pays the first invoice.
  Draft: ['Active', 'Canceled'],
  Active: ['Completed', 'Uncompleted', 'Canceled'],
  // Only a successful Resume leaves Uncompleted, to Completed when it paid the last iteration.
  Uncompleted: ['Active', 'Completed', 'Canceled'],
  Completed: [],
  Canceled: [],
}

/** Outcome of one charge attempt on the saved card. */
export type AttemptOutcome = 'approved' | 'declined'

/** The fixed terms of a recurrence, as agreed in `RecurringModel` plus the account's clock. */
export interface RecurrenceSchedule {
  /** Local date of cycle 0 (the first payment); automatic cycles are counted from it. */
  readonly anchorDate: LocalDate
  readonly type: RecurringType
  /** Days between cycles, only for `Custom` (1..180). */
  readonly intervalDays: number | null
  /** Automatic charges after the first payment; 0 = unlimited. */
  readonly iteration: number
  /** Retries after a failed automatic charge, once a day (0..5). */
  readonly retryCount: number
  /** IANA zone in which dates are local (the account country's zone). */
  readonly timeZone: string
  /** Local hour (0..23) at which automatic charges and retries run. */
  readonly chargeHour: number
}

/** The mutable part of a recurrence: where it stands and what has been charged. */
export interface RecurrenceProgress {
  readonly status: RecurrenceStatus
  /** Automatic cycle to charge next, 1-based. */
  readonly nextCycle: number
  /** Failed attempts already made for `nextCycle` (the first attempt plus retries). */
  readonly failedAttempts: number
  /** Successful automatic charges (`ExecutedTimes`). */
  readonly executedTimes: number
}

/** True when `value` is a recurrence status (exact, PascalCase). */
export function isRecurrenceStatus(value: string): value is RecurrenceStatus {
  return (RECURRENCE_STATUSES as readonly string[]).includes(value)
}

/** True when the status allows the move `from` → `to` (a status never "moves" to itself). */
export function canTransition(from: RecurrenceStatus, to: RecurrenceStatus): boolean {
  return RECURRENCE_TRANSITIONS[from].includes(to)
}

/** True for Completed and Canceled, which never change again. */
export function isFinalStatus(status: RecurrenceStatus): boolean {
  return RECURRENCE_TRANSITIONS[status].length === 0
}

/** Progress of a recurrence created by ExecutePayment whose first invoice is not paid yet. */
export function draftProgress(): RecurrenceProgress {
  return { status: 'Draft', nextCycle: 1, failedAttempts: 0, executedTimes: 0 }
}

/**
 * Progress right after the first invoice was paid: Active, cycle 1 next. When `current` is
 * given it must be Draft, otherwise INVALID_STATE is thrown.
 */
export function activate(current?: RecurrenceProgress): RecurrenceProgress {
  // Uncompleted → Active is also in the graph, but only through a successful Resume.
  if (current && current.status !== 'Draft') {
    throw new AppError('INVALID_STATE', `Only a Draft recurrence is activated by its first payment, not ${current.status}`)
  }
  return { status: 'Active', nextCycle: 1, failedAttempts: 0, executedTimes: 0 }
}

/**
 * Why a recurrence cannot be cancelled, or undefined when it can: a final status (Completed,
 * Canceled) never changes again, and a Completed one must keep saying it ended by itself.
 */
export function cancelRefusal(status: RecurrenceStatus): string | undefined {
  if (!isFinalStatus(status)) return undefined
  return status === 'Canceled'
    ? 'This recurring payment is already canceled'
    : 'This recurring payment is completed; there is nothing left to cancel'
}

/** Progress after CancelRecurringPayment; throws INVALID_STATE (with {@link cancelRefusal}'s reason) when final. */
export function cancel(current: RecurrenceProgress): RecurrenceProgress {
  const refusal = cancelRefusal(current.status)
  if (refusal) throw new AppError('INVALID_STATE', refusal)
  assertTransition(current.status, 'Canceled')
  return { ...current, status: 'Canceled' }
}

/** The date shown as `NextPayDate`: the date of `nextCycle` (cycle 1 for a Draft). */
export function nextPayDate(schedule: RecurrenceSchedule, progress: RecurrenceProgress): LocalDate {
  return cycleDate(schedule.anchorDate, schedule.type, schedule.intervalDays, progress.nextCycle)
}

/**
 * The `NextPayDate` every surface shows — GetRecurringPayment and both webhook versions — by one
 * rule, given the merchant's local date `today`:
 * - Active: the date of the next automatic attempt (the due cycle, or the day of its next
 *   retry), never before `today`: an overdue cycle (caught up after a Resume or downtime) is
 *   charged by the next billing run, so it shows today.
 * - Draft, Uncompleted, Completed, Canceled (nothing is charged on its own): the date of the
 *   cycle the schedule would charge next — the blocked cycle while Uncompleted (reference
 *   RECUR2137), the cycle after the last charge once Completed or Canceled (the reference's
 *   GetRecurringPayment and webhook samples carry a NextPayDate in those statuses too).
 */
export function shownNextPayDate(schedule: RecurrenceSchedule, progress: RecurrenceProgress, today: LocalDate): LocalDate {
  const cycle = nextPayDate(schedule, progress)
  if (progress.status !== 'Active') return cycle
  const attempt = retryDate(cycle, progress.failedAttempts)
  return compareLocalDates(attempt, today) < 0 ? today : attempt
}

/**
 * Epoch ms at which the next automatic attempt is due, or null unless Active: the cycle's
 * charge hour for a first attempt, then one day later per failed attempt. The instant may be
 * in the past (catch-up after a Resume or downtime); the caller charges it as soon as it can.
 */
export function nextAttemptAt(schedule: RecurrenceSchedule, progress: RecurrenceProgress): number | null {
  if (progress.status !== 'Active') return null
  const date = retryDate(nextPayDate(schedule, progress), progress.failedAttempts)
  return dueInstant(date, schedule.timeZone, schedule.chargeHour)
}

/**
 * Progress after an automatic attempt on `nextCycle` (only while Active). Approval moves to the
 * next cycle and completes the recurrence on its last iteration; a decline counts a failed
 * attempt, and once the first attempt and all `retryCount` retries failed the recurrence
 * becomes Uncompleted on the same cycle, so Resume retries that very cycle.
 */
export function decideAfterAttempt(
  schedule: RecurrenceSchedule,
  progress: RecurrenceProgress,
  outcome: AttemptOutcome,
): RecurrenceProgress {
  checkSchedule(schedule)
  if (progress.status !== 'Active') {
    throw new AppError('INVALID_STATE', `An automatic charge needs an Active recurrence, not ${progress.status}`)
  }
  if (outcome === 'approved') return afterApproval(schedule, progress)
  const failedAttempts = progress.failedAttempts + 1
  return {
    ...progress,
    failedAttempts,
    status: failedAttempts > schedule.retryCount ? 'Uncompleted' : 'Active',
  }
}

/**
 * Progress after ResumeRecurringPayment charged the blocked cycle (only from Uncompleted):
 * approval continues like an automatic approval, a decline leaves everything as it was.
 */
export function decideAfterResume(
  schedule: RecurrenceSchedule,
  progress: RecurrenceProgress,
  outcome: AttemptOutcome,
): RecurrenceProgress {
  checkSchedule(schedule)
  if (progress.status !== 'Uncompleted') {
    throw new AppError(
      'INVALID_STATE',
      'This recurring cannot be resumed as it is active or the status is not Uncompleted',
      { data: false },
    )
  }
  return outcome === 'approved' ? afterApproval(schedule, progress) : progress
}

/** Which attempt a charge is: the first of a cycle (0), one of its RetryCount retries, or a Resume after them. */
export type RecurringAttemptKind = 'automatic' | 'resume'

/**
 * The number of the next attempt in the blocked or due cycle: an automatic attempt is numbered
 * by the failures so far (0 first, then 1…RetryCount), a Resume takes the number after the
 * highest used in the cycle (`lastNumber`, -1 when none). Numbers never repeat in a cycle.
 */
export function nextAttemptNumber(kind: RecurringAttemptKind, progress: RecurrenceProgress, lastNumber: number): number {
  return kind === 'resume' ? Math.max(lastNumber + 1, progress.failedAttempts) : progress.failedAttempts
}

/** Attempts numbered above RetryCount are Resumes; 0…RetryCount are the cycle's automatic attempts. */
export function isResumeAttempt(attemptNumber: number, retryCount: number): boolean {
  return attemptNumber > retryCount
}

/** The amount every charge of a recurrence takes: the one agreed at creation, never changed after. */
export function chargeAmountOf(terms: { readonly amountMinor: number }): number {
  return terms.amountMinor
}

/**
 * Progress after the outcome of a recurring attempt is recorded, whatever happened while it was
 * in flight:
 * - the expected attempt (Active, its cycle, its number) moves on as {@link decideAfterAttempt};
 * - a Resume of the blocked cycle of an Uncompleted recurrence, as {@link decideAfterResume};
 * - anything else means the recurrence changed under the attempt (cancelled meanwhile, or an
 *   attempt recovered late): the status stays as it is, but an approval still counts a cycle
 *   in ExecutedTimes and moves past it, because money moved and must never be charged again;
 *   one that pays the last iteration completes a recurrence that had not ended.
 */
export function progressAfterCharge(
  schedule: RecurrenceSchedule,
  progress: RecurrenceProgress,
  attempt: { readonly cycle: number; readonly attemptNumber: number },
  outcome: AttemptOutcome,
): RecurrenceProgress {
  const onSchedule = attempt.cycle === progress.nextCycle
  const resume = isResumeAttempt(attempt.attemptNumber, schedule.retryCount)
  if (resume && onSchedule && progress.status === 'Uncompleted') return decideAfterResume(schedule, progress, outcome)
  if (!resume && onSchedule && progress.status === 'Active' && attempt.attemptNumber === progress.failedAttempts) {
    return decideAfterAttempt(schedule, progress, outcome)
  }
  if (outcome !== 'approved') return progress
  const executedTimes = progress.executedTimes + 1
  // A late approval that pays the last iteration ends the recurrence, unless it already ended.
  const done = canTransition(progress.status, 'Completed') && schedule.iteration > 0 && executedTimes >= schedule.iteration
  return { status: done ? 'Completed' : progress.status, nextCycle: progress.nextCycle + 1, failedAttempts: 0, executedTimes }
}

function afterApproval(schedule: RecurrenceSchedule, progress: RecurrenceProgress): RecurrenceProgress {
  if (schedule.iteration > 0 && progress.executedTimes >= schedule.iteration) {
    // Reaching this means stored progress disagrees with the schedule; charging again would overcharge.
    throw new AppError(
      'INVALID_STATE',
      `All ${schedule.iteration} iterations are already executed; nothing is left to charge`,
    )
  }
  const executedTimes = progress.executedTimes + 1
  const done = schedule.iteration > 0 && executedTimes >= schedule.iteration
  return {
    status: done ? 'Completed' : 'Active',
    nextCycle: progress.nextCycle + 1,
    failedAttempts: 0,
    executedTimes,
  }
}

function assertTransition(from: RecurrenceStatus, to: RecurrenceStatus): void {
  if (!canTransition(from, to)) {
    throw new AppError('INVALID_STATE', `A ${from} recurrence cannot become ${to}`)
  }
}

function checkSchedule(schedule: RecurrenceSchedule): void {
  const { iteration, retryCount } = schedule
  if (!Number.isInteger(iteration) || iteration < 0) {
    throw new AppError('VALIDATION_FAILED', `Iteration ${iteration} must be an integer >= 0`)
  }
  if (!Number.isInteger(retryCount) || retryCount < 0 || retryCount > MAX_RETRY_COUNT) {
    throw new AppError('VALIDATION_FAILED', `RetryCount ${retryCount} must be an integer 0..${MAX_RETRY_COUNT}`)
  }
}
