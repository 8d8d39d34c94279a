import type { Merchant } from '../domain/merchant.js'
import type { Deps } from '../deps.js'
import type { Executor } from '../store/database.js'
import type { InvoiceRow } from '../store/invoice.repository.js'
import { lockInvoice } from '../store/payment.repository.js'
import { findTransaction } from '../store/transaction.repository.js'

/** Which payment an operation (refund, capture, release) is about: an invoice's, or one payment by its id. */
export type PaymentTarget =
  | { readonly kind: 'invoice'; readonly invoiceId: number }
  | { readonly kind: 'payment'; readonly transactionId: number }

/**
 * Locks the invoice a target names, inside `trx`, so that operations on its payments queue one
 * after the other. Undefined when the target is not this merchant's: another merchant's invoice
 * answers exactly like a missing one.
 */
export async function lockTargetInvoice(
  trx: Executor,
  deps: Deps,
  merchant: Pick<Merchant, 'id'>,
  target: PaymentTarget,
): Promise<InvoiceRow | undefined> {
  let invoiceId: number
  if (target.kind === 'invoice') {
    invoiceId = target.invoiceId
  } else {
    const named = await findTransaction(trx, merchant.id, target.transactionId)
    if (!named) return undefined
    invoiceId = named.invoice_id
  }
  const invoice = await lockInvoice(trx, deps.store.adapter, invoiceId)
  return invoice && invoice.merchant_id === merchant.id ? invoice : undefined
}
