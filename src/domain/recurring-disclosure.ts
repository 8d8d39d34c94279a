import { chargeAmountOf, type RecurrenceStatus } from './recurrence.js'
import { cycleDate, localDateOf, type LocalDate, type RecurringType } from './schedule.js'

/**
 * What a customer is told before paying the first invoice of a recurrence: the card will be
 * charged again, how much, how often, how many times and from when. Structured facts only; the
 * pages word them in each language (src/http/pages/i18n.ts).
 *
 * The first renewal is cycle 1 of a schedule anchored on the day of a payment made `now` (a
 * recurrence is re-anchored on the local date of its first payment, docs/recurring.md), in the
 * merchant's time zone.
 */

/** The terms of a stored recurrence the disclosure needs. */
export interface DisclosedTerms {
  readonly status: RecurrenceStatus
  readonly type: RecurringType
  /** Days between cycles; read only for `Custom`. */
  readonly intervalDays: number | null
  /** Automatic charges after the first payment; 0 = until cancelled. */
  readonly iteration: number
  readonly amountMinor: number
  readonly currency: string
}

/** How often the card is charged. A `Custom` recurrence of 1 day is daily. */
export type DisclosedFrequency =
  | { readonly kind: 'daily' }
  | { readonly kind: 'weekly' }
  | { readonly kind: 'monthly' }
  | { readonly kind: 'every-n-days'; readonly days: number }

/** How many automatic charges follow this payment. */
export type DisclosedCharges =
  | { readonly kind: 'limited'; readonly count: number; readonly lastDate: LocalDate }
  | { readonly kind: 'until-cancelled' }

/** The facts stated next to the pay button of a recurring invoice's first payment. */
export interface RecurringDisclosure {
  /** Amount of every automatic charge (the recurrence's, fixed at creation). */
  readonly amountMinor: number
  readonly currency: string
  readonly frequency: DisclosedFrequency
  readonly charges: DisclosedCharges
  /** Local date (merchant's zone) of the first automatic charge after a payment made now. */
  readonly firstRenewal: LocalDate
}

/**
 * The disclosure of a recurrence whose first invoice is paid at `now` (epoch ms, the merchant's
 * clock) in `timeZone`, or undefined when paying now starts nothing: only a Draft recurrence is
 * activated by its first payment (a cancelled Draft never charges again).
 */
export function recurringDisclosure(terms: DisclosedTerms, now: number, timeZone: string): RecurringDisclosure | undefined {
  if (terms.status !== 'Draft') return undefined
  const anchor = localDateOf(now, timeZone)
  const intervalDays = terms.type === 'Custom' ? terms.intervalDays : null
  const dateOf = (cycle: number) => cycleDate(anchor, terms.type, intervalDays, cycle)
  // Throws VALIDATION_FAILED for a Custom recurrence without a valid interval.
  const firstRenewal = dateOf(1)
  return {
    amountMinor: chargeAmountOf(terms),
    currency: terms.currency,
    frequency: frequencyOf(terms.type, intervalDays),
    charges: terms.iteration === 0 ? { kind: 'until-cancelled' } : { kind: 'limited', count: terms.iteration, lastDate: dateOf(terms.iteration) },
    firstRenewal,
  }
}

function frequencyOf(type: RecurringType, intervalDays: number | null): DisclosedFrequency {
  switch (type) {
    case 'Daily':
      return { kind: 'daily' }
    case 'Weekly':
      return { kind: 'weekly' }
    case 'Monthly':
      return { kind: 'monthly' }
    case 'Custom':
      // The interval was checked by cycleDate before this runs.
      return intervalDays === 1 ? { kind: 'daily' } : { kind: 'every-n-days', days: intervalDays ?? 0 }
  }
}
