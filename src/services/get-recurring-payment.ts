import { isCurrencyCode } from '../domain/currencies.js'
import { validationError, type FieldError } from '../domain/errors.js'
import { FieldReader } from '../domain/field-reader.js'
import type { InvoiceStatus } from '../domain/invoice.js'
import { formatLocalIso } from '../domain/local-time.js'
import { merchantNow, type Merchant } from '../domain/merchant.js'
import { minorToMajorNumber } from '../domain/money.js'
import { fromRecurringId, toInvoiceId, toRecurringId } from '../domain/public-ids.js'
import { RECURRENCE_STATUSES, shownNextPayDate, type RecurrenceStatus } from '../domain/recurrence.js'
import { formatLocalDate, localDateOf, type LocalDate } from '../domain/schedule.js'
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

/** The error of a RecurringId that is unknown, malformed or another merchant's (every recurring route). */
export const UNKNOWN_RECURRING_ID = 'No recurring payment matches this RecurringId'

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
 * A RecurringId that is not this merchant's (malformed, unknown, another's) is resolved to null,
 * which {@link getRecurringPayment} answers with the unknown-id 400.
 */
export function parseRecurringPaymentQuery(query: unknown, body: unknown, deps: Pick<Deps, 'ids'>): RecurringPaymentQuery {
  const merged = { ...asObject(body), ...asObject(query) }
  const errors: FieldError[] = []
  const reader = new FieldReader(merged, errors)
  // Any text: one that cannot be ours gets the unknown-id error, as Cancel and Resume give it.
  const recurringId = reader.string('RecurringId')
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

/**
 * GetRecurringPayment for one page (or the filtered whole, when small enough to hold). A
 * `recurringId` names one recurring payment, so an unknown one (or another merchant's) is the
 * same 400 as Cancel and Resume give, with `Data: null`; the other filters only narrow a list,
 * and a known id that they exclude answers an empty list.
 */
export async function getRecurringPayment(
  deps: Deps,
  merchant: Merchant,
  query: RecurringPaymentQuery,
): Promise<{ RecurringPayment: RecurringPaymentView[] }> {
  if (query.recurrenceId !== undefined && !(await recurrenceExists(deps, merchant, query.recurrenceId))) {
    throw validationError([{ Name: 'RecurringId', Error: UNKNOWN_RECURRING_ID }])
  }
  const all: RecurringPaymentView[] = []
  for await (const chunk of streamRecurringPayments(deps, merchant, query)) all.push(...chunk)
  return { RecurringPayment: all }
}

async function recurrenceExists(deps: Deps, merchant: Merchant, recurrenceId: number | null): Promise<boolean> {
  if (recurrenceId === null) return false
  const rows = await listRecurrencesPage(deps.store.db, { merchantId: merchant.id, recurrenceId }, { limit: 1, offset: 0 })
  return rows.length > 0
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
  // The merchant's date (its sandbox clock included), read once per chunk.
  const today = localDateOf(merchantNow(deps.clock.now(), merchant), merchant.timeZone)
  return rows.map((row) => recurringPaymentView(row, byRecurrence.get(row.id) ?? null, merchant, deps, today))
}

/** One recurrence as GetRecurringPayment prints it: local times without offset, PascalCase statuses. */
export function recurringPaymentView(
  row: RecurrenceRow,
  invoices: RecurringInvoiceView[] | null,
  merchant: Pick<Merchant, 'timeZone'>,
  deps: Pick<Deps, 'ids' | 'config'>,
  today: LocalDate,
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
    // At local midnight; the same rule as the webhooks (docs/recurring.md, "NextPayDate").
    NextPayDate: `${formatLocalDate(shownNextPayDate(schedule, progress, today))}T00:00:00`,
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
