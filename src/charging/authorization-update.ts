import { captureAmountRefusal, type AuthorizationOperation } from '../domain/authorization.js'
import type { ChargeResult, KnownChargeResult } from '../domain/charge.js'
import { isCurrencyCode } from '../domain/currencies.js'
import { coerceError } from '../domain/errors.js'
import { merchantNow, type Merchant } from '../domain/merchant.js'
import type { Deps } from '../deps.js'
import {
  findAuthorizationUpdateOfAttempt,
  insertAuthorizationUpdate,
  type AuthorizationUpdateRow,
} from '../store/authorization-update.repository.js'
import { findOpenAttemptOfInvoice, insertAttempts, resolveAttempts, type ChargeAttemptRow } from '../store/charge-attempt.repository.js'
import type { Executor } from '../store/database.js'
import type { InvoiceRow } from '../store/invoice.repository.js'
import { findMerchantById } from '../store/merchant.repository.js'
import { markInvoicesPaid } from '../store/payment.repository.js'
import { findTransaction, findTransactionById, listTransactions, settleAuthorizedTransaction, type TransactionRow } from '../store/transaction.repository.js'
import { enqueuePaymentStatusChanged } from '../webhooks/outbox.js'
import { sendAttemptAuthorizationUpdate } from './processor-call.js'
import { lockTargetInvoice, type PaymentTarget } from './payment-target.js'
import { reportChargeError, reportChargeOutcome } from './report-charge.js'

/**
 * Capture and release of authorised payments (ExecutePayment with AutoCapture false, then
 * UpdatePaymentStatus) through the charging engine, the protocol of every movement of money:
 * 1. open: under the invoice's lock, find its `Authorize` transaction, check that no other
 *    capture or release of it is under way and the amount (a capture: all or part of the
 *    authorised amount; a release: all of it), then write the attempt (kind `capture` or
 *    `release`, `open`, leased to this process) and the `authorization_updates` row; commit.
 *    Two captures racing queue on that lock: the second finds the first's open attempt (or its
 *    recorded outcome: no `Authorize` transaction left) and is refused.
 * 2. send: `processor.capture` / `processor.release` under the attempt's key `attempt-<id>`,
 *    outside any database transaction; a lost reply is resolved by the processor's look-up.
 * 3. record: in one transaction, the attempt resolved (only while still open), and when the
 *    processor approved it the transaction `Succss` with what was captured (the invoice `Paid`)
 *    or `Canceled` (the invoice stays `Pending`, payable again until it expires), with the
 *    payment webhook in the outbox. A declined capture or release changes nothing: the
 *    authorisation stands and may be captured or released again.
 * 4. recover: an attempt left open past its lease is settled by
 *    {@link recoverAuthorizationUpdateAttempt} (from the customer recovery pass).
 */

/** Why a capture or release was refused before anything was written. */
export type AuthorizationUpdateRefusal =
  /** No such invoice or payment of this merchant. */
  | 'unknown'
  /** Nothing authorised to capture or release: never paid, paid with auto-capture, already captured or released. */
  | 'not-authorized'
  /** Another capture or release of it is under way. */
  | 'under-processing'
  /** A capture above the authorised amount. */
  | 'exceeds-authorized'
  /** A release of another amount than the authorised one. */
  | 'release-not-whole'

/** What the merchant asks. */
export interface AuthorizationUpdateOrder {
  readonly merchant: Merchant
  readonly target: PaymentTarget
  readonly operation: AuthorizationOperation
  /** Capture: minor units, positive. Release: null (all of it) or the authorised amount. */
  readonly amountMinor: number | null
}

/** How a capture or release ended for the caller. */
export type AuthorizationUpdateOutcome =
  | { readonly kind: 'refused'; readonly reason: AuthorizationUpdateRefusal; readonly authorizedMinor: number }
  /** Sent; `result` is the processor's answer (`unknown`: no answer yet, the recovery pass settles it). */
  | {
      readonly kind: 'sent'
      readonly result: ChargeResult
      readonly update: AuthorizationUpdateRow
      readonly invoice: InvoiceRow
      readonly transaction: TransactionRow
    }

type OpenStep =
  | { readonly kind: 'opened'; readonly update: AuthorizationUpdateRow; readonly attempt: ChargeAttemptRow; readonly invoice: InvoiceRow; readonly transaction: TransactionRow }
  | { readonly kind: 'stale'; readonly attempt: ChargeAttemptRow }
  | Extract<AuthorizationUpdateOutcome, { kind: 'refused' }>

