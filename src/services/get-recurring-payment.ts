import { isCurrencyCode } from '../domain/currencies.js'
import { validationError, type FieldError } from '../domain/errors.js'
import { FieldReader } from '../domain/field-reader.js'
import type { InvoiceStatus } from '../domain/invoice.js'
import { formatLocalIso } from '../domain/local-time.js'
import type { Merchant } from '../domain/merchant.js'
import { minorToMajorNumber } from '../domain/money.js'
import { fromRecurringId, toInvoiceId, toRecurringId } from '../domain/public-ids.js'
import { nextPayDate, RECURRENCE_STATUSES, type RecurrenceStatus } from '../domain/recurrence.js'
import { formatLocalDate } from '../domain/schedule.js'
import type { Executor } from '../store/database.js'
import {
  recurrenceRowToProgress,
  recurrenceRowToSchedule,
  type RecurrenceRow,
} from '../store/recurrence.repository.js'
import {
  listCycleInvoices,
  listRecurrencesAfter,
  listRecurrencesPage,
  type RecurrenceFilter,
} from '../store/recurring-payment.repository.js'
import type { Deps } from '../deps.js'

/** Largest `PageSize`; without one, everything is returned (streamed), as MyFatoorah does. */
export const MAX_PAGE_SIZE = 1000

/** Rows read per query while streaming every recurrence. */
const CHUNK_SIZE = 500

/** The filters of GetRecurringPayment, all optional (beyond MyFatoorah except `recurringId`). */
export interface RecurringPaymentQuery {
  /** Internal id from `recurringId`; null when the id can't be one of ours (matches nothing). */
  readonly recurrenceId?: number | null
  readonly status?: RecurrenceStatus
  readonly pageNumber?: number
  readonly pageSize?: number
}

/** One `RecurringInvoices` entry (reference §5.1). */
export interface RecurringInvoiceView {
  InvoiceId: number
  CustomerReference: string | null
  CustomerName: string | null
  CustomerMobile: string | null
  CreatedDate: string
  InvoiceStatus: InvoiceStatus
}

/** One `Data.RecurringPayment[]` entry (reference §5.1). */
export interface RecurringPaymentView {
  RecurringId: string
  RecurringStatus: RecurrenceStatus
  CreationDate: string
  RecurringValue: number
  RecurringType: string
  IntervalDays: number | null
  ExecutedTimes: number
  LastPayDate: string
  NextPayDate: string
  IsActive: boolean
  RecurringInvoices: RecurringInvoiceView[] | null
}

/**
 * Reads the query (and body, for clients that POST) case-insensitively: `recurringId`,
 * `RecurringStatus`, `PageNumber` (default 1, needs PageSize) and `PageSize` (1..1000).
 * A malformed RecurringId is a 400; a well-formed one that is not this merchant's matches none.
 */
export function parseRecurringPaymentQuery(query: unknown, body: unknown, deps: Pick<Deps, 'ids'>): RecurringPaymentQuery {
  const merged = { ...asObject(body), ...asObject(query) }
  const errors: FieldError[] = []
  const reader = new FieldReader(merged, errors)
  const recurringId = reader.string('RecurringId', { max: 40, pattern: /^\s*RECUR\d{1,10}\s*$/i, patternMessage: 'RecurringId must look like RECUR123' })
  const status = reader.choice('RecurringStatus', RECURRENCE_STATUSES)
  const pageSize = reader.integer('PageSize', { min: 1, max: MAX_PAGE_SIZE })
  const pageNumber = reader.integer('PageNumber', { min: 1, max: 10_000_000 })
  if (pageNumber !== undefined && pageSize === undefined && errors.length === 0) {
    reader.fail('PageSize', 'PageSize is required with PageNumber')
  }
  if (errors.length > 0) throw validationError(errors)
  return {
    ...(recurringId === undefined ? {} : { recurrenceId: fromRecurringId(recurringId, deps.ids) ?? null }),
    ...(status === undefined ? {} : { status }),
    ...(pageSize === undefined ? {} : { pageSize, pageNumber: pageNumber ?? 1 }),
  }
}

/** GetRecurringPayment for one page (or the filtered whole, when small enough to hold). */
export async function getRecurringPayment(
  deps: Deps,
  merchant: Merchant,
  query: RecurringPaymentQuery,
): Promise<{ RecurringPayment: RecurringPaymentView[] }> {
  const all: RecurringPaymentView[] = []
  for await (const chunk of streamRecurringPayments(deps, merchant, query)) all.push(...chunk)
  return { RecurringPayment: all }
}

