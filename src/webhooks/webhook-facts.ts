import type { CountryCode } from '../domain/countries.js'
import type { CurrencyCode } from '../domain/currencies.js'
import type { InvoiceStatus } from '../domain/invoice.js'
import type { RecurrenceStatus } from '../domain/recurrence.js'

/**
 * The vocabulary of webhook bodies (reference §7): versions, event names, statuses as webhooks
 * spell them, and the facts (camelCase, epoch milliseconds) the renderers of envelopes.ts turn
 * into bodies.
 */

// Lists the domain owns, re-exported under the names webhook code uses. Webhook payload
// versions a merchant can choose in the portal (reference §7.1); invoice statuses in
// GetPaymentStatus casing (reference §4.2); recurring statuses in GetRecurringPayment casing
// (reference §6.1).
export { WEBHOOK_VERSIONS, type WebhookVersion } from '../domain/merchant.js'
export { INVOICE_STATUSES, type InvoiceStatus } from '../domain/invoice.js'
export { RECURRENCE_STATUSES as RECURRING_STATUSES, type RecurrenceStatus as RecurringStatus } from '../domain/recurrence.js'

/** v1 `EventType` → `Event` name (reference §7.3). */
export const V1_EVENT_NAMES = {
  1: 'TransactionsStatusChanged',
  2: 'RefundStatusChanged',
  3: 'BalanceTransferred',
  4: 'SupplierStatusChanged',
  5: 'RecurringStatusChanged',
  6: 'DisputeStatusChanged',
  7: 'SupplierUpdateRequestChanged',
} as const

/** v2 `Event.Code` → `Event.Name` (reference §7.4). */
export const V2_EVENT_NAMES = {
  1: 'PAYMENT_STATUS_CHANGED',
  2: 'REFUND_STATUS_CHANGED',
  3: 'BALANCE_TRANSFERRED',
  4: 'SUPPLIER_STATUS_CHANGED',
  5: 'RECURRING_UPDATES',
  6: 'DISPUTE_STATUS_CHANGED',
  7: 'SUPPLIER_UPDATE_REQUEST_CHANGED',
} as const

/** Transaction statuses as webhooks spell them (reference §7.3, §6.2 for `INPROGRESS`). */
export const WEBHOOK_TRANSACTION_STATUSES = ['SUCCESS', 'FAILED', 'CANCELED', 'AUTHORIZE', 'INPROGRESS'] as const

/** One of {@link WEBHOOK_TRANSACTION_STATUSES}. */
export type WebhookTransactionStatus = (typeof WEBHOOK_TRANSACTION_STATUSES)[number]

/** The invoice a payment event is about. */
export interface InvoiceFacts {
  /** Public InvoiceId. */
  readonly id: number
  /** `InvoiceReference`, e.g. `2025015455`. */
  readonly reference: string
  readonly status: InvoiceStatus
  /** Epoch ms. */
  readonly createdAt: number
  /** Epoch ms. */
  readonly expiresAt: number
  readonly userDefinedField: string | null
  readonly customerReference: string | null
  /** The merchant's identifier of the invoice (v2 `Invoice.ExternalIdentifier`, signed). */
  readonly externalIdentifier: string | null
}

/** The payer as the merchant described them on the invoice. */
export interface CustomerFacts {
  readonly name: string | null
  readonly mobile: string | null
  readonly email: string | null
}

/** The card of a transaction, already masked; no field may hold a full PAN. */
export interface CardFacts {
  readonly nameOnCard: string | null
  /** Masked, e.g. `512345xxxxxx0008`. */
  readonly number: string
  readonly token: string | null
  readonly panHash: string | null
  /** Two digits, e.g. `01`. */
  readonly expiryMonth: string | null
  /** Two digits, e.g. `39`. */
  readonly expiryYear: string | null
  /** e.g. `Mastercard`. */
  readonly brand: string | null
  readonly issuer: string | null
  /** ISO-3, e.g. `KWT`. */
  readonly issuerCountry: string | null
  /** e.g. `credit`. */
  readonly fundingMethod: string | null
}

