import type { Amount, CurrencyIso, RefundStatus } from './common.js'

/** `POST /v2/MakeRefund`: refund all or part of a paid invoice. */
export interface MakeRefundRequest {
  readonly KeyType: 'InvoiceId' | 'PaymentId'
  readonly Key: string | number
  readonly Amount: Amount
  readonly Comment?: string
  /** Your reference of the refund, echoed in GetRefundStatus and webhooks. */
  readonly ExternalIdentifier?: string
  readonly ServiceChargeOnCustomer?: boolean
  readonly RefundChargeOnCustomer?: boolean
  readonly AmountDeductedFromSupplier?: Amount
  readonly CurrencyIso?: CurrencyIso
}

/** `Data` of MakeRefund. */
export interface MakeRefundData {
  readonly Key: string
  readonly RefundId: number
  readonly RefundReference: string
  /** The refunded invoice. */
  readonly RefundInvoiceId: number
  readonly Amount: number
  readonly Comment: string | null
  readonly RefundStatus: RefundStatus
}

/** `POST /v2/GetRefundStatus`. */
export interface GetRefundStatusRequest {
  readonly KeyType: 'InvoiceId' | 'RefundReference' | 'RefundId'
  readonly Key: string | number
}

/** One refund and its status. */
export interface RefundStatusItem {
  readonly RefundId: number
  readonly RefundStatus: RefundStatus
  readonly InvoiceId: number
  readonly Amount: number
  readonly RefundReference: string
  readonly RefundAmount: number
  readonly ExternalIdentifier: string
  readonly RRN: string
  readonly BaseCurrency: string
}

/** `Data` of GetRefundStatus: oldest first. */
export interface GetRefundStatusData {
  readonly RefundStatusResult: readonly RefundStatusItem[]
}
