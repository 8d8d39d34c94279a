import type { FieldError } from './errors.js'
import { readInvoiceFields, type ExecutePaymentRules, type InvoiceFields } from './execute-payment-request.js'
import { FieldReader } from './field-reader.js'
import { findPaymentMethod, PAYMENT_METHODS } from './payment-methods.js'

/** How the invoice link reaches the customer (reference §12.1), canonical spelling. */
export const NOTIFICATION_OPTIONS = ['LNK', 'EML', 'SMS', 'ALL'] as const
export type NotificationOption = (typeof NOTIFICATION_OPTIONS)[number]

/** A channel a notification is written to (never sent: docs/checkout.md, "SendPayment: invoice links"). */
export type NotificationChannel = 'EML' | 'SMS'

/** The channels an option asks for; `LNK` only answers the link. */
export function notificationChannels(option: NotificationOption): NotificationChannel[] {
  if (option === 'ALL') return ['EML', 'SMS']
  return option === 'LNK' ? [] : [option]
}

/** A valid SendPayment request: the invoice fields, how to notify, the methods offered. */
export interface SendPaymentCommand extends InvoiceFields {
  readonly customerName: string
  readonly notificationOption: NotificationOption
  /** Method ids offered on the invoice page, in the order sent, never empty. */
  readonly invoicePaymentMethods: readonly number[]
}

/**
 * The methods an invoice page offers when the request names none: one per kind of method that
 * has a hosted page (KNET, VISA/MASTER). Direct-payment methods take card data over the API only,
 * and the sandbox's second VISA/MASTER id (20) would repeat the same entry.
 */
export function defaultInvoicePaymentMethods(): number[] {
  const seen = new Set<string>()
  const ids: number[] = []
  for (const method of PAYMENT_METHODS) {
    if (method.isDirectPayment || seen.has(method.code)) continue
    seen.add(method.code)
    ids.push(method.id)
  }
  return ids
}

/**
 * Validates a SendPayment body (reference §12.1): every ExecutePayment invoice rule, plus
 * `CustomerName` and `NotificationOption` required, `CustomerEmail` with EML/ALL,
 * `CustomerMobile` with SMS/ALL, `InvoicePaymentMethods` among the enabled methods, and no
 * `RecurringModel`. `PaymentMethodId` and `SessionId` are not part of SendPayment and are
 * ignored. Returns the command, or every field error at once.
 */
export function parseSendPaymentRequest(
  body: unknown,
  rules: ExecutePaymentRules,
): { ok: true; command: SendPaymentCommand } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = []
  const reader = new FieldReader(body, errors)
  if (!reader.isObject) {
    return { ok: false, errors: [{ Name: 'request', Error: 'The request body must be a JSON object' }] }
  }
  // Every invoice rule but AutoCapture, which is SendPayment's own: a link is always captured.
  const fields = readInvoiceFields(reader, { ...rules, authorizeCaptureEnabled: true })
  refuseAuthorizeOnly(reader)

  if (!reader.has('CustomerName')) reader.fail('CustomerName', 'CustomerName is required')
  const notificationOption = reader.choice('NotificationOption', NOTIFICATION_OPTIONS, { required: true })
  const channels = notificationOption ? notificationChannels(notificationOption) : []
  if (channels.includes('EML') && !reader.has('CustomerEmail')) {
    reader.fail('CustomerEmail', `CustomerEmail is required when NotificationOption is ${notificationOption}`)
  }
  if (channels.includes('SMS') && !reader.has('CustomerMobile')) {
    reader.fail('CustomerMobile', `CustomerMobile is required when NotificationOption is ${notificationOption}`)
  }
  const invoicePaymentMethods = readInvoicePaymentMethods(reader)
  if (reader.has('RecurringModel')) {
    reader.fail('RecurringModel', 'SendPayment cannot create a recurring payment; use ExecutePayment with a card PaymentMethodId')
  }

  if (errors.length > 0 || fields === undefined || notificationOption === undefined || fields.customerName === null) {
    return { ok: false, errors }
  }
  // Extended in place, not copied with `{ ...fields, more }` (why: parseExecutePaymentRequest).
  const command: SendPaymentCommand = Object.assign(fields, {
    customerName: fields.customerName,
    notificationOption,
    invoicePaymentMethods: invoicePaymentMethods.length > 0 ? invoicePaymentMethods : defaultInvoicePaymentMethods(),
  })
  return { ok: true, command }
}

/** `ProcessingDetails.AutoCapture: false` is refused: the customer picks the method, and KNET cannot authorise. */
function refuseAuthorizeOnly(reader: FieldReader): void {
  const processing = reader.raw('ProcessingDetails')
  if (typeof processing !== 'object' || processing === null || Array.isArray(processing)) return
  // A reader of its own: a malformed value was reported with the invoice fields already.
  const nested = new FieldReader(processing, [])
  if (nested.boolean('AutoCapture') !== false) return
  ;(reader.fieldErrors as FieldError[]).push({
    Name: `${reader.nameOf('ProcessingDetails')}.${nested.nameOf('AutoCapture')}`,
    Error: 'SendPayment invoices are always captured; use ExecutePayment with a card PaymentMethodId to authorise only',
  })
}

const MAX_INVOICE_PAYMENT_METHODS = 20

/** The ids of `InvoicePaymentMethods` (numbers or numeric strings), duplicates dropped; [] when absent. */
function readInvoicePaymentMethods(reader: FieldReader): number[] {
  const raw = reader.raw('InvoicePaymentMethods')
  if (raw === undefined) return []
  const field = 'InvoicePaymentMethods'
  if (!Array.isArray(raw)) return reader.fail(field, 'InvoicePaymentMethods must be a list of PaymentMethodId values') ?? []
  if (raw.length > MAX_INVOICE_PAYMENT_METHODS) {
    return reader.fail(field, `InvoicePaymentMethods must not have more than ${MAX_INVOICE_PAYMENT_METHODS} entries`) ?? []
  }
  const ids: number[] = []
  let valid = true
  for (const value of raw) {
    const id = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d{1,9}\s*$/.test(value) ? Number(value) : Number.NaN
    if (!Number.isSafeInteger(id)) {
      reader.fail(field, 'InvoicePaymentMethods entries must be PaymentMethodId numbers')
      valid = false
    } else if (findPaymentMethod(id) === undefined) {
      reader.fail(field, `PaymentMethodId ${id} is not enabled for this account; see InitiatePayment`)
      valid = false
    } else if (!ids.includes(id)) {
      ids.push(id)
    }
  }
  return valid ? ids : []
}
