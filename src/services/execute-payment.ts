import { AppError, validationError } from '../domain/errors.js'
import { parseExecutePaymentRequest, type ExecutePaymentCommand } from '../domain/execute-payment-request.js'
import { formatLocalDate, localDateOf } from '../domain/schedule.js'
import { merchantNow, type Merchant } from '../domain/merchant.js'
import { EMBEDDED_CARD_METHOD_ID, findPaymentMethod } from '../domain/payment-methods.js'
import { toInvoiceId, toPaymentId, toRecurringId } from '../domain/public-ids.js'
import { findCardTokenById } from '../store/card-token.repository.js'
import type { Executor } from '../store/database.js'
import { insertInvoice, linkInvoiceToRecurrence } from '../store/invoice.repository.js'
import { insertPaymentInvoice, type NewDraftRecurrence } from '../store/payment-invoice.repository.js'
import { insertRecurrence } from '../store/recurrence.repository.js'
import { insertTransaction, unchargedTransaction } from '../store/transaction.repository.js'
import { findMerchantSession, markSessionUsed } from '../store/session.repository.js'
import type { Deps } from '../deps.js'
import { invoiceRules, newInvoiceRow } from './new-invoice.js'
import { checkoutUrl, directPaymentUrl, otpUrl } from './public-urls.js'

/** `Data` of a successful ExecutePayment (reference §2.2). */
export interface ExecutePaymentData {
  InvoiceId: number
  IsDirectPayment: boolean
  PaymentURL: string
  CustomerReference: string | null
  UserDefinedField: string | null
  RecurringId: string
}

/**
 * Creates an invoice bound to a payment method or an embedded session, and its recurrence in
 * Draft when a RecurringModel is sent. Nothing is charged here: the customer pays at PaymentURL.
 */
export async function executePayment(deps: Deps, merchant: Merchant, body: unknown): Promise<ExecutePaymentData> {
  const now = merchantNow(deps.clock.now(), merchant)
  const parsed = parseExecutePaymentRequest(body, invoiceRules(deps, merchant, now))
  if (!parsed.ok) throw validationError(parsed.errors)
  const command = parsed.command
  if (command.sessionId === null) return createInvoiceToPay(deps, merchant, command, now)

  return deps.store.db.transaction().execute(async (trx) => {
    let sessionCardTokenId: number | null = null
    let saveSessionCard = false
    if (command.sessionId !== null) {
      const session = await findMerchantSession(trx, merchant.id, command.sessionId)
      if (!session) throw validationError([{ Name: 'SessionId', Error: 'SessionId is not valid' }])
      if (session.used_at !== null) throw validationError([{ Name: 'SessionId', Error: 'SessionId has already been used' }])
      if (session.expires_at <= now) throw validationError([{ Name: 'SessionId', Error: 'SessionId has expired; call InitiateSession again' }])
      if (session.card_token_id === null) {
        throw validationError([{ Name: 'SessionId', Error: 'No card was submitted for this SessionId; call myFatoorah.submit() first' }])
      }
      const sessionCard = await findCardTokenById(trx, merchant.id, session.card_token_id)
      if (!sessionCard || sessionCard.deleted_at !== null) {
        throw validationError([{ Name: 'SessionId', Error: 'The saved card of this SessionId was canceled (CancelToken); call UpdateSession with another token' }])
      }
      sessionCardTokenId = session.card_token_id
      // SaveToken of the session: the card becomes the customer's saved card once this payment is approved.
      saveSessionCard = session.save_token === 1 && session.is_recurring === 0 && session.customer_identifier !== null
      if (!(await markSessionUsed(trx, session.id, now))) {
        throw validationError([{ Name: 'SessionId', Error: 'SessionId has already been used' }])
      }
    }

    const methodId = command.paymentMethodId ?? EMBEDDED_CARD_METHOD_ID
    const method = findPaymentMethod(methodId)
    if (!method) throw new AppError('INTERNAL', `Payment method ${methodId} disappeared`)
    const row = newInvoiceRow(merchant, command, { kind: 'method', methodId, sessionId: command.sessionId }, now)
    const invoiceKey = row.invoice_key
    const invoice = await insertInvoice(trx, row)

    let recurringId = ''
    if (command.recurring) {
      const recurrence = await insertDraftRecurrence(trx, merchant, command, invoice.id, now)
      recurringId = toRecurringId(recurrence, deps.ids)
      await linkInvoiceToRecurrence(trx, invoice.id, recurrence, 0)
    }

    let paymentUrl: string
    if (command.sessionId !== null) {
      // Embedded payments skip the card page: the card is already bound to the session, so the
      // customer goes straight to the OTP step (reference §3.3 flow).
      const { id: transactionId } = await insertTransaction(trx, unchargedTransaction({
        invoice_id: invoice.id,
        merchant_id: merchant.id,
        channel: 'embedded',
        payment_method_id: methodId,
        gateway: method.gateway,
        amount_minor: command.invoiceValueMinor,
        currency: command.currency,
        card_token_id: sessionCardTokenId,
        save_card: saveSessionCard ? 1 : 0,
        ip_address: null,
        created_at: now,
      }))
      paymentUrl = otpUrl(deps.config, merchant, command.language, toPaymentId(transactionId, deps.ids), command.sessionId)
    } else if (method.isDirectPayment) {
      paymentUrl = directPaymentUrl(deps.config, invoiceKey, method.id)
    } else {
      paymentUrl = checkoutUrl(deps.config, merchant, command.language, invoiceKey, method.id)
    }

    return {
      InvoiceId: toInvoiceId(invoice.id, deps.ids),
      IsDirectPayment: command.sessionId === null && method.isDirectPayment,
      PaymentURL: paymentUrl,
      CustomerReference: command.customerReference,
      UserDefinedField: command.userDefinedField,
      RecurringId: recurringId,
    }
  })
}

