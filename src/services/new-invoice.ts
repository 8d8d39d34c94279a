import { randomFillSync } from 'node:crypto'

import type { ExecutePaymentRules, InvoiceFields } from '../domain/execute-payment-request.js'
import { DEFAULT_INVOICE_LIFETIME_MS } from '../domain/invoice.js'
import type { Merchant } from '../domain/merchant.js'
import type { Deps } from '../deps.js'
import type { NewInvoice } from '../store/invoice.repository.js'

/** How the customer pays the invoice: one method (ExecutePayment) or a choice (SendPayment). */
export type InvoicePaymentBinding =
  | { readonly kind: 'method'; readonly methodId: number; readonly sessionId: string | null }
  | { readonly kind: 'choice'; readonly methodIds: readonly number[] }

/**
 * The row of a new `Pending` invoice from the fields ExecutePayment and SendPayment share, with a
 * fresh random `invoice_key` (the hosted pages' credential).
 */
export function newInvoiceRow(merchant: Merchant, fields: InvoiceFields, binding: InvoicePaymentBinding, now: number): NewInvoice {
  return {
    merchant_id: merchant.id,
    invoice_key: newInvoiceKey(),
    status: 'Pending',
    value_minor: fields.invoiceValueMinor,
    currency: fields.currency,
    display_currency: fields.currency,
    payment_method_id: binding.kind === 'method' ? binding.methodId : null,
    invoice_payment_methods: binding.kind === 'choice' ? JSON.stringify(binding.methodIds) : null,
    session_id: binding.kind === 'method' ? binding.sessionId : null,
    customer_name: fields.customerName,
    customer_mobile: fields.customerMobile,
    mobile_country_code: fields.mobileCountryCode,
    customer_email: fields.customerEmail,
    customer_reference: fields.customerReference,
    customer_civil_id: fields.customerCivilId,
    user_defined_field: fields.userDefinedField,
    language: fields.language,
    callback_url: fields.callBackUrl,
    error_url: fields.errorUrl,
    webhook_url: fields.webhookUrl,
    customer_address: fields.customerAddress ? JSON.stringify(fields.customerAddress) : null,
    items: JSON.stringify(fields.items),
    shipping_method: fields.shippingMethod,
    shipping_consignee: fields.shippingConsignee ? JSON.stringify(fields.shippingConsignee) : null,
    suppliers: JSON.stringify(fields.suppliers),
    processing_details: JSON.stringify({ autoCapture: fields.autoCapture, bypass3ds: fields.bypass3ds }),
    recurrence_id: null,
    recurrence_cycle: null,
    expires_at: fields.expiresAt ?? now + DEFAULT_INVOICE_LIFETIME_MS,
    created_at: now,
    paid_at: null,
  }
}

/** What the invoice rules depend on besides the body: the merchant's account and clock. */
export function invoiceRules(deps: Deps, merchant: Merchant, now: number): ExecutePaymentRules {
  return {
    baseCurrency: merchant.currency,
    timeZone: merchant.timeZone,
    now,
    production: deps.config.mode === 'production',
    recurringEnabled: merchant.recurringEnabled,
    bypass3dsEnabled: merchant.bypass3dsEnabled,
    authorizeCaptureEnabled: merchant.authorizeCaptureEnabled,
  }
}

const KEY_BYTES = 24
/** Random bytes for this many keys are drawn at once: one system call instead of one per invoice. */
const KEYS_PER_DRAW = 256
const pool = Buffer.alloc(KEY_BYTES * KEYS_PER_DRAW)
let poolOffset = pool.length

/** A fresh unguessable invoice key (24 random bytes, base64url). */
function newInvoiceKey(): string {
  if (poolOffset >= pool.length) {
    randomFillSync(pool)
    poolOffset = 0
  }
  const key = pool.toString('base64url', poolOffset, poolOffset + KEY_BYTES)
  // Each byte is used once: overwrite it so it can never show up in a later key.
  pool.fill(0, poolOffset, poolOffset + KEY_BYTES)
  poolOffset += KEY_BYTES
  return key
}
