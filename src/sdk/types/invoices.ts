import type { InvoiceFields } from './payments.js'

/** `POST /v2/SendPayment`: an invoice the customer pays from a link. */
export interface SendPaymentRequest extends InvoiceFields {
  readonly CustomerName: string
  /** `LNK` only returns the link; `EML`, `SMS`, `ALL` also notify the customer. */
  readonly NotificationOption: 'LNK' | 'EML' | 'SMS' | 'ALL'
  /** Payment method ids offered on the invoice page. */
  readonly InvoicePaymentMethods?: readonly number[]
}

/** `Data` of SendPayment. */
export interface SendPaymentData {
  readonly InvoiceId: number
  readonly InvoiceURL: string
  readonly CustomerReference: string | null
  readonly UserDefinedField: string | null
}
