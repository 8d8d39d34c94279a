import { CURRENCY_CODES, type CurrencyCode } from './currencies.js'
import type { FieldError } from './errors.js'
import { FieldReader } from './field-reader.js'
import { parseLocalIsoDateTime } from './local-iso.js'
import { multiplyMinor, parseAmount, type ParseAmountFailure } from './money.js'
import { findPaymentMethod } from './payment-methods.js'
import { RECURRING_TYPES_LIST, type RecurringModelInput } from './recurring-model.js'
import { checkMerchantUrl } from './urls.js'

/** One invoice line, money in minor units of the invoice currency. */
export interface InvoiceItem {
  readonly itemName: string
  readonly quantity: number
  readonly unitPriceMinor: number
  readonly weight: number | null
  readonly width: number | null
  readonly height: number | null
  readonly depth: number | null
}

/** A multi-vendor share of the invoice. */
export interface SupplierShare {
  readonly supplierCode: number
  readonly invoiceShareMinor: number
  readonly proposedShareMinor: number | null
}

/** Shipping recipient, required with a ShippingMethod. */
export interface ShippingConsignee {
  readonly personName: string
  readonly mobile: string
  readonly emailAddress: string | null
  readonly lineAddress: string
  readonly cityName: string
  readonly postalCode: string | null
  readonly countryCode: string
}

/** Customer address block of ExecutePayment. */
export interface CustomerAddress {
  readonly block: string | null
  readonly street: string | null
  readonly houseBuildingNo: string | null
  readonly address: string | null
  readonly addressInstructions: string | null
}

/**
 * The invoice fields ExecutePayment and SendPayment share (reference §2.2, §12.1), normalised:
 * money in minor units, enums in canonical case.
 */
export interface InvoiceFields {
  readonly invoiceValueMinor: number
  /** Currency of every amount of the invoice (DisplayCurrencyIso, default the base currency). */
  readonly currency: CurrencyCode
  readonly customerName: string | null
  readonly mobileCountryCode: string | null
  readonly customerMobile: string | null
  readonly customerEmail: string | null
  readonly callBackUrl: string | null
  readonly errorUrl: string | null
  readonly language: 'EN' | 'AR'
  readonly customerReference: string | null
  readonly customerCivilId: string | null
  readonly userDefinedField: string | null
  readonly customerAddress: CustomerAddress | null
  /** Epoch ms, or null for the default expiry. */
  readonly expiresAt: number | null
  readonly items: readonly InvoiceItem[]
  readonly shippingMethod: 1 | 2 | null
  readonly shippingConsignee: ShippingConsignee | null
  readonly suppliers: readonly SupplierShare[]
  readonly autoCapture: boolean
  readonly bypass3ds: boolean
  readonly webhookUrl: string | null
}

/** A valid ExecutePayment request: the invoice fields, the method or session, the recurrence. */
export interface ExecutePaymentCommand extends InvoiceFields {
  readonly paymentMethodId: number | null
  readonly sessionId: string | null
  readonly recurring: RecurringModelInput | null
}

/** What the rules depend on besides the request body. */
export interface ExecutePaymentRules {
  readonly baseCurrency: CurrencyCode
  readonly timeZone: string
  /** The merchant's current time (sandbox clock included). */
  readonly now: number
  readonly production: boolean
  readonly recurringEnabled: boolean
  readonly bypass3dsEnabled: boolean
  /** ProcessingDetails.AutoCapture false may be used; default false. */
  readonly authorizeCaptureEnabled?: boolean
}

