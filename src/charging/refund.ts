import { capturedMinorOf } from '../domain/authorization.js'
import type { ChargeResult, KnownChargeResult } from '../domain/charge.js'
import { isCurrencyCode } from '../domain/currencies.js'
import { coerceError } from '../domain/errors.js'
import { merchantNow, type Merchant } from '../domain/merchant.js'
import { findPaymentMethod, serviceChargeMinor } from '../domain/payment-methods.js'
import { customerRefundMinor, refundableMinor, refundAmountRefusal, type RefundAmountRefusal } from '../domain/refund.js'
import type { Deps } from '../deps.js'
import { findChargeCards } from '../store/card-token.repository.js'
import { findAttempt, insertAttempts, resolveAttempts, type ChargeAttemptRow } from '../store/charge-attempt.repository.js'
import type { Executor } from '../store/database.js'
import type { InvoiceRow } from '../store/invoice.repository.js'
import { findMerchantById } from '../store/merchant.repository.js'
import { findRefund, findRefundOfAttempt, insertRefund, listRefundsOfTransaction, settleRefund, type RefundRow } from '../store/refund.repository.js'
import { findTransactionById, listTransactions, type TransactionRow } from '../store/transaction.repository.js'
import { enqueueRefundStatusChanged } from '../webhooks/outbox.js'
import { sendAttemptRefund } from './processor-call.js'
import { lockTargetInvoice, type PaymentTarget } from './payment-target.js'
import { reportChargeError, reportChargeOutcome } from './report-charge.js'

/**
 * Refunds through the charging engine. A refund returns (part of) a captured payment and
 * follows the protocol of every movement of money:
 * 1. open: under the refunded invoice's lock, check what is still refundable on the payment
 *    (captured amount minus every refund not Canceled) and that no other refund of it is
 *    Pending, then write the attempt (kind `refund`, `open`, leased to this process) and the
 *    refund (`Pending`); commit. Two refunds racing for the last remainder queue on that lock:
 *    the second sees the first and is refused.
 * 2. refund: `processor.refund` under the attempt's key, outside any database transaction; a
 *    lost reply is resolved by the processor's look-up.
 * 3. record: in one transaction, the attempt resolved (only while still open), the refund
 *    `Refunded` (or `Canceled` when the processor declined it) and its webhook in the outbox.
 *    Nothing of the invoice, its transactions or its recurrence changes.
 * 4. recover: an attempt left open past its lease is settled by {@link recoverRefundAttempt}
 *    (from the customer recovery pass): the look-up, else the refund sent again under its key.
 */

/** Why a refund was refused before anything was written. */
export type RefundRefusal =
  /** No such invoice or payment of this merchant, or nothing of it was ever paid. */
  | 'unknown'
  /** The payment was only authorised (AutoCapture off): release it rather than refund it. */
  | 'not-captured'
  | Exclude<RefundAmountRefusal, 'not-positive'>

/** What the merchant asks to refund. */
export interface RefundOrder {
  readonly merchant: Merchant
  readonly target: PaymentTarget
  /** Minor units of the merchant's base currency, positive. */
  readonly amountMinor: number
  readonly comment: string | null
  readonly externalIdentifier: string | null
  readonly serviceChargeOnCustomer: boolean
}

/** How a refund ended for the caller. */
export type RefundOutcome =
  | { readonly kind: 'refused'; readonly reason: RefundRefusal; readonly refundableMinor: number }
  /** Written; `refund.status` is `Refunded` or `Canceled`, or `Pending` when the processor gave no answer yet (recovery settles it). */
  | { readonly kind: 'made'; readonly refund: RefundRow; readonly invoice: InvoiceRow; readonly transaction: TransactionRow }

type OpenStep =
  | { readonly kind: 'opened'; readonly refund: RefundRow; readonly attempt: ChargeAttemptRow; readonly invoice: InvoiceRow; readonly transaction: TransactionRow }
  | { readonly kind: 'stale'; readonly attempt: ChargeAttemptRow }
  | Extract<RefundOutcome, { kind: 'refused' }>

