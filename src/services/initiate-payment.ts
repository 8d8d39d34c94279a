import { CURRENCY_CODES } from '../domain/currencies.js'
import { validationError, type FieldError } from '../domain/errors.js'
import { FieldReader } from '../domain/field-reader.js'
import type { Merchant } from '../domain/merchant.js'
import { minorToMajorNumber, parseAmount } from '../domain/money.js'
import { PAYMENT_METHODS, serviceChargeMinor } from '../domain/payment-methods.js'
import type { Deps } from '../deps.js'

/** InitiatePayment: the account's methods with charges for an amount. Stores nothing. */
export function initiatePayment(deps: Deps, merchant: Merchant, body: unknown) {
  const errors: FieldError[] = []
  const reader = new FieldReader(body ?? {}, errors)
  const currency = reader.choice('CurrencyIso', CURRENCY_CODES) ?? merchant.currency
  const raw = reader.decimal('InvoiceAmount')
  let amountMinor = 0
  if (raw !== undefined) {
    const parsed = parseAmount(raw, currency)
    if (!parsed.ok) reader.fail('InvoiceAmount', `InvoiceAmount must be a number with at most the decimals of ${currency}`)
    else if (parsed.minor < 0) reader.fail('InvoiceAmount', 'InvoiceAmount must not be negative')
    else amountMinor = parsed.minor
  }
  if (errors.length > 0) throw validationError(errors)
  return {
    PaymentMethods: PAYMENT_METHODS.map((method) => ({
      PaymentMethodId: method.id,
      PaymentMethodAr: method.nameAr,
      PaymentMethodEn: method.nameEn,
      PaymentMethodCode: method.code,
      IsDirectPayment: method.isDirectPayment,
      ServiceCharge: minorToMajorNumber(serviceChargeMinor(method, amountMinor, currency), currency),
      // Charges are borne by the merchant, so the customer pays the invoice amount.
      TotalAmount: minorToMajorNumber(amountMinor, currency),
      CurrencyIso: currency,
      ImageUrl: `${deps.config.publicUrl}/imgs/payment-methods/${method.code}.png`,
      IsEmbeddedSupported: method.isEmbeddedSupported,
      PaymentCurrencyIso: currency,
    })),
  }
}
