import { findPaymentMethod, type PaymentMethod } from './payment-methods.js'

/** The columns that say how an invoice is paid. */
export interface InvoicePaymentColumns {
  readonly payment_method_id: number | null
  /** JSON list of method ids (SendPayment), or null for an invoice bound to one method. */
  readonly invoice_payment_methods: string | null
}

/** The methods a SendPayment invoice's page offers, in order; undefined for an invoice bound to one method. */
export function offeredPaymentMethods(invoice: InvoicePaymentColumns): PaymentMethod[] | undefined {
  if (invoice.invoice_payment_methods === null) return undefined
  const ids = JSON.parse(invoice.invoice_payment_methods) as unknown
  if (!Array.isArray(ids)) return []
  return ids.flatMap((id) => {
    const method = typeof id === 'number' ? findPaymentMethod(id) : undefined
    return method ? [method] : []
  })
}

/**
 * The method the checkout of an invoice charges with: the invoice's own method (ExecutePayment;
 * `paymentGatewayId` is then only part of the URL), or for a SendPayment invoice the
 * `paymentGatewayId` the customer chose on the invoice page, when the invoice offers it.
 * Undefined when the choice is not offered (the page answers 404).
 */
export function checkoutPaymentMethod(invoice: InvoicePaymentColumns, paymentGatewayId: unknown): PaymentMethod | undefined {
  const offered = offeredPaymentMethods(invoice)
  if (offered === undefined) return findPaymentMethod(invoice.payment_method_id ?? 0) ?? findPaymentMethod(2)
  const requested = typeof paymentGatewayId === 'string' && /^\d{1,9}$/.test(paymentGatewayId) ? Number(paymentGatewayId) : undefined
  return offered.find((method) => method.id === requested)
}
