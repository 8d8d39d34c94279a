import type { Generated, Kysely, Transaction } from 'kysely'

import type { CardTokenPurpose } from '../domain/cards.js'
import type { AttemptStatus, ChargeKind, TransactionChannel } from '../domain/charge.js'
import type { InvoiceStatus, TransactionStatus } from '../domain/invoice.js'
import type { WebhookVersion } from '../domain/merchant.js'
import type { RecurrenceStatus } from '../domain/recurrence.js'
import type { RecurringType } from '../domain/schedule.js'
import type { RefundStatus } from '../domain/refund.js'
import type { NotificationChannel } from '../domain/send-payment-request.js'

/**
 * Row types of every table. Conventions shared by both dialects:
 * - times are epoch milliseconds (`bigint` columns, read back as JS numbers);
 * - booleans are integers 0/1 (SQLite has no boolean type);
 * - money is integer minor units of the row's currency;
 * - JSON documents are text.
 * Public identifiers (InvoiceId, PaymentId, RecurringId) are derived from the integer primary
 * keys by a keyed permutation (see domain/public-ids.ts), so they are not stored.
 */
export interface Database {
  settings: SettingsTable
  merchants: MerchantTable
  api_keys: ApiKeyTable
  idempotency_keys: IdempotencyKeyTable
  sessions: SessionTable
  card_tokens: CardTokenTable
  invoices: InvoiceTable
  transactions: TransactionTable
  recurrences: RecurrenceTable
  charge_attempts: ChargeAttemptTable
  processor_ledger: ProcessorLedgerTable
  refunds: RefundTable
  outbox_events: OutboxEventTable
  webhook_attempts: WebhookAttemptTable
  apple_pay_domains: ApplePayDomainTable
  notifications: NotificationTable
  authorization_updates: AuthorizationUpdateTable
}

/** Instance-wide values created once, such as the key of the public id permutation. */
export interface SettingsTable {
  name: string
  value: string
}

export interface MerchantTable {
  id: Generated<number>
  name: string
  /** ISO-3 country code; decides base currency and time zone. */
  country: string
  currency: string
  /** 1 when MyFatoorah-style recurring payments are approved for this account. */
  recurring_enabled: number
  /** 1 when ProcessingDetails.Bypass3DS / DirectPayment Bypass3DS may be used. */
  bypass_3ds_enabled: number
  /** 1 when ProcessingDetails.AutoCapture false (authorise, capture or release later) may be used. */
  authorize_capture_enabled: Generated<number>
  webhook_url: string | null
  webhook_version: WebhookVersion
  webhook_secret: string
  /** Sandbox clock: milliseconds added to real time for this merchant. Only grows. */
  clock_offset_ms: number
  /** Sandbox webhook chaos settings as JSON, or null for faithful delivery. */
  webhook_chaos: string | null
  created_at: number
}

export interface ApiKeyTable {
  id: Generated<number>
  merchant_id: number
  /** SHA-256 (hex) of the key; the key itself is never stored. */
  key_hash: string
  /** First characters of the key, to tell keys apart in listings. */
  key_prefix: string
  created_at: number
  revoked_at: number | null
}

export interface IdempotencyKeyTable {
  merchant_id: number
  idempotency_key: string
  /** SHA-256 of method, route and body of the first request. */
  request_hash: string
  response_status: number
  response_body: string
  created_at: number
}

/** Embedded-payment sessions from InitiateSession (reference §3.1). */
export interface SessionTable {
  /** The public SessionId (UUID). */
  id: string
  merchant_id: number
  customer_identifier: string | null
  save_token: number
  is_recurring: number
  /** Card collected by the Card View for this session, once submitted. */
  card_token_id: number | null
  /** When ExecutePayment consumed the session; single use. */
  used_at: number | null
  expires_at: number
  created_at: number
}

/** Tokenised cards. The full number is stored only encrypted; the CVV never. */
export interface CardTokenTable {
  id: Generated<number>
  merchant_id: number
  /** Public token text, `TKN-<uuid>`. */
  token: string
  /** One payment, a customer's saved card, or a recurrence's card. */
  purpose: CardTokenPurpose
  customer_identifier: string | null
  /** AES-256-GCM ciphertext of the card number (base64 of iv|tag|ciphertext). */
  pan_encrypted: string
  /** SHA-256 hex of the number with an instance pepper, to spot the same card again. */
  pan_hash: string
  masked_number: string
  brand: string
  issuer: string
  expiry_month: string
  expiry_year: string
  holder_name: string | null
  created_at: number
  deleted_at: number | null
}