/** Opens, sends and records one capture or release (see the protocol above). */
export async function updateAuthorization(deps: Deps, order: AuthorizationUpdateOrder): Promise<AuthorizationUpdateOutcome> {
  for (let round = 0; ; round++) {
    const step = await deps.store.db.transaction().execute((trx) => openUpdate(trx, deps, order))
    if (step.kind === 'stale') {
      // The invoice's last capture or release belongs to a process that died: settle it, then look again.
      if (round === 0 && (await recoverAuthorizationUpdateAttempt(deps, step.attempt))) continue
      return { kind: 'refused', reason: 'under-processing', authorizedMinor: 0 }
    }
    if (step.kind === 'refused') return step
    const { update, attempt, invoice } = step
    const now = merchantNow(deps.clock.now(), order.merchant)
    const result = await sendUpdate(deps, attempt, update, step.transaction, now, { askFirst: false })
    if (result.status === 'unknown') {
      reportChargeError(deps, update.operation)
      deps.logger.warn({ attemptId: attempt.id, operation: update.operation }, 'no answer to a capture or release; left open for the recovery pass')
      return { kind: 'sent', result, update, invoice, transaction: step.transaction }
    }
    const transaction = await recordAuthorizationUpdateOutcome(deps, { merchantId: order.merchant.id, attemptId: attempt.id, update, result, now })
    return { kind: 'sent', result, update, invoice, transaction }
  }
}

async function openUpdate(trx: Executor, deps: Deps, order: AuthorizationUpdateOrder): Promise<OpenStep> {
  const { merchant, target } = order
  const refused = (reason: AuthorizationUpdateRefusal, authorizedMinor = 0): OpenStep => ({ kind: 'refused', reason, authorizedMinor })
  const invoice = await lockTargetInvoice(trx, deps, merchant, target)
  if (!invoice) return refused('unknown')
  const open = await findOpenAttemptOfInvoice(trx, invoice.id)
  if (open && (open.kind === 'capture' || open.kind === 'release')) {
    return open.lease_until !== null && open.lease_until <= deps.clock.now() ? { kind: 'stale', attempt: open } : refused('under-processing')
  }
  // Read under the lock: a capture or release recorded meanwhile counts.
  const transactions = await listTransactions(trx, invoice.id)
  const candidates = target.kind === 'invoice' ? transactions : transactions.filter((t) => t.id === target.transactionId)
  const transaction = candidates.find((t) => t.status === 'Authorize')
  if (!transaction || transaction.attempt_id === null) return refused('not-authorized')
  if (!isCurrencyCode(transaction.currency)) throw new Error(`Transaction ${transaction.id} has an unknown currency`)

  const authorizedMinor = transaction.amount_minor
  let amountMinor: number
  if (order.operation === 'Capture') {
    if (order.amountMinor === null) throw new RangeError('A capture needs an amount')
    const refusal = captureAmountRefusal(authorizedMinor, order.amountMinor)
    if (refusal === 'not-positive') throw new RangeError('A capture amount must be a positive integer of minor units')
    if (refusal) return refused(refusal, authorizedMinor)
    amountMinor = order.amountMinor
  } else {
    if (order.amountMinor !== null && order.amountMinor !== authorizedMinor) return refused('release-not-whole', authorizedMinor)
    amountMinor = authorizedMinor
  }

  const now = merchantNow(deps.clock.now(), merchant)
  const kind = order.operation === 'Capture' ? ('capture' as const) : ('release' as const)
  const [attempt] = await insertAttempts(trx, [
    {
      merchant_id: merchant.id,
      invoice_id: invoice.id,
      kind,
      recurrence_id: null,
      cycle: null,
      attempt_number: null,
      lease_until: deps.clock.now() + deps.config.billingLeaseMs,
      created_at: now,
    },
  ])
  if (!attempt) throw new Error(`The ${kind} attempt of transaction ${transaction.id} was not written`)
  const update = await insertAuthorizationUpdate(trx, {
    merchant_id: merchant.id,
    invoice_id: invoice.id,
    transaction_id: transaction.id,
    attempt_id: attempt.id,
    operation: kind,
    amount_minor: amountMinor,
    currency: transaction.currency,
    created_at: now,
  })
  return { kind: 'opened', update, attempt, invoice, transaction }
}

