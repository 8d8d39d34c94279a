import { isCurrencyCode } from '../domain/currencies.js'
import { validationError, type FieldError } from '../domain/errors.js'
import { FieldReader } from '../domain/field-reader.js'
import type { Merchant } from '../domain/merchant.js'
import { minorToMajorNumber } from '../domain/money.js'
import { fromInvoiceId, fromRefundId, toInvoiceId, toRefundId } from '../domain/public-ids.js'
import { readKeyText } from '../domain/request-fields.js'
import { refundNumberOfReference, refundReference, type RefundStatus } from '../domain/refund.js'
import type { Deps } from '../deps.js'
import { findInvoice } from '../store/invoice.repository.js'
import { findRefund, findRefundByNumber, listRefundsOfInvoice, type RefundRow } from '../store/refund.repository.js'

/** The key types of GetRefundStatus, matched case-insensitively. */
export const REFUND_STATUS_KEY_TYPES = ['InvoiceId', 'RefundReference', 'RefundId'] as const

const NOT_FOUND_MESSAGE = 'No data match the provided values'

/** One item of `RefundStatusResult`. */
export interface RefundStatusItem {
  RefundId: number
  RefundStatus: RefundStatus
  InvoiceId: number
  Amount: number
  RefundReference: string
  RefundAmount: number
  ExternalIdentifier: string
  RRN: string
  BaseCurrency: string
}

/**
 * GetRefundStatus: the refunds a key names, oldest first — every refund of an invoice
 * (`InvoiceId`; an empty list when it has none), or one refund (`RefundId`, `RefundReference`).
 * Unknown keys and other merchants' ids answer 400 `No data match the provided values` on `Key`.
 */
export async function getRefundStatus(deps: Deps, merchant: Merchant, body: unknown, rawBody?: string): Promise<{ RefundStatusResult: RefundStatusItem[] }> {
  const errors: FieldError[] = []
  const reader = new FieldReader(body, errors)
  const key = readKeyText(reader, rawBody)
  const keyType = reader.choice('KeyType', REFUND_STATUS_KEY_TYPES, { required: true })
  if (errors.length > 0 || key === undefined || keyType === undefined) {
    throw validationError(errors.length > 0 ? errors : [{ Name: 'Key', Error: 'Key is required' }])
  }
  const refunds = await findRefunds(deps, merchant, key, keyType)
  if (!refunds) throw validationError([{ Name: reader.nameOf('Key'), Error: NOT_FOUND_MESSAGE }])
  return { RefundStatusResult: refunds.map((refund) => refundStatusItem(refund, merchant, deps)) }
}

async function findRefunds(deps: Deps, merchant: Merchant, key: string, keyType: (typeof REFUND_STATUS_KEY_TYPES)[number]): Promise<RefundRow[] | undefined> {
  const db = deps.store.db
  switch (keyType) {
    case 'InvoiceId': {
      const id = /^\d{1,15}$/.test(key) ? fromInvoiceId(Number(key), deps.ids) : undefined
      const invoice = id === undefined ? undefined : await findInvoice(db, merchant.id, id)
      return invoice ? listRefundsOfInvoice(db, merchant.id, invoice.id) : undefined
    }
    case 'RefundId': {
      const id = /^\d{1,15}$/.test(key) ? fromRefundId(Number(key), deps.ids) : undefined
      const refund = id === undefined ? undefined : await findRefund(db, merchant.id, id)
      return refund ? [refund] : undefined
    }
    case 'RefundReference': {
      const number = refundNumberOfReference(key)
      const refund = number === undefined ? undefined : await findRefundByNumber(db, merchant.id, number)
      // The whole reference must match, year included: a guessed sequence alone finds nothing.
      return refund && refundReference(refund, merchant.timeZone) === key.trim() ? [refund] : undefined
    }
  }
}

function refundStatusItem(refund: RefundRow, merchant: Merchant, deps: Deps): RefundStatusItem {
  if (!isCurrencyCode(refund.currency)) throw new Error(`Refund ${refund.id} has an unknown currency`)
  return {
    RefundId: toRefundId(refund.id, deps.ids),
    RefundStatus: refund.status,
    InvoiceId: toInvoiceId(refund.invoice_id, deps.ids),
    Amount: minorToMajorNumber(refund.amount_minor, refund.currency),
    RefundReference: refundReference(refund, merchant.timeZone),
    RefundAmount: minorToMajorNumber(refund.refund_amount_minor, refund.currency),
    ExternalIdentifier: refund.external_identifier ?? '',
    RRN: refund.rrn ?? '',
    BaseCurrency: refund.currency,
  }
}