/** Opens, sends and records one refund (see the protocol above). */
export async function refundPayment(deps: Deps, order: RefundOrder): Promise<RefundOutcome> {
  if (!Number.isSafeInteger(order.amountMinor) || order.amountMinor <= 0) throw new RangeError('A refund amount must be a positive integer of minor units')
  for (let round = 0; ; round++) {
    const step = await deps.store.db.transaction().execute((trx) => openRefund(trx, deps, order))
    if (step.kind === 'stale') {
      // The payment's last refund belongs to a process that died: settle it, then look again.
      if (round === 0 && (await recoverRefundAttempt(deps, step.attempt))) continue
      return { kind: 'refused', reason: 'under-processing', refundableMinor: 0 }
    }
    if (step.kind === 'refused') return step
    const { refund, attempt, invoice, transaction } = step
    const now = merchantNow(deps.clock.now(), order.merchant)
    const result = await sendRefund(deps, attempt, refund, transaction, now, { askFirst: false })
    if (result.status === 'unknown') {
      // No answer even from the look-up: the refund stays Pending and the recovery pass settles it.
      reportChargeError(deps, 'refund')
      deps.logger.warn({ attemptId: attempt.id, refundId: refund.id }, 'no answer to a refund; left Pending for the recovery pass')
      return { kind: 'made', refund, invoice, transaction }
    }
    const recorded = await recordRefundOutcome(deps, { attemptId: attempt.id, refundId: refund.id, merchantId: order.merchant.id, result, now })
    return { kind: 'made', refund: recorded, invoice, transaction }
  }
}

async function openRefund(trx: Executor, deps: Deps, order: RefundOrder): Promise<OpenStep> {
  const { merchant, target } = order
  const refused = (reason: RefundRefusal, refundableMinor = 0): OpenStep => ({ kind: 'refused', reason, refundableMinor })
  const invoice = await lockTargetInvoice(trx, deps, merchant, target)
  if (!invoice) return refused('unknown')
  // Read under the lock: a payment recorded meanwhile counts.
  const transactions = await listTransactions(trx, invoice.id)
  const candidates = target.kind === 'invoice' ? transactions : transactions.filter((t) => t.id === target.transactionId)
  const transaction = candidates.find((t) => t.status === 'Succss')
  if (!transaction) return refused(candidates.some((t) => t.status === 'Authorize') ? 'not-captured' : 'unknown')

  const refunds = await listRefundsOfTransaction(trx, transaction.id)
  const pending = refunds.find((r) => r.status === 'Pending')
  if (pending) {
    const attempt = await findAttempt(trx, pending.attempt_id)
    if (attempt && attempt.status === 'open' && attempt.lease_until !== null && attempt.lease_until <= deps.clock.now()) return { kind: 'stale', attempt }
  }
  const counted = refunds.map((r) => ({ amountMinor: r.amount_minor, status: r.status }))
  // What the payment took: all of it, or what a capture took of an authorisation (UpdatePaymentStatus).
  const capturedMinor = capturedMinorOf(transaction)
  const refusal = refundAmountRefusal(capturedMinor, counted, order.amountMinor)
  if (refusal === 'not-positive') throw new RangeError('A refund amount must be positive')
  if (refusal) return refused(refusal, refundableMinor(capturedMinor, counted))
  if (!isCurrencyCode(transaction.currency)) throw new Error(`Transaction ${transaction.id} has an unknown currency`)

  const now = merchantNow(deps.clock.now(), merchant)
  const [attempt] = await insertAttempts(trx, [
    {
      merchant_id: merchant.id,
      invoice_id: invoice.id,
      kind: 'refund',
      recurrence_id: null,
      cycle: null,
      attempt_number: null,
      lease_until: deps.clock.now() + deps.config.billingLeaseMs,
      created_at: now,
    },
  ])
  if (!attempt) throw new Error(`The refund attempt of transaction ${transaction.id} was not written`)
  const method = findPaymentMethod(transaction.payment_method_id)
  const refund = await insertRefund(trx, {
    merchant_id: merchant.id,
    invoice_id: invoice.id,
    transaction_id: transaction.id,
    attempt_id: attempt.id,
    amount_minor: order.amountMinor,
    refund_amount_minor: customerRefundMinor({
      amountMinor: order.amountMinor,
      capturedMinor,
      serviceChargeMinor: method ? serviceChargeMinor(method, capturedMinor, transaction.currency) : 0,
      serviceChargeOnCustomer: order.serviceChargeOnCustomer,
    }),
    currency: transaction.currency,
    comment: order.comment,
    external_identifier: order.externalIdentifier,
    service_charge_on_customer: order.serviceChargeOnCustomer ? 1 : 0,
    created_at: now,
  })
  return { kind: 'opened', refund, attempt, invoice, transaction }
}