export interface InvoiceTable {
  id: Generated<number>
  /** The merchant's own count of these rows (InvoiceReference, TrackId, RefundReference); set by the database on insert. */
  reference_number: Generated<number | null>
  merchant_id: number
  /** Random key used in hosted-page URLs (`invoiceKey`). */
  invoice_key: string
  /** GetPaymentStatus casing. */
  status: InvoiceStatus
  /** Amount in minor units of `currency` (the merchant's base currency). */
  value_minor: number
  currency: string
  display_currency: string
  payment_method_id: number | null
  session_id: string | null
  customer_name: string | null
  customer_mobile: string | null
  mobile_country_code: string | null
  customer_email: string | null
  customer_reference: string | null
  customer_civil_id: string | null
  user_defined_field: string | null
  language: string
  callback_url: string | null
  error_url: string | null
  webhook_url: string | null
  /** JSON documents of the request, normalised: address, items, shipping, suppliers, processing. */
  customer_address: string | null
  items: string
  shipping_method: number | null
  shipping_consignee: string | null
  suppliers: string
  processing_details: string | null
  /** Recurrence this invoice belongs to (initial or automatic), if any. */
  recurrence_id: number | null
  /** 0 for the initial invoice of a recurrence, n for the invoice of automatic cycle n. */
  recurrence_cycle: number | null
  /** SendPayment: JSON list of the PaymentMethodIds its invoice page offers; null when bound to `payment_method_id`. */
  invoice_payment_methods: Generated<string | null>
  expires_at: number
  created_at: number
  paid_at: number | null
}

export interface TransactionTable {
  id: Generated<number>
  /** The merchant's own count of these rows (InvoiceReference, TrackId, RefundReference); set by the database on insert. */
  reference_number: Generated<number | null>
  invoice_id: number
  merchant_id: number
  /** Wire spellings, `Succss` included. */
  status: TransactionStatus
  channel: TransactionChannel
  payment_method_id: number
  gateway: string
  amount_minor: number
  currency: string
  card_token_id: number | null
  error_code: string | null
  error_message: string | null
  reference_id: string | null
  track_id: string | null
  authorization_id: string | null
  ip_address: string | null
  /** The charge attempt that charges (or charged) this transaction; null until one is opened. */
  attempt_id: number | null
  /** 1 when the customer asked to keep the card (SaveToken): it is saved once the payment is approved. */
  save_card: Generated<number>
  /** What a capture took of an authorised transaction (`Succss` after UpdatePaymentStatus); null otherwise (a `Succss` transaction took all of `amount_minor`). */
  captured_minor: Generated<number | null>
  created_at: number
  updated_at: number
}

export interface RecurrenceTable {
  id: Generated<number>
  merchant_id: number
  initial_invoice_id: number
  status: RecurrenceStatus
  recurring_type: RecurringType
  interval_days: number | null
  /** Automatic charges after the first payment; 0 = until cancelled. */
  iteration: number
  retry_count: number
  amount_minor: number
  currency: string
  /** Local calendar date (YYYY-MM-DD, merchant's time zone) cycles are counted from. */
  anchor_date: string
  card_token_id: number | null
  /** Successful automatic charges. */
  executed_times: number
  /** The cycle the engine will charge next (1-based). */
  next_cycle: number
  /** Failed attempts already made in `next_cycle`. */
  failed_attempts: number
  /** When the next attempt is due (epoch ms), or null when nothing is scheduled. */
  next_attempt_at: number | null
  last_pay_at: number | null
  /** Worker lease: a claimed row is not claimed again before this time. */
  lease_until: number | null
  created_at: number
  updated_at: number
}

/**
 * Every movement of money: written (`open`) and committed before the processor is called, whose
 * idempotency key is `attempt-<id>`; resolved once, with the outcome, in the transaction that
 * records it.
 */
export interface ChargeAttemptTable {
  id: Generated<number>
  merchant_id: number
  /** The invoice the attempt pays. */
  invoice_id: number
  kind: ChargeKind
  /** Recurring kinds only: the recurrence, its cycle (1-based) and the attempt's number in it (0 first, then retries, then resumes). */
  recurrence_id: number | null
  cycle: number | null
  attempt_number: number | null
  status: AttemptStatus
  error_code: string | null
  /** Real time until which the opener owns the attempt (customer kinds); the recovery pass waits for it. */
  lease_until: number | null
  created_at: number
  resolved_at: number | null
}

/** The test processor's own ledger: ground truth of what was charged. */
export interface ProcessorLedgerTable {
  /** Idempotency key the caller gave (an attempt or transaction id). */
  idempotency_key: string
  merchant_id: number
  card_token_id: number | null
  amount_minor: number
  currency: string
  outcome: 'approved' | 'declined'
  error_code: string | null
  authorization_id: string | null
  created_at: number
  /** What the processor did: took the money (`charge`), returned it (`refund`), held it (`authorize`), took held money (`capture`) or let it go (`release`). */
  operation: Generated<'charge' | 'refund' | 'authorize' | 'capture' | 'release'>
  /** Refunds: the key of the charge (or authorisation) returned, when it went through the processor; captures and releases: the key of the authorisation. */
  refund_of: Generated<string | null>
}

