import { chargeAuthorizesOnly } from '../domain/authorization.js'
import { attemptIdempotencyKey, declined, NO_ANSWER_ERROR_CODE, type KnownChargeResult } from '../domain/charge.js'
import { isCurrencyCode } from '../domain/currencies.js'
import { coerceError } from '../domain/errors.js'
import { merchantNow } from '../domain/merchant.js'
import type { Deps } from '../deps.js'
import { findChargeCards } from '../store/card-token.repository.js'
import { claimExpiredCustomerAttempts, type ChargeAttemptRow } from '../store/charge-attempt.repository.js'
import { findInvoice } from '../store/invoice.repository.js'
import { findMerchantById } from '../store/merchant.repository.js'
import { findTransactionsOfAttempts } from '../store/transaction.repository.js'
import { sendAttemptCharge } from './processor-call.js'
import { recordCustomerOutcome } from './record-customer-outcome.js'
import { recoverAuthorizationUpdateAttempt } from './authorization-update.js'
import { recoverRefundAttempt } from './refund.js'

/** Customer attempts one recovery step claims at most. */
const RECOVERY_BATCH = 100

/** What a recovery pass did. */
export interface CustomerRecoveryCounts {
  /** Attempts whose outcome this pass recorded. */
  recovered: number
  /** Attempts left open (no answer even from the look-up, or an error); the next pass tries again. */
  unresolved: number
}

/**
 * The recovery pass of customer payments: every customer attempt still open after its lease
 * (its process died between committing the attempt and recording the outcome, or is far too
 * slow) is settled by asking the processor what it did under the attempt's key, and recorded
 * as it answers — an approval pays the invoice even if it expired meanwhile. A charge the
 * processor never received is sent again under the same key when the card is stored (it is
 * the payment the customer authorised; the key makes a late first copy harmless); a payment
 * with no stored card (KNET) is recorded as Failed MF008, nothing charged. Refund attempts
 * (MakeRefund), captures and releases (UpdatePaymentStatus) are recovered by the same pass, each
 * by its kind (charging/refund.ts, charging/authorization-update.ts).
 * The worker runs it continuously (billing-worker.ts); the sandbox clock for one merchant.
 */
export async function recoverCustomerAttempts(deps: Deps, options: { readonly merchantId?: number } = {}): Promise<CustomerRecoveryCounts> {
  const counts: CustomerRecoveryCounts = { recovered: 0, unresolved: 0 }
  for (;;) {
    const claimed = await claimCustomerAttemptsToRecover(deps, { ...options, limit: RECOVERY_BATCH })
    if (claimed.length === 0) return counts
    // All at once: each may wait a whole processor round trip (the look-up, perhaps a charge).
    const settled = await Promise.all(claimed.map((attempt) => recoverCustomerAttempt(deps, attempt)))
    for (const recovered of settled) {
      if (recovered) counts.recovered++
      else counts.unresolved++
    }
    // Attempts that stay open were leased again by the claim, so the loop cannot take them twice.
    if (claimed.length < RECOVERY_BATCH) return counts
  }
}

/**
 * Takes up to `limit` customer and refund attempts open past their lease and leases them to the caller for
 * another `DAWRI_BILLING_LEASE_MS`, so that no other process recovers them meanwhile.
 */
export async function claimCustomerAttemptsToRecover(
  deps: Deps,
  options: {
    readonly merchantId?: number
    readonly limit: number
    /** Take open attempts whatever their lease: only when no other live process can hold one. */
    readonly ignoreLeases?: boolean
  },
): Promise<ChargeAttemptRow[]> {
  const realNow = deps.clock.now()
  return deps.store.db.transaction().execute((trx) =>
    claimExpiredCustomerAttempts(trx, deps.store.adapter, {
      realNow: options.ignoreLeases ? Number.MAX_SAFE_INTEGER : realNow,
      leaseUntil: realNow + deps.config.billingLeaseMs,
      limit: options.limit,
      merchantId: options.merchantId,
    }),
  )
}

/** Settles one open customer or refund attempt (see {@link recoverCustomerAttempts}); false when it stays open. */
export async function recoverCustomerAttempt(deps: Deps, attempt: ChargeAttemptRow): Promise<boolean> {
  if (attempt.kind === 'refund') return recoverRefundAttempt(deps, attempt)
  if (attempt.kind === 'capture' || attempt.kind === 'release') return recoverAuthorizationUpdateAttempt(deps, attempt)
  deps.telemetry.attemptLeaseExpired()
  try {
    const [transaction] = await findTransactionsOfAttempts(deps.store.db, [attempt.id])
    const merchant = await findMerchantById(deps.store.db, attempt.merchant_id)
    if (!transaction || !merchant) throw new Error(`Attempt ${attempt.id} has no transaction or merchant`)
    const now = merchantNow(deps.clock.now(), merchant)
    let result: KnownChargeResult | undefined
    const known = await deps.processor.lookup(attemptIdempotencyKey(attempt.id))
    if (known && known.status !== 'unknown') {
      result = known
    } else {
      const [card] = transaction.card_token_id === null ? [] : await findChargeCards(deps.store.db, [transaction.card_token_id])
      if (!card || !isCurrencyCode(transaction.currency)) {
        result = declined(NO_ANSWER_ERROR_CODE)
      } else {
        const invoice = await findInvoice(deps.store.db, merchant.id, transaction.invoice_id)
        const authorizeOnly = invoice !== undefined && chargeAuthorizesOnly(invoice, transaction)
        const sent = await sendAttemptCharge(
          deps,
          { attemptId: attempt.id, merchantId: merchant.id, amountMinor: transaction.amount_minor, currency: transaction.currency, card, securityCode: null, purpose: 'customer', authorizeOnly },
          now,
          { askFirst: false },
        )
        if (sent.status === 'unknown') return false
        result = sent
      }
    }
    const recorded = await recordCustomerOutcome(deps, { merchant, attemptId: attempt.id, transactionId: transaction.id, result, now })
    deps.telemetry.attemptRecovered()
    deps.logger.warn({ attemptId: attempt.id, transactionId: transaction.id, outcome: result.status, recorded: recorded.recorded }, 'recovered a customer charge left open')
    return true
  } catch (thrown) {
    deps.logger.error({ err: coerceError(thrown), attemptId: attempt.id }, 'recovering a customer charge failed; the next pass tries again')
    return false
  }
}