/**
 * The merchant's recurrences in id order, in chunks, with their automatic invoices. Without
 * PageSize every row is visited by keyset pagination on (merchant_id, id), so a million rows
 * are streamed with flat memory; with PageSize one page is read by offset.
 */
export async function* streamRecurringPayments(
  deps: Deps,
  merchant: Merchant,
  query: RecurringPaymentQuery,
): AsyncGenerator<RecurringPaymentView[]> {
  if (query.recurrenceId === null) return
  const db = deps.store.db
  const filter: RecurrenceFilter = {
    merchantId: merchant.id,
    ...(query.recurrenceId === undefined ? {} : { recurrenceId: query.recurrenceId }),
    ...(query.status === undefined ? {} : { status: query.status }),
  }
  if (query.pageSize !== undefined) {
    const offset = ((query.pageNumber ?? 1) - 1) * query.pageSize
    const rows = await listRecurrencesPage(db, filter, { limit: query.pageSize, offset })
    yield await viewsOf(db, deps, merchant, rows)
    return
  }
  let afterId = 0
  for (;;) {
    const rows = await listRecurrencesAfter(db, filter, afterId, CHUNK_SIZE)
    if (rows.length === 0) return
    yield await viewsOf(db, deps, merchant, rows)
    const last = rows[rows.length - 1]
    if (!last || rows.length < CHUNK_SIZE) return
    afterId = last.id
  }
}

async function viewsOf(
  db: Executor,
  deps: Deps,
  merchant: Merchant,
  rows: readonly RecurrenceRow[],
): Promise<RecurringPaymentView[]> {
  if (rows.length === 0) return []
  const invoices = await listCycleInvoices(db, rows.map((row) => row.id))
  const byRecurrence = new Map<number, RecurringInvoiceView[]>()
  for (const invoice of invoices) {
    if (invoice.recurrence_id === null) continue
    const list = byRecurrence.get(invoice.recurrence_id) ?? []
    list.push({
      InvoiceId: toInvoiceId(invoice.id, deps.ids),
      CustomerReference: invoice.customer_reference,
      CustomerName: invoice.customer_name,
      CustomerMobile: mobileOf(invoice.mobile_country_code, invoice.customer_mobile),
      CreatedDate: formatLocalIso(invoice.created_at, merchant.timeZone),
      InvoiceStatus: invoice.status,
    })
    byRecurrence.set(invoice.recurrence_id, list)
  }
  return rows.map((row) => recurringPaymentView(row, byRecurrence.get(row.id) ?? null, merchant, deps))
}

/** One recurrence as GetRecurringPayment prints it: local times without offset, PascalCase statuses. */
export function recurringPaymentView(
  row: RecurrenceRow,
  invoices: RecurringInvoiceView[] | null,
  merchant: Pick<Merchant, 'timeZone'>,
  deps: Pick<Deps, 'ids' | 'config'>,
): RecurringPaymentView {
  const schedule = recurrenceRowToSchedule(row, merchant.timeZone, deps.config.chargeHour)
  const progress = recurrenceRowToProgress(row)
  if (!isCurrencyCode(row.currency)) throw new Error(`Recurrence ${row.id} has unknown currency ${row.currency}`)
  return {
    RecurringId: toRecurringId(row.id, deps.ids),
    RecurringStatus: progress.status,
    CreationDate: formatLocalIso(row.created_at, merchant.timeZone),
    RecurringValue: minorToMajorNumber(row.amount_minor, row.currency),
    RecurringType: row.recurring_type,
    IntervalDays: row.interval_days,
    ExecutedTimes: row.executed_times,
    // Reference §5.1: equals CreationDate until the first automatic charge.
    LastPayDate: formatLocalIso(row.last_pay_at ?? row.created_at, merchant.timeZone),
    // The date of the cycle to charge next (the failed one while retrying or Uncompleted), at midnight.
    NextPayDate: `${formatLocalDate(nextPayDate(schedule, progress))}T00:00:00`,
    IsActive: progress.status === 'Active',
    RecurringInvoices: invoices && invoices.length > 0 ? invoices : null,
  }
}

function mobileOf(countryCode: string | null, mobile: string | null): string | null {
  if (countryCode === null && mobile === null) return null
  const code = countryCode === null ? '' : countryCode.startsWith('+') ? countryCode : `+${countryCode}`
  return `${code}${mobile ?? ''}`
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}