/**
 * A refund of a captured payment (MakeRefund): written `Pending` with its charge attempt (kind
 * `refund`, whose key `attempt-<id>` the processor refunds under), settled once.
 */
export interface RefundTable {
  id: Generated<number>
  /** The merchant's own count of these rows (InvoiceReference, TrackId, RefundReference); set by the database on insert. */
  reference_number: Generated<number | null>
  merchant_id: number
  /** The refunded invoice. */
  invoice_id: number
  /** The refunded (captured, `Succss`) transaction. */
  transaction_id: number
  /** The charge attempt of kind `refund` that sends it to the processor. */
  attempt_id: number
  /** The amount asked for, minor units of `currency` (the account's base currency). */
  amount_minor: number
  /** What reaches the customer (less their share of the service charge when they bear it). */
  refund_amount_minor: number
  currency: string
  status: RefundStatus
  comment: string | null
  external_identifier: string | null
  /** 1 when the customer bears the service charge (ServiceChargeOnCustomer). */
  service_charge_on_customer: number
  /** MF code of a refund the processor declined. */
  error_code: string | null
  /** The processor's reference of an executed refund (GetRefundStatus `RRN`). */
  rrn: string | null
  created_at: number
  updated_at: number
}

/**
 * A Capture or Release of an authorised transaction (UpdatePaymentStatus): written with its charge
 * attempt (kind `capture` or `release`, whose key `attempt-<id>` the processor acts under); the
 * attempt's status is its outcome.
 */
export interface AuthorizationUpdateTable {
  id: Generated<number>
  merchant_id: number
  invoice_id: number
  /** The `Authorize` transaction captured or released. */
  transaction_id: number
  attempt_id: number
  operation: 'capture' | 'release'
  /** Captured amount (all or part of the authorised one), or the whole authorised amount released; minor units of `currency`. */
  amount_minor: number
  currency: string
  created_at: number
}

/** Delivery states of an outbox event. */
export type OutboxStatus = 'pending' | 'delivered' | 'failed' | 'skipped'

export interface OutboxEventTable {
  id: Generated<number>
  /** The merchant's own count of its events (`WH-<n>`); set by the database on insert (migration 0012). */
  reference_number: Generated<number | null>
  merchant_id: number
  /** Event code (1 payment status changed, 5 recurring updates). */
  event_code: number
  /** Object the event is about, e.g. `invoice:12` or `recurrence:3`; delivery is ordered per key. */
  entity_key: string
  /** Rendered webhook body (JSON) for the merchant's webhook version at write time. */
  body: string
  webhook_version: WebhookVersion
  target_url: string | null
  status: OutboxStatus
  attempt_count: number
  next_attempt_at: number
  lease_until: number | null
  created_at: number
  delivered_at: number | null
  /** Internal invoice the event is about (the deduction invoice for recurring events); GetWebhooks keys. */
  invoice_id: number | null
  customer_reference: string | null
  /** 0 when sandbox chaos lets later events of the same object overtake this one. */
  ordered: Generated<number>
  /** Merchant time of the first delivery attempt; the retry window counts from it. */
  first_attempt_at: number | null
}

export interface WebhookAttemptTable {
  id: Generated<number>
  event_id: number
  attempted_at: number
  status_code: number | null
  response_text: string | null
  duration_ms: number
  error: string | null
}

/** A web domain a merchant registered for the Apple Pay button (RegisterApplePayDomain); recorded only. */
export interface ApplePayDomainTable {
  id: Generated<number>
  merchant_id: number
  /** Host name as registered, lower case, no trailing dot; unique per merchant. */
  domain_name: string
  created_at: number
}

/**
 * An e-mail or SMS a SendPayment would have sent (sandbox only; nothing is sent). Listed by
 * `GET /v2/sandbox/Notifications`.
 */
export interface NotificationTable {
  id: Generated<number>
  merchant_id: number
  invoice_id: number
  /** `EML` or `SMS`. */
  channel: NotificationChannel
  /** The customer's e-mail address, or mobile number with its country code. */
  recipient: string
  /** `EN` or `AR`: the invoice's language. */
  language: string
  /** E-mails only. */
  subject: string | null
  body: string
  invoice_url: string
  created_at: number
}

/** The Kysely instance typed with dawri's schema. */
export type Db = Kysely<Database>

/** A database handle or an open transaction: what every store function runs on. */
export type Executor = Kysely<Database> | Transaction<Database>