const MOBILE_PATTERN = /^(?:(\+)|(00)|(\*)|())[0-9]{3,14}((#)|())$/
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const MAX_ITEMS = 250

const AMOUNT_MESSAGES: Record<ParseAmountFailure, (field: string, currency: CurrencyCode) => string> = {
  'not-a-number': (field) => `${field} must be a number`,
  'too-many-decimals': (field, currency) => `${field} has more decimals than ${currency} allows`,
  'too-large': (field) => `${field} is too large`,
}

/**
 * Validates an ExecutePayment body against every rule of reference §2.2 and §2.3. Returns the
 * command, or every field error at once.
 */
export function parseExecutePaymentRequest(
  body: unknown,
  rules: ExecutePaymentRules,
): { ok: true; command: ExecutePaymentCommand } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = []
  const reader = new FieldReader(body, errors)
  if (!reader.isObject) {
    return { ok: false, errors: [{ Name: 'request', Error: 'The request body must be a JSON object' }] }
  }

  const fields = readInvoiceFields(reader, rules)

  const paymentMethodId = reader.integer('PaymentMethodId', { min: 1 })
  const sessionId = reader.string('SessionId', { pattern: UUID_PATTERN, patternMessage: 'SessionId is not valid' })
  const methodGiven = reader.has('PaymentMethodId')
  const sessionGiven = reader.has('SessionId')
  if (methodGiven && sessionGiven) {
    reader.fail('SessionId', 'Send either PaymentMethodId or SessionId, not both')
  } else if (!methodGiven && !sessionGiven) {
    reader.fail('PaymentMethodId', 'PaymentMethodId or SessionId is required')
  }
  const method = paymentMethodId === undefined ? undefined : findPaymentMethod(paymentMethodId)
  if (paymentMethodId !== undefined && method === undefined) {
    reader.fail('PaymentMethodId', 'PaymentMethodId is not enabled for this account; see InitiatePayment')
  }

  const recurring = readRecurringModel(reader)
  if (recurring) {
    if (!rules.recurringEnabled) {
      reader.fail('RecurringModel', 'Recurring payments are not enabled for this account')
    } else if (method && !method.isCard) {
      reader.fail('RecurringModel', `Recurring payments need a card payment method; ${method.nameEn} cannot recur`)
    }
  }
  // ProcessingDetails was read (and checked) with the shared invoice fields; this reader only
  // names its fields again for the rules that depend on the method or the recurrence.
  const processing = fields !== undefined && reader.has('ProcessingDetails') ? reader.object('ProcessingDetails') : undefined
  const autoCapture = fields?.autoCapture ?? true
  if (processing && !autoCapture) {
    // Renewals are charged by the engine with nobody to capture them: a recurrence always captures.
    if (recurring) processing?.fail('AutoCapture', 'AutoCapture false cannot be used with a RecurringModel: recurring payments are always captured')
    else if (method && !method.isCard) processing?.fail('AutoCapture', `AutoCapture false needs a card payment method; ${method.nameEn} cannot authorise`)
  }

  if (errors.length > 0 || fields === undefined) return { ok: false, errors }
  // `fields` is new and ours, so it is extended in place. Not `{ ...fields, more }`: on Node 20,
  // a spread followed by more properties leaves garbage in V8's old generation on every call,
  // which only full collections free; at ~1,000 requests/s that was a full collection every
  // ~3 s and a 30-130 ms latency stall with each (bench/README.md, "Reading the table").
  const command: ExecutePaymentCommand = Object.assign(fields, {
    paymentMethodId: paymentMethodId ?? null,
    sessionId: sessionId?.toLowerCase() ?? null,
    recurring,
  })
  return { ok: true, command }
}

/**
 * Reads the invoice fields ExecutePayment and SendPayment share (reference §2.2, §12.1), adding
 * every problem to the reader's errors. Undefined when a field is invalid.
 */
export function readInvoiceFields(reader: FieldReader, rules: ExecutePaymentRules): InvoiceFields | undefined {
  const errorsBefore = reader.fieldErrors.length
  const currency = reader.choice('DisplayCurrencyIso', CURRENCY_CODES) ?? rules.baseCurrency
  const readAmount = (from: FieldReader, field: string, required: boolean): number | undefined => {
    const raw = from.decimal(field, { required })
    if (raw === undefined) return undefined
    const parsed = parseAmount(raw, currency)
    if (!parsed.ok) return from.fail(field, AMOUNT_MESSAGES[parsed.reason](field, currency))
    return parsed.minor
  }

  let invoiceValueMinor = readAmount(reader, 'InvoiceValue', true)
  if (invoiceValueMinor !== undefined && invoiceValueMinor <= 0) {
    invoiceValueMinor = reader.fail('InvoiceValue', 'Invoice value must be more than 0')
  }

  const customerName = reader.string('CustomerName', { max: 100 })
  const mobileCountryCode = reader.string('MobileCountryCode', {
    max: 5,
    pattern: /^\+?\d{1,4}$/,
    patternMessage: 'MobileCountryCode must be a dialling code such as +965',
  })
  const customerMobile = readMobile(reader)
  const customerEmail = reader.string('CustomerEmail', {
    max: 100,
    pattern: EMAIL_PATTERN,
    patternMessage: 'CustomerEmail is not a valid email address',
  })
  const callBackUrl = readUrl(reader, 'CallBackUrl', rules.production, false)
  const errorUrl = readUrl(reader, 'ErrorUrl', rules.production, false)
  const webhookUrl = readUrl(reader, 'WebhookUrl', rules.production, rules.production)
  const language = reader.choice('Language', ['EN', 'AR'] as const) ?? 'EN'
  const customerReference = reader.string('CustomerReference', { max: 100 })
  const customerCivilId = reader.string('CustomerCivilId', { max: 50 })
  const userDefinedField = reader.string('UserDefinedField', { max: 500 })
  const customerAddress = readAddress(reader)
  const expiresAt = readExpiry(reader, rules)

  const { items, complete: itemsComplete } = readItems(reader, readAmount)
  // A sum over only the valid lines would report a mismatch the client did not make.
  if (items.length > 0 && itemsComplete && invoiceValueMinor !== undefined) {
    const total = items.reduce<number | undefined>((sum, item) => {
      const line = multiplyMinor(item.unitPriceMinor, item.quantity)
      return sum === undefined || line === undefined ? undefined : sum + line
    }, 0)
    if (total !== invoiceValueMinor) {
      reader.fail('InvoiceValue', 'Invoice value must equal the sum of Quantity × UnitPrice of the InvoiceItems')
    }
  }

  const shippingMethod = reader.integer('ShippingMethod')
  if (shippingMethod !== undefined && shippingMethod !== 1 && shippingMethod !== 2) {
    reader.fail('ShippingMethod', 'ShippingMethod must be 1 (DHL) or 2 (ARAMEX)')
  }
  const shippingConsignee = readConsignee(reader, shippingMethod !== undefined)

  const { suppliers, complete: suppliersComplete } = readSuppliers(reader, readAmount)
  if (suppliers.length > 0 && suppliersComplete && invoiceValueMinor !== undefined) {
    const shares = suppliers.reduce((sum, supplier) => sum + supplier.invoiceShareMinor, 0)
    if (shares !== invoiceValueMinor) reader.fail('Suppliers', 'The sum of the suppliers InvoiceShare must equal InvoiceValue')
  }

  const processing = reader.object('ProcessingDetails')
  const autoCapture = processing?.boolean('AutoCapture') ?? true
  const bypass3ds = processing?.boolean('Bypass3DS') ?? false
  if (processing && !autoCapture && rules.authorizeCaptureEnabled !== true) {
    processing.fail('AutoCapture', 'Authorize-only payments (AutoCapture false) are not enabled for this account')
  }
  if (processing && bypass3ds && !rules.bypass3dsEnabled) {
    processing.fail('Bypass3DS', 'Bypass3DS is not enabled for this account')
  }

  if (reader.fieldErrors.length > errorsBefore || invoiceValueMinor === undefined) return undefined
  return {
    invoiceValueMinor,
    currency,
    customerName: customerName ?? null,
    mobileCountryCode: mobileCountryCode ?? null,
    customerMobile: customerMobile ?? null,
    customerEmail: customerEmail ?? null,
    callBackUrl: callBackUrl ?? null,
    errorUrl: errorUrl ?? null,
    language,
    customerReference: customerReference ?? null,
    customerCivilId: customerCivilId ?? null,
    userDefinedField: userDefinedField ?? null,
    customerAddress,
    expiresAt: expiresAt ?? null,
    items,
    shippingMethod: shippingMethod === 1 || shippingMethod === 2 ? shippingMethod : null,
    shippingConsignee,
    suppliers,
    autoCapture,
    bypass3ds,
    webhookUrl: webhookUrl ?? null,
  }
}

/** Longest CustomerMobile in characters (reference §2.2), prefix and suffix included. */
export const MAX_MOBILE_LENGTH = 11

/** The one error of a CustomerMobile outside {@link MAX_MOBILE_LENGTH} or the documented pattern. */
export const CUSTOMER_MOBILE_RULE = `CustomerMobile must be 3 to ${MAX_MOBILE_LENGTH} digits (the number without its country code, which goes in MobileCountryCode)`

function readMobile(reader: FieldReader): string | undefined {
  const mobile = reader.string('CustomerMobile')
  if (mobile === undefined) return undefined
  // Reference §2.2: ASCII only, at most 11 characters, and the documented pattern. The pattern
  // alone allows 14 digits, but the length cap stops at 11, so both failures read as one rule.
  if (!/^[\x20-\x7e]*$/.test(mobile)) return reader.fail('CustomerMobile', 'CustomerMobile must contain only ASCII characters')
  if (mobile.length > MAX_MOBILE_LENGTH || !MOBILE_PATTERN.test(mobile)) return reader.fail('CustomerMobile', CUSTOMER_MOBILE_RULE)
  return mobile
}

function readUrl(reader: FieldReader, field: string, production: boolean, requireHttps: boolean): string | undefined {
  const value = reader.string(field)
  if (value === undefined) return undefined
  const problem = checkMerchantUrl(field, value.trim(), { forbidLocalhost: production, requireHttps })
  return problem ? reader.fail(field, problem) : value.trim()
}

function readAddress(reader: FieldReader): CustomerAddress | null {
  const address = reader.object('CustomerAddress')
  if (!address) return null
  const text = (field: string) => address.string(field, { max: 500 }) ?? null
  return {
    block: text('Block'),
    street: text('Street'),
    houseBuildingNo: text('HouseBuildingNo'),
    address: text('Address'),
    addressInstructions: text('AddressInstructions'),
  }
}

function readExpiry(reader: FieldReader, rules: ExecutePaymentRules): number | undefined {
  const text = reader.string('ExpiryDate')
  if (text === undefined) return undefined
  const instant = parseLocalIsoDateTime(text.trim(), rules.timeZone)
  if (instant === undefined) return reader.fail('ExpiryDate', 'ExpiryDate must be a date-time such as 2030-12-31T23:59:59')
  if (instant <= rules.now) return reader.fail('ExpiryDate', 'ExpiryDate must be in the future')
  return instant
}

type AmountReader = (from: FieldReader, field: string, required: boolean) => number | undefined

/** The valid lines, and whether every line sent was valid (so that their sum means something). */
function readItems(reader: FieldReader, readAmount: AmountReader): { items: InvoiceItem[]; complete: boolean } {
  const errorsBefore = reader.fieldErrors.length
  const entries = reader.array('InvoiceItems', { max: MAX_ITEMS }) ?? []
  const items: InvoiceItem[] = []
  for (const entry of entries) {
    const itemName = entry.string('ItemName', { required: true, max: 250 })
    const quantity = entry.integer('Quantity', { required: true, min: 1, max: 1_000_000 })
    const unitPriceMinor = readAmount(entry, 'UnitPrice', true)
    if (unitPriceMinor !== undefined && unitPriceMinor < 0) entry.fail('UnitPrice', 'UnitPrice must not be negative')
    const measure = (field: string, max: number, unit: string): number | null => {
      const raw = entry.decimal(field)
      if (raw === undefined) return null
      const value = Number(raw)
      if (value < 0 || value > max) return entry.fail(field, `${field} must be between 0 and ${max} ${unit}`) ?? null
      return value
    }
    const weight = measure('Weight', 100, 'kg')
    const width = measure('Width', 200, 'cm')
    const height = measure('Height', 160, 'cm')
    const depth = measure('Depth', 200, 'cm')
    if (itemName !== undefined && quantity !== undefined && unitPriceMinor !== undefined && unitPriceMinor >= 0) {
      items.push({ itemName, quantity, unitPriceMinor, weight, width, height, depth })
    }
  }
  return { items, complete: reader.fieldErrors.length === errorsBefore }
}

function readConsignee(reader: FieldReader, required: boolean): ShippingConsignee | null {
  const consignee = reader.object('ShippingConsignee', { required })
  if (!consignee) return null
  const personName = consignee.string('PersonName', { required: true, max: 100 })
  const mobile = consignee.string('Mobile', { required: true, max: 20 })
  const emailAddress = consignee.string('EmailAddress', { max: 100, pattern: EMAIL_PATTERN, patternMessage: 'EmailAddress is not a valid email address' })
  const lineAddress = consignee.string('LineAddress', { required: true, max: 500 })
  const cityName = consignee.string('CityName', { required: true, max: 100 })
  const postalCode = consignee.string('PostalCode', { max: 20 })
  const countryCode = consignee.string('CountryCode', { required: true, max: 3 })
  if (!personName || !mobile || !lineAddress || !cityName || !countryCode) return null
  return {
    personName,
    mobile,
    emailAddress: emailAddress ?? null,
    lineAddress,
    cityName,
    postalCode: postalCode ?? null,
    countryCode,
  }
}

/** The valid shares, and whether every supplier sent was valid (so that their sum means something). */
function readSuppliers(reader: FieldReader, readAmount: AmountReader): { suppliers: SupplierShare[]; complete: boolean } {
  const errorsBefore = reader.fieldErrors.length
  const entries = reader.array('Suppliers', { max: 100 }) ?? []
  const suppliers: SupplierShare[] = []
  for (const entry of entries) {
    const supplierCode = entry.integer('SupplierCode', { required: true, min: 1 })
    const invoiceShareMinor = readAmount(entry, 'InvoiceShare', true)
    if (invoiceShareMinor !== undefined && invoiceShareMinor <= 0) entry.fail('InvoiceShare', 'InvoiceShare must be more than 0')
    const proposedShareMinor = readAmount(entry, 'ProposedShare', false)
    if (proposedShareMinor !== undefined && invoiceShareMinor !== undefined && (proposedShareMinor < 0 || proposedShareMinor > invoiceShareMinor)) {
      entry.fail('ProposedShare', 'ProposedShare must be between 0 and InvoiceShare')
    }
    if (supplierCode !== undefined && invoiceShareMinor !== undefined && invoiceShareMinor > 0) {
      suppliers.push({ supplierCode, invoiceShareMinor, proposedShareMinor: proposedShareMinor ?? null })
    }
  }
  const complete = reader.fieldErrors.length === errorsBefore
  const codes = suppliers.map((supplier) => supplier.supplierCode)
  if (new Set(codes).size !== codes.length) reader.fail('Suppliers', 'Each SupplierCode may appear only once')
  return { suppliers, complete }
}

function readRecurringModel(reader: FieldReader): RecurringModelInput | null {
  const model = reader.object('RecurringModel')
  if (!model) return null
  const recurringType = model.choice('RecurringType', RECURRING_TYPES_LIST, { required: true })
  // IntervalDays is only meaningful for Custom (reference §2.3); other types ignore it.
  const intervalDays =
    recurringType === 'Custom'
      ? model.integer('IntervalDays', { required: true, min: 1, max: 180 })
      : undefined
  const iteration = model.integer('Iteration', { min: 0, max: 10_000 }) ?? 0
  // The guide allows 0..5, the API reference 1..5; accepting 0 serves both (docs/compatibility.md).
  const retryCount = model.integer('RetryCount', { min: 0, max: 5 }) ?? 0
  if (recurringType === undefined) return null
  if (recurringType === 'Custom' && intervalDays === undefined) return null
  return { recurringType, intervalDays: recurringType === 'Custom' ? (intervalDays ?? null) : null, iteration, retryCount }
}