/** One payment attempt on the invoice. */
export interface TransactionFacts {
  /** Internal transaction id as text (v2 `Transaction.Id`, e.g. `121797`). */
  readonly id: string
  readonly status: WebhookTransactionStatus
  /** Gateway name, e.g. `VISA/MASTER`, `KNET`. */
  readonly paymentMethod: string
  /** 18–20 digit text; kept as a string for its leading zeros. */
  readonly paymentId: string
  readonly referenceId: string | null
  readonly trackId: string | null
  readonly authorizationId: string | null
  /** Epoch ms. */
  readonly transactionDate: number
  readonly eci: string | null
  readonly ipAddress: string | null
  readonly country: string | null
  /** `MF001`…`MF020`, or null on success. */
  readonly errorCode: string | null
  readonly errorMessage: string | null
  readonly card: CardFacts | null
}

/**
 * Amounts of the invoice in minor units. Display and pay amounts default to the base amount;
 * when their currency differs from the base, their value must be given (no FX here).
 */
export interface AmountFacts {
  /** Base (account) currency. */
  readonly currency: CurrencyCode
  /** Invoice value in the base currency. */
  readonly valueMinor: number
  /** Currency shown to the customer; default: base. */
  readonly displayCurrency?: CurrencyCode
  readonly displayValueMinor?: number
  /** Currency the customer was charged in; default: display currency. */
  readonly payCurrency?: CurrencyCode
  readonly payValueMinor?: number
  /** Gateway charge borne by the merchant, base currency. */
  readonly serviceChargeMinor: number
  /** VAT on the service charge, base currency. */
  readonly serviceChargeVatMinor: number
  /** What the merchant receives; default: value − service charge − VAT (as DueDeposit, §4.2). */
  readonly receivableMinor?: number
}

/** Everything a payment-status webhook says about one transaction of one invoice. */
export interface PaymentFacts {
  readonly invoice: InvoiceFacts
  readonly customer: CustomerFacts
  readonly transaction: TransactionFacts
  readonly amount: AmountFacts
}

/** A recurring agreement and its latest deduction attempt. */
export interface RecurringFacts {
  readonly recurring: {
    /** `RECUR…`. */
    readonly id: string
    readonly status: RecurrenceStatus
    /** Instant of the local midnight of the next charge; null once nothing is scheduled. */
    readonly nextPayDate: number | null
    readonly initialInvoiceId: number
  }
  /** Latest deduction attempt; null when none exists yet (e.g. a Draft cancelled unpaid). */
  readonly payment: PaymentFacts | null
}

/** Per-delivery context: who the account is and when/which event this is. */
export interface WebhookContext {
  readonly countryIsoCode: CountryCode
  /** IANA zone of the account, e.g. `Asia/Kuwait`; v1 local times are printed in it. */
  readonly timeZone: string
  /** Epoch ms of the event's creation (v1 `DateTime`, v2 `Event.CreationDate`). */
  readonly createdAt: number
  /** The account's event reference `WH-<n>` (v2 `Event.Reference`), unique within the account. */
  readonly reference: string
}

/** Refund statuses as the refund webhooks spell them (final statuses only). */
export type WebhookRefundStatus = 'REFUNDED' | 'CANCELED'

/** Everything a refund webhook says: the refund, the invoice it returns money of, and that payment. */
export interface RefundFacts {
  readonly refund: {
    /** Public RefundId. */
    readonly id: number
    /** `RefundReference`, e.g. `2026000019`. */
    readonly reference: string
    readonly status: WebhookRefundStatus
    /** Epoch ms of the MakeRefund that created it. */
    readonly createdAt: number
    readonly comment: string | null
    readonly externalIdentifier: string | null
  }
  readonly invoice: {
    /** Public InvoiceId of the refunded invoice. */
    readonly id: number
    readonly reference: string
  }
  readonly amount: {
    /** Base (account) currency, the refund's. */
    readonly currency: CurrencyCode
    /** The amount asked for. */
    readonly valueMinor: number
    /** What reaches the customer (v1 `GatewayReference.RefundAmount`). */
    readonly refundAmountMinor: number
  }
  /** The refunded payment (v1 `GatewayReference`, never signed). */
  readonly payment: {
    readonly paymentId: string
    readonly transactionId: string
    readonly authorizationId: string | null
    readonly referenceId: string | null
    /** Gateway name, e.g. `VISA/MASTER`. */
    readonly paymentMethod: string
  }
}