/**
 * The common case, kept lean: an invoice to pay at its PaymentURL (and its Draft recurrence)
 * written by one atomic statement or transaction, with no reads.
 */
async function createInvoiceToPay(deps: Deps, merchant: Merchant, command: ExecutePaymentCommand, now: number): Promise<ExecutePaymentData> {
  const methodId = command.paymentMethodId ?? EMBEDDED_CARD_METHOD_ID
  const method = findPaymentMethod(methodId)
  if (!method) throw new AppError('INTERNAL', `Payment method ${methodId} disappeared`)
  const row = newInvoiceRow(merchant, command, { kind: 'method', methodId, sessionId: null }, now)
  const written = await insertPaymentInvoice(deps.store, row, command.recurring ? draftRecurrence(merchant, command, now) : null)
  return {
    InvoiceId: toInvoiceId(written.invoiceId, deps.ids),
    IsDirectPayment: method.isDirectPayment,
    PaymentURL: method.isDirectPayment
      ? directPaymentUrl(deps.config, row.invoice_key, method.id)
      : checkoutUrl(deps.config, merchant, command.language, row.invoice_key, method.id),
    CustomerReference: command.customerReference,
    UserDefinedField: command.userDefinedField,
    RecurringId: written.recurrenceId === null ? '' : toRecurringId(written.recurrenceId, deps.ids),
  }
}

async function insertDraftRecurrence(
  trx: Executor,
  merchant: Merchant,
  command: ExecutePaymentCommand,
  initialInvoiceId: number,
  now: number,
): Promise<number> {
  return insertRecurrence(trx, { ...draftRecurrence(merchant, command, now), initial_invoice_id: initialInvoiceId })
}

/** The Draft recurrence of an ExecutePayment with a RecurringModel, before its first payment. */
function draftRecurrence(merchant: Merchant, command: ExecutePaymentCommand, now: number): NewDraftRecurrence {
  const recurring = command.recurring
  if (!recurring) throw new AppError('INTERNAL', 'draftRecurrence needs a RecurringModel')
  return {
    merchant_id: merchant.id,
    status: 'Draft',
    recurring_type: recurring.recurringType,
    interval_days: recurring.intervalDays,
    iteration: recurring.iteration,
    retry_count: recurring.retryCount,
    amount_minor: command.invoiceValueMinor,
    currency: command.currency,
    // Until the first payment the schedule counts from the creation date; paying re-anchors
    // it on the payment date (docs/recurring.md).
    anchor_date: formatLocalDate(localDateOf(now, merchant.timeZone)),
    card_token_id: null,
    executed_times: 0,
    next_cycle: 1,
    failed_attempts: 0,
    next_attempt_at: null,
    last_pay_at: null,
    lease_until: null,
    created_at: now,
    updated_at: now,
  }
}
