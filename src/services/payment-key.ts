import type { PaymentTarget } from '../charging/payment-target.js'
import type { Merchant } from '../domain/merchant.js'
import { fromInvoiceId, fromPaymentId } from '../domain/public-ids.js'
import type { Deps } from '../deps.js'
import { findInvoiceByCustomerReference } from '../store/invoice.repository.js'

/** How a client names the payment an operation is about. */
export type PaymentKeyType = 'InvoiceId' | 'PaymentId' | 'CustomerReference'

/**
 * The payment a `Key` of `KeyType` names (an InvoiceId, a PaymentId, or the newest invoice with a
 * CustomerReference), or undefined when it cannot be one of this merchant's.
 */
export async function paymentTargetOf(deps: Deps, merchant: Pick<Merchant, 'id'>, key: string, keyType: PaymentKeyType): Promise<PaymentTarget | undefined> {
  if (keyType === 'InvoiceId') {
    if (!/^\d{1,15}$/.test(key)) return undefined
    const invoiceId = fromInvoiceId(Number(key), deps.ids)
    return invoiceId === undefined ? undefined : { kind: 'invoice', invoiceId }
  }
  if (keyType === 'PaymentId') {
    const transactionId = fromPaymentId(key, deps.ids)
    return transactionId === undefined ? undefined : { kind: 'payment', transactionId }
  }
  const invoice = await findInvoiceByCustomerReference(deps.store.db, merchant.id, key)
  return invoice ? { kind: 'invoice', invoiceId: invoice.id } : undefined
}