async function sendUpdate(
  deps: Deps,
  attempt: Pick<ChargeAttemptRow, 'id' | 'merchant_id'>,
  update: AuthorizationUpdateRow,
  transaction: TransactionRow,
  now: number,
  options: { readonly askFirst: boolean },
): Promise<ChargeResult> {
  if (!isCurrencyCode(update.currency)) throw new Error(`Authorization update ${update.id} has an unknown currency`)
  if (transaction.attempt_id === null) throw new Error(`Transaction ${transaction.id} was never authorised`)
  return sendAttemptAuthorizationUpdate(
    deps,
    {
      attemptId: attempt.id,
      merchantId: attempt.merchant_id,
      operation: update.operation,
      amountMinor: update.amount_minor,
      currency: update.currency,
      authorizationAttemptId: transaction.attempt_id,
      cardTokenId: transaction.card_token_id,
    },
    now,
    options,
  )
}

/** Options of {@link recordAuthorizationUpdateOutcome}. */
export interface RecordAuthorizationUpdateOptions {
  readonly merchantId: number
  readonly attemptId: number
  readonly update: AuthorizationUpdateRow
  readonly result: KnownChargeResult
  /** The merchant's time (sandbox clock included). */
  readonly now: number
}

/**
 * Records a capture's or release's outcome in one database transaction: the attempt resolved
 * (only while still open: whoever records second writes nothing); when approved, the
 * transaction `Succss` with the captured amount and the invoice `Paid`, or the transaction
 * `Canceled`, and the payment webhook in the outbox. Returns the transaction as it stands after.
 */
export async function recordAuthorizationUpdateOutcome(deps: Deps, options: RecordAuthorizationUpdateOptions): Promise<TransactionRow> {
  const { merchantId, attemptId, update, result, now } = options
  let recorded = false
  const transaction = await deps.store.db.transaction().execute(async (trx) => {
    recorded = (await resolveAttempts(trx, [{ attemptId, result }], now)) === 1
    if (recorded && result.status === 'approved') {
      const settled = await settleAuthorizedTransaction(trx, update.transaction_id, { operation: update.operation, capturedMinor: update.amount_minor }, now)
      if (!settled) throw new Error(`Transaction ${update.transaction_id} of open ${update.operation} attempt ${attemptId} was not Authorize`)
      if (update.operation === 'capture' && (await markInvoicesPaid(trx, [update.invoice_id], now)) !== 1) {
        deps.logger.error({ invoiceId: update.invoice_id, attemptId }, 'a capture was approved for an invoice that was not Pending')
      }
      await enqueuePaymentStatusChanged(trx, deps, { transactionId: update.transaction_id, now })
    }
    const found = await findTransaction(trx, merchantId, update.transaction_id)
    if (!found) throw new Error(`Transaction ${update.transaction_id} of attempt ${attemptId} is missing`)
    return found
  })
  if (recorded) reportChargeOutcome(deps, { kind: update.operation, attemptId, merchantId, result })
  return transaction
}

/**
 * Settles one open capture or release attempt past its lease (its process died between opening
 * and recording, or is far too slow): what the processor did under the attempt's key is
 * recorded; one it never received is sent now under the same key. False when it stays open (no
 * answer even then, or an error); the next pass tries again.
 */
export async function recoverAuthorizationUpdateAttempt(deps: Deps, attempt: ChargeAttemptRow): Promise<boolean> {
  deps.telemetry.attemptLeaseExpired()
  try {
    const update = await findAuthorizationUpdateOfAttempt(deps.store.db, attempt.id)
    const merchant = await findMerchantById(deps.store.db, attempt.merchant_id)
    const transaction = update ? await findTransactionById(deps.store.db, update.transaction_id) : undefined
    if (!update || !merchant || !transaction) throw new Error(`Attempt ${attempt.id} has no capture or release, merchant or transaction`)
    const now = merchantNow(deps.clock.now(), merchant)
    const result = await sendUpdate(deps, attempt, update, transaction, now, { askFirst: true })
    if (result.status === 'unknown') return false
    const recorded = await recordAuthorizationUpdateOutcome(deps, { merchantId: merchant.id, attemptId: attempt.id, update, result, now })
    deps.telemetry.attemptRecovered()
    deps.logger.warn({ attemptId: attempt.id, operation: update.operation, outcome: result.status, status: recorded.status }, 'recovered a capture or release left open')
    return true
  } catch (thrown) {
    deps.logger.error({ err: coerceError(thrown), attemptId: attempt.id }, 'recovering a capture or release failed; the next pass tries again')
    return false
  }
}