/** Sends the refund of an attempt (the card and charge it returns money to, read for the call). */
async function sendRefund(
  deps: Deps,
  attempt: Pick<ChargeAttemptRow, 'id' | 'merchant_id'>,
  refund: RefundRow,
  transaction: TransactionRow,
  now: number,
  options: { readonly askFirst: boolean },
): Promise<ChargeResult> {
  if (!isCurrencyCode(refund.currency)) throw new Error(`Refund ${refund.id} has an unknown currency`)
  const [card] = transaction.card_token_id === null ? [] : await findChargeCards(deps.store.db, [transaction.card_token_id])
  return sendAttemptRefund(
    deps,
    {
      attemptId: attempt.id,
      merchantId: attempt.merchant_id,
      amountMinor: refund.amount_minor,
      currency: refund.currency,
      chargeAttemptId: transaction.attempt_id,
      card: card ?? null,
    },
    now,
    options,
  )
}

/** Options of {@link recordRefundOutcome}. */
export interface RecordRefundOutcomeOptions {
  readonly merchantId: number
  readonly attemptId: number
  readonly refundId: number
  readonly result: KnownChargeResult
  /** The merchant's time (sandbox clock included). */
  readonly now: number
}

/**
 * Records a refund's outcome in one database transaction: the attempt resolved (only while still
 * open: whoever records second writes nothing), the refund `Refunded` (with the processor's
 * reference as RRN) or `Canceled` (with the MF code), and the refund webhook in the outbox.
 * Returns the refund as it stands after.
 */
export async function recordRefundOutcome(deps: Deps, options: RecordRefundOutcomeOptions): Promise<RefundRow> {
  const { merchantId, attemptId, refundId, result, now } = options
  let recorded = false
  const refund = await deps.store.db.transaction().execute(async (trx) => {
    recorded = (await resolveAttempts(trx, [{ attemptId, result }], now)) === 1
    if (recorded) {
      const settled = await settleRefund(trx, {
        refundId,
        status: result.status === 'approved' ? 'Refunded' : 'Canceled',
        errorCode: result.status === 'declined' ? result.errorCode : null,
        rrn: result.status === 'approved' ? result.referenceId : null,
        now,
      })
      if (!settled) throw new Error(`Refund ${refundId} of open attempt ${attemptId} was not Pending`)
      await enqueueRefundStatusChanged(trx, deps, { refundId, now })
    }
    const found = await findRefund(trx, merchantId, refundId)
    if (!found) throw new Error(`Refund ${refundId} of attempt ${attemptId} is missing`)
    return found
  })
  if (recorded) reportChargeOutcome(deps, { kind: 'refund', attemptId, merchantId, result })
  return refund
}

/**
 * Settles one open refund attempt past its lease (its process died between opening and
 * recording, or is far too slow): what the processor did under the attempt's key is recorded;
 * a refund it never received is sent now under the same key. False when it stays open (no
 * answer even then, or an error); the next pass tries again.
 */
export async function recoverRefundAttempt(deps: Deps, attempt: ChargeAttemptRow): Promise<boolean> {
  deps.telemetry.attemptLeaseExpired()
  try {
    const refund = await findRefundOfAttempt(deps.store.db, attempt.id)
    const merchant = await findMerchantById(deps.store.db, attempt.merchant_id)
    const transaction = refund ? await findTransactionById(deps.store.db, refund.transaction_id) : undefined
    if (!refund || !merchant || !transaction) throw new Error(`Refund attempt ${attempt.id} has no refund, merchant or transaction`)
    const now = merchantNow(deps.clock.now(), merchant)
    const result = await sendRefund(deps, attempt, refund, transaction, now, { askFirst: true })
    if (result.status === 'unknown') return false
    const recorded = await recordRefundOutcome(deps, { merchantId: merchant.id, attemptId: attempt.id, refundId: refund.id, result, now })
    deps.telemetry.attemptRecovered()
    deps.logger.warn({ attemptId: attempt.id, refundId: refund.id, status: recorded.status }, 'recovered a refund left open')
    return true
  } catch (thrown) {
    deps.logger.error({ err: coerceError(thrown), attemptId: attempt.id }, 'recovering a refund failed; the next pass tries again')
    return false
  }
}
