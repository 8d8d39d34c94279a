import { validationError, type FieldError } from '../domain/errors.js'
import { FieldReader } from '../domain/field-reader.js'
import { formatLocalIso } from '../domain/local-time.js'
import type { Merchant } from '../domain/merchant.js'
import { fromInvoiceId, toInvoiceId } from '../domain/public-ids.js'
import { listNotifications } from '../store/notification.repository.js'
import type { Deps } from '../deps.js'

/** Notifications per page unless `PageSize` says otherwise, and the most a page holds. */
export const NOTIFICATION_PAGE_SIZE = 20
export const MAX_NOTIFICATION_PAGE_SIZE = 100

/** One notification SendPayment would have sent. */
export interface NotificationItem {
  NotificationId: number
  InvoiceId: number
  /** `EML` or `SMS`. */
  Channel: string
  /** E-mail address, or mobile number with its country code. */
  Recipient: string
  Language: string
  Subject: string | null
  Body: string
  InvoiceURL: string
  CreatedDate: string
}

/** `Data` of GET /v2/sandbox/Notifications. */
export interface NotificationsPage {
  Notifications: NotificationItem[]
  /** Pass as `Before` for the next (older) page; null on the last page. */
  NextBefore: number | null
}

/**
 * The merchant's sandbox notification outbox, newest first (query `PageSize` 1–100, default 20;
 * `Before` a NotificationId for older ones; `InvoiceId` for one invoice's). Another merchant's
 * notifications are never listed.
 */
export async function listSandboxNotifications(deps: Deps, merchant: Merchant, query: unknown): Promise<NotificationsPage> {
  const errors: FieldError[] = []
  const reader = new FieldReader(query ?? {}, errors)
  const pageSize = reader.integer('PageSize', { min: 1, max: MAX_NOTIFICATION_PAGE_SIZE }) ?? NOTIFICATION_PAGE_SIZE
  const before = reader.integer('Before', { min: 1 })
  const invoiceId = reader.integer('InvoiceId', { min: 1 })
  if (errors.length > 0) throw validationError(errors)
  // An InvoiceId that is no invoice of any permutation matches nothing, like another merchant's.
  const internalInvoiceId = invoiceId === undefined ? undefined : (fromInvoiceId(invoiceId, deps.ids) ?? -1)
  const rows = await listNotifications(deps.store.db, merchant.id, { limit: pageSize, beforeId: before, invoiceId: internalInvoiceId })
  const last = rows.at(-1)
  return {
    Notifications: rows.map((row) => ({
      NotificationId: row.id,
      InvoiceId: toInvoiceId(row.invoice_id, deps.ids),
      Channel: row.channel,
      Recipient: row.recipient,
      Language: row.language,
      Subject: row.subject,
      Body: row.body,
      InvoiceURL: row.invoice_url,
      CreatedDate: formatLocalIso(row.created_at, merchant.timeZone),
    })),
    NextBefore: rows.length === pageSize && last ? last.id : null,
  }
}
