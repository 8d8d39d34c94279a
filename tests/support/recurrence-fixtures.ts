import type { RecurrenceProgress, RecurrenceSchedule } from '../../src/domain/recurrence.js'
import { parseLocalDate } from '../../src/domain/schedule.js'

/** A Monthly schedule anchored on Jan 31 in Kuwait, charging at 04:00, 3 retries; override what a test needs. */
export const schedule = (overrides: Partial<RecurrenceSchedule> = {}): RecurrenceSchedule => ({
  anchorDate: parseLocalDate('2026-01-31'),
  type: 'Monthly',
  intervalDays: null,
  iteration: 0,
  retryCount: 3,
  timeZone: 'Asia/Kuwait',
  chargeHour: 4,
  ...overrides,
})

/** An Active recurrence before its first automatic cycle; override what a test needs. */
export const progress = (overrides: Partial<RecurrenceProgress> = {}): RecurrenceProgress => ({
  status: 'Active',
  nextCycle: 1,
  failedAttempts: 0,
  executedTimes: 0,
  ...overrides,
})
