import { updateAuthorization } from '../charging/authorization-update.js'
import { AUTHORIZATION_OPERATIONS, type AuthorizationOperation } from '../domain/authorization.js'
import { validationError, type FieldError } from '../domain/errors.js'
import { FieldReader } from '../domain/field-reader.js'
import type { Merchant } from '../domain/merchant.js'
import { formatAmount, minorToMajorNumber } from '../domain/money.js'
import { toInvoiceId, toPaymentId } from '../domain/public-ids.js'
import { readKeyText, readPositiveAmount } from '../domain/request-fields.js'
import type { Deps } from '../deps.js'
import { paymentTargetOf } from './payment-key.js'

/** The key types of UpdatePaymentStatus (reference §12.4), matched case-insensitively. */
export const UPDATE_PAYMENT_STATUS_KEY_TYPES = ['InvoiceId', 'PaymentId', 'CustomerReference'] as const

/** Success `Message`s (reference §12.4). */
export const UPDATE_PAYMENT_STATUS_MESSAGES: Readonly<Record<AuthorizationOperation, string>> = {
  Capture: 'Payment captured successfully',
  Release: 'Payment released successfully',
}

/** Texts of refused operations (MyFatoorah's are not published). */
export const UPDATE_PAYMENT_STATUS_ERRORS = {
  unknown: 'No transaction exist matching this Key!',
  notAuthorized: 'No authorized payment matches this Key: it was never paid, was captured automatically, or was already captured or released',
  underProcessing: 'The transaction is already under processing!',
  notPositive: 'Amount must be more than 0',
  captureAmountRequired: 'Amount is required to capture',
  noAnswer: 'The processor has not answered yet; GetPaymentStatus shows the outcome once it is recorded',
} as const

/** UpdatePaymentStatus's `Data`: `InvoiceId` as documented, the rest beyond it. */
export interface UpdatePaymentStatusData {
  InvoiceId: number
  PaymentId: string
  Operation: AuthorizationOperation
  /** Captured, or released, in the base currency. */
  Amount: number
}

/**
 * UpdatePaymentStatus: captures all or part of a payment made with AutoCapture false, or releases
 * it, once, through the charging engine (charging/authorization-update.ts). Every bad field is
 * listed at once; refusals name `Key` or `Amount`; another account's key answers like an unknown one.
 */
export async function updatePaymentStatus(deps: Deps, merchant: Merchant, body: unknown, rawBody?: string): Promise<{ data: UpdatePaymentStatusData; message: string }> {
  const errors: FieldError[] = []
  const reader = new FieldReader(body, errors)
  const operation = reader.choice('Operation', AUTHORIZATION_OPERATIONS, { required: true })
  const key = readKeyText(reader, rawBody)
  const keyType = reader.choice('KeyType', UPDATE_PAYMENT_STATUS_KEY_TYPES, { required: true })
  const amountMinor = readAmount(reader, merchant)
  if (operation === 'Capture' && amountMinor === null) reader.fail('Amount', UPDATE_PAYMENT_STATUS_ERRORS.captureAmountRequired)
  if (errors.length > 0 || operation === undefined || key === undefined || keyType === undefined || amountMinor === undefined) {
    throw validationError(errors.length > 0 ? errors : [{ Name: 'Key', Error: 'Key is required' }])
  }

  const keyError = (error: string) => validationError([{ Name: reader.nameOf('Key'), Error: error }])
  const amountError = (error: string) => validationError([{ Name: reader.nameOf('Amount'), Error: error }])
  const target = await paymentTargetOf(deps, merchant, key, keyType)
  if (!target) throw keyError(UPDATE_PAYMENT_STATUS_ERRORS.unknown)
  const outcome = await updateAuthorization(deps, { merchant, target, operation, amountMinor })
  if (outcome.kind === 'refused') {
    const authorized = `${formatAmount(outcome.authorizedMinor, merchant.currency)} ${merchant.currency}`
    switch (outcome.reason) {
      case 'unknown':
        throw keyError(UPDATE_PAYMENT_STATUS_ERRORS.unknown)
      case 'not-authorized':
        throw keyError(UPDATE_PAYMENT_STATUS_ERRORS.notAuthorized)
      case 'under-processing':
        throw keyError(UPDATE_PAYMENT_STATUS_ERRORS.underProcessing)
      case 'exceeds-authorized':
        throw amountError(`Amount must not be more than the authorized amount: ${authorized}`)
      case 'release-not-whole':
        throw amountError(`A release returns the whole authorized amount: ${authorized}`)
    }
    return assertNever(outcome.reason)
  }
  const { result, update, invoice, transaction } = outcome
  if (result.status === 'unknown') throw keyError(UPDATE_PAYMENT_STATUS_ERRORS.noAnswer)
  const verb = operation === 'Capture' ? 'capture' : 'release'
  if (result.status === 'declined') throw keyError(`The processor declined the ${verb} (${result.errorCode}): ${result.message}`)
  return {
    message: UPDATE_PAYMENT_STATUS_MESSAGES[operation],
    data: {
      InvoiceId: toInvoiceId(invoice.id, deps.ids),
      PaymentId: toPaymentId(transaction.id, deps.ids),
      Operation: operation,
      Amount: minorToMajorNumber(update.amount_minor, merchant.currency),
    },
  }
}

/** `Key` as text; a JSON number is read from the raw body, so digits beyond 2^53 survive. */

/** Minor units of the base currency, null when absent, undefined when malformed. */
function readAmount(reader: FieldReader, merchant: Merchant): number | null | undefined {
  if (!reader.has('Amount') || reader.raw('Amount') === undefined) return null
  return readPositiveAmount(reader, merchant.currency, { required: false, notPositive: UPDATE_PAYMENT_STATUS_ERRORS.notPositive })
}


function assertNever(value: never): never {
  throw new Error(`Unhandled UpdatePaymentStatus refusal ${String(value)}`)
}
