import type { InvoiceStatus, RecurringStatus } from './common.js'

/** `GetRecurringPayment`: every recurring payment of the account, or one. */
export interface GetRecurringPaymentRequest {
  /** Only this recurring payment (`RECUR…`). */
  readonly recurringId?: string
  /** Beyond MyFatoorah: only this status. */
  readonly RecurringStatus?: RecurringStatus
  /** Beyond MyFatoorah: page size (with PageNumber). Default: everything. */
  readonly PageSize?: number
  readonly PageNumber?: number
}

/** An invoice created by a recurring payment. */
export interface RecurringInvoice {
  readonly InvoiceId: number
  readonly CustomerReference: string | null
  readonly CustomerName: string | null
  readonly CustomerMobile: string | null
  readonly CreatedDate: string
  readonly InvoiceStatus: InvoiceStatus
}

/** One recurring payment. Dates are local times of the account's country, without offset. */
export interface RecurringPayment {
  readonly RecurringId: string
  readonly RecurringStatus: RecurringStatus
  readonly CreationDate: string
  readonly RecurringValue: number
  readonly RecurringType: string
  readonly IntervalDays: number | null
  /** Successful automatic charges. */
  readonly ExecutedTimes: number
  readonly LastPayDate: string
  readonly NextPayDate: string | null
  readonly IsActive: boolean
  readonly RecurringInvoices: readonly RecurringInvoice[] | null
}

/** `Data` of GetRecurringPayment. */
export interface GetRecurringPaymentData {
  readonly RecurringPayment: readonly RecurringPayment[]
}

/** `CancelRecurringPayment` / `ResumeRecurringPayment`: the recurring payment, by its id. */
export interface RecurringIdRequest {
  readonly recurringId: string
}
