import { AppError, validationError } from '../domain/errors.js'
import { FieldReader } from '../domain/field-reader.js'
import type { FieldError } from '../domain/errors.js'
import type { Merchant } from '../domain/merchant.js'
import { fromInvoiceId, fromPaymentId } from '../domain/public-ids.js'
import {
  findInvoice,
  findInvoiceByCustomerReference,
  listTransactionsWithCards,
  type InvoiceRow,
} from '../store/invoice.repository.js'
import { findTransaction } from '../store/transaction.repository.js'
import type { Executor } from '../store/database.js'
import type { Deps } from '../deps.js'
import { paymentStatusView } from './payment-status-view.js'

/** The key types of GetPaymentStatus (reference §4.2), matched case-insensitively. */
export const PAYMENT_STATUS_KEY_TYPES = ['InvoiceId', 'PaymentId', 'CustomerReference'] as const

const NOT_FOUND_MESSAGE = 'No data match the provided values'

/** GetPaymentStatus: the whole invoice, whichever of its keys is given. */
export async function getPaymentStatus(deps: Deps, merchant: Merchant, body: unknown) {
  const errors: FieldError[] = []
  const reader = new FieldReader(body, errors)
  const key = reader.string('Key', { required: true, max: 100 })?.trim()
  const keyType = reader.choice('KeyType', PAYMENT_STATUS_KEY_TYPES, { required: true })
  if (errors.length > 0 || key === undefined || keyType === undefined) {
    throw validationError(errors.length > 0 ? errors : [{ Name: 'Key', Error: 'Key is required' }])
  }
  const db = deps.store.db
  const invoice = await findInvoiceByKey(db, merchant, deps, key, keyType)
  if (!invoice) {
    // Another merchant's invoice answers exactly like a missing one.
    throw new AppError('NOT_FOUND', NOT_FOUND_MESSAGE, { fieldErrors: [{ Name: reader.nameOf('Key'), Error: NOT_FOUND_MESSAGE }] })
  }
  const transactions = await listTransactionsWithCards(db, invoice.id)
  return paymentStatusView(invoice, transactions, merchant, deps.ids)
}

async function findInvoiceByKey(
  db: Executor,
  merchant: Merchant,
  deps: Deps,
  key: string,
  keyType: (typeof PAYMENT_STATUS_KEY_TYPES)[number],
): Promise<InvoiceRow | undefined> {
  switch (keyType) {
    case 'InvoiceId': {
      if (!/^\d{1,15}$/.test(key)) return undefined
      const id = fromInvoiceId(Number(key), deps.ids)
      return id === undefined ? undefined : findInvoice(db, merchant.id, id)
    }
    case 'PaymentId': {
      const id = fromPaymentId(key, deps.ids)
      if (id === undefined) return undefined
      const transaction = await findTransaction(db, merchant.id, id)
      return transaction ? findInvoice(db, merchant.id, transaction.invoice_id) : undefined
    }
    case 'CustomerReference':
      return findInvoiceByCustomerReference(db, merchant.id, key)
  }
}
