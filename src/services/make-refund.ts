import { refundPayment } from '../charging/refund.js'
import { isCurrencyCode } from '../domain/currencies.js'
import { validationError, type FieldError } from '../domain/errors.js'
import { FieldReader } from '../domain/field-reader.js'
import type { Merchant } from '../domain/merchant.js'
import { formatAmount, minorToMajorNumber } from '../domain/money.js'
import { toInvoiceId, toRefundId } from '../domain/public-ids.js'
import { readKeyText, readPositiveAmount } from '../domain/request-fields.js'
import { refundReference, type RefundStatus } from '../domain/refund.js'
import type { Deps } from '../deps.js'
import { paymentTargetOf } from './payment-key.js'

/** The key types of MakeRefund (reference: InvoiceId or PaymentId), matched case-insensitively. */
export const REFUND_KEY_TYPES = ['InvoiceId', 'PaymentId'] as const

/** MakeRefund's success `Message` (MyFatoorah's text is not published; clients read IsSuccess and Data). */
export const MAKE_REFUND_SUCCESS_MESSAGE = 'Refund request submitted successfully!'

/** The texts of refused refunds: MyFatoorah's where known, else dawri's. */
export const REFUND_ERRORS = {
  unknown: 'No transaction exist matching this Key!',
  notCaptured: 'Transaction not Captured!',
  underProcessing: 'The transaction is already under processing!',
  fullyRefunded: 'The payment has already been fully refunded',
  notPositive: 'Amount must be more than 0',
} as const

const MAX_COMMENT = 1000
const MAX_EXTERNAL_IDENTIFIER = 100

/** MakeRefund's `Data`; `RefundStatus` is beyond MyFatoorah (the sandbox executes refunds at once). */
export interface MakeRefundData {
  Key: string
  RefundId: number
  RefundReference: string
  RefundInvoiceId: number
  Amount: number
  Comment: string | null
  RefundStatus: RefundStatus
}

/**
 * MakeRefund: returns `Amount` (base currency) of the captured payment named by `Key` to the
 * card that paid it, through the charging engine (charging/refund.ts). Every bad field is
 * listed at once; refusals name `Key` or `Amount`. `rawBody` is the request's text, from which a
 * numeric `Key` is read without going through a double.
 */
export async function makeRefund(deps: Deps, merchant: Merchant, body: unknown, rawBody?: string): Promise<MakeRefundData> {
  const errors: FieldError[] = []
  const reader = new FieldReader(body, errors)
  const key = readKeyText(reader, rawBody)
  const keyType = reader.choice('KeyType', REFUND_KEY_TYPES, { required: true })
  const amountMinor = readAmount(reader, merchant)
  const comment = reader.string('Comment', { max: MAX_COMMENT }) ?? null
  const externalIdentifier = reader.string('ExternalIdentifier', { max: MAX_EXTERNAL_IDENTIFIER }) ?? null
  const serviceChargeOnCustomer = reader.boolean('ServiceChargeOnCustomer') ?? false
  // Accepted for MyFatoorah's clients; the sandbox charges no bank refund fee and has no suppliers.
  reader.boolean('RefundChargeOnCustomer')
  reader.decimal('AmountDeductedFromSupplier')
  // dawri converts no amounts (GetCurrenciesExchangeList gives every rate as 1): a supported
  // CurrencyIso is accepted and Amount read in the base currency, as the invoice's amounts are.
  const currencyIso = reader.string('CurrencyIso', { max: 3 })?.trim().toUpperCase()
  if (currencyIso !== undefined && !isCurrencyCode(currencyIso)) reader.fail('CurrencyIso', 'CurrencyIso is not a supported currency')
  if (errors.length > 0 || key === undefined || keyType === undefined || amountMinor === undefined) {
    throw validationError(errors.length > 0 ? errors : [{ Name: 'Key', Error: 'Key is required' }])
  }

  const keyError = (error: string) => validationError([{ Name: reader.nameOf('Key'), Error: error }])
  const target = await paymentTargetOf(deps, merchant, key, keyType)
  if (!target) throw keyError(REFUND_ERRORS.unknown)
  const outcome = await refundPayment(deps, { merchant, target, amountMinor, comment, externalIdentifier, serviceChargeOnCustomer })
  if (outcome.kind === 'refused') {
    const amountError = (error: string) => validationError([{ Name: reader.nameOf('Amount'), Error: error }])
    switch (outcome.reason) {
      case 'unknown':
        throw keyError(REFUND_ERRORS.unknown)
      case 'not-captured':
        throw keyError(REFUND_ERRORS.notCaptured)
      case 'under-processing':
        throw keyError(REFUND_ERRORS.underProcessing)
      case 'fully-refunded':
        throw amountError(REFUND_ERRORS.fullyRefunded)
      case 'exceeds-refundable':
        throw amountError(`Amount must not be more than what is left to refund: ${formatAmount(outcome.refundableMinor, merchant.currency)} ${merchant.currency}`)
    }
    return assertNever(outcome.reason)
  }
  const { refund, invoice } = outcome
  return {
    Key: key,
    RefundId: toRefundId(refund.id, deps.ids),
    RefundReference: refundReference(refund, merchant.timeZone),
    // dawri makes no invoice of its own for a refund: the refunded invoice's id.
    RefundInvoiceId: toInvoiceId(invoice.id, deps.ids),
    Amount: minorToMajorNumber(refund.amount_minor, merchant.currency),
    Comment: refund.comment,
    RefundStatus: refund.status,
  }
}

/** `Key` as text; a JSON number is read from the raw body, so digits beyond 2^53 survive. */

function readAmount(reader: FieldReader, merchant: Merchant): number | undefined {
  return readPositiveAmount(reader, merchant.currency, { required: true, notPositive: REFUND_ERRORS.notPositive })
}


function assertNever(value: never): never {
  throw new Error(`Unhandled refund refusal ${String(value)}`)
}

