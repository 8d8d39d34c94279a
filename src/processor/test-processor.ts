import { createHash, randomInt } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'

import {
  detectCardBrand,
  isCardExpired,
  isLuhnValid,
  isValidExpiryMonth,
  isValidExpiryYear,
  isValidSecurityCode,
  normalizeCardNumber,
} from '../domain/cards.js'
import { isPaymentErrorCode, paymentErrorMessage, type PaymentErrorCode } from '../domain/payment-errors.js'
import { createBatcher, type Batcher } from '../store/batcher.js'
import type { Db } from '../store/database.js'
import {
  findAuthorizationSettlement,
  findLedgerEntry,
  sumApprovedRefunds,
  writeLedgerEntries,
  type LedgerEntry,
  type LedgerWrite,
  type NewLedgerEntry,
} from '../store/processor-ledger.repository.js'
import type { AuthorizationUpdateRequest, CardProcessor, ChargeRequest, ChargeResult, RefundRequest } from './card-processor.js'

/** What a test card does (docs/test-cards.md; the numbers are a contract). */
export type TestCardBehaviour =
  | { kind: 'approve' }
  | { kind: 'decline'; errorCode: PaymentErrorCode }
  /** Customer payments approved, every renewal declined MF002. */
  | { kind: 'decline-renewals' }
  /** In every renewal cycle, attempts numbered below `attempts` are declined MF004. */
  | { kind: 'decline-first-renewal-attempts'; attempts: number }
  /** Approved and recorded, but the reply to the first call is lost. */
  | { kind: 'lose-reply' }
  /** Charges approved; every refund of them declined MF002 (the refund is Canceled). */
  | { kind: 'decline-refunds' }

/** One row of the sandbox test-card table, for docs/test-cards.md and the checkout banner. */
export interface TestCard {
  readonly number: string
  readonly outcome: string
  readonly behaviour: TestCardBehaviour
}

/**
 * The sandbox test cards. Any future expiry and any 3-digit security code work unless the row
 * says otherwise; a past expiry gives MF007 on any card.
 */
export const TEST_CARDS: readonly TestCard[] = [
  { number: '5123450000000008', outcome: 'approved (MyFatoorah demo card)', behaviour: { kind: 'approve' } },
  { number: '4508750015741019', outcome: 'approved (MyFatoorah demo card)', behaviour: { kind: 'approve' } },
  { number: '2223000000000007', outcome: 'approved (MyFatoorah demo card)', behaviour: { kind: 'approve' } },
  { number: '4000000000000002', outcome: 'declined, MF002', behaviour: { kind: 'decline', errorCode: 'MF002' } },
  {
    number: '4000000000009995',
    outcome: 'insufficient funds, MF004',
    behaviour: { kind: 'decline', errorCode: 'MF004' },
  },
  { number: '4000000000000069', outcome: 'expired card, MF007', behaviour: { kind: 'decline', errorCode: 'MF007' } },
  {
    number: '4000000000000127',
    outcome: 'wrong security code, MF010',
    behaviour: { kind: 'decline', errorCode: 'MF010' },
  },
  {
    number: '4000000000000119',
    outcome: 'issuer not responding, MF008 (nothing charged)',
    behaviour: { kind: 'decline', errorCode: 'MF008' },
  },
  {
    number: '4000000000000341',
    outcome: 'first payment approved; every automatic renewal declined (MF002)',
    behaviour: { kind: 'decline-renewals' },
  },
  {
    number: '4000000000001018',
    outcome: 'in every renewal cycle the first attempt is declined (MF004), later attempts approved',
    behaviour: { kind: 'decline-first-renewal-attempts', attempts: 1 },
  },
  {
    number: '4000000000001026',
    outcome: 'in every renewal cycle the first 2 attempts are declined (MF004), later attempts approved',
    behaviour: { kind: 'decline-first-renewal-attempts', attempts: 2 },
  },
  {
    number: '4000000000001034',
    outcome: 'in every renewal cycle the first 3 attempts are declined (MF004), later attempts approved',
    behaviour: { kind: 'decline-first-renewal-attempts', attempts: 3 },
  },
  {
    number: '4000000000002016',
    outcome: 'ambiguous: approved, but the reply is lost (timeout); the idempotency look-up tells',
    behaviour: { kind: 'lose-reply' },
  },
  {
    number: '4000000000003055',
    outcome: 'payments approved; every refund of them declined (the refund ends Canceled)',
    behaviour: { kind: 'decline-refunds' },
  },
]

const BEHAVIOUR_BY_NUMBER: ReadonlyMap<string, TestCardBehaviour> = new Map(
  TEST_CARDS.map((card) => [card.number, card.behaviour]),
)

/** Options for {@link TestProcessor}. */
export interface TestProcessorOptions {
  /**
   * Where the ledger lives. Must be the root Kysely instance, never a transaction: the processor
   * is a separate system and its records must not roll back with the caller's work.
   */
  readonly db: Db
  /** Simulated network latency of each call, in milliseconds. Default is 0. */
  readonly latencyMs?: number
  /**
   * Ledger writes that may run at once. Concurrent charges are written together, one statement
   * per batch; more than one batch at a time only helps databases with concurrent writers
   * (PostgreSQL). Default is 1.
   */
  readonly parallelWrites?: number
}

/** Most charges recorded by one ledger statement. */
const MAX_LEDGER_BATCH = 256

/** The decision the test processor takes for a request, before recording it. */
interface Decision {
  readonly outcome: 'approved' | 'declined'
  readonly errorCode: PaymentErrorCode | null
  /** The reply to the call that records this charge is lost (test card 4000000000002016). */
  readonly loseReply: boolean
}

/**
 * The sandbox processor. Outcomes follow {@link TEST_CARDS}; choices where the table is silent:
 * - any other Luhn-valid number is approved, so integrators can use whatever valid card they
 *   have at hand (the three published demo cards are merely the documented ones);
 * - a number failing the Luhn check, or a malformed expiry, is declined MF002, which MyFatoorah
 *   documents as the issuer's answer to invalid card details;
 * - a past expiry is declined MF007 on every card, before the table is consulted;
 * - a security code of the wrong shape is declined MF010 (stored tokens send none, which is fine).
 *
 * Every charge received is recorded in `processor_ledger`, keyed by the idempotency key; that
 * table is the ground truth of what was charged, and declines (including MF008) are recorded so
 * that a retry with the same key gets the same answer.
 */
export class TestProcessor implements CardProcessor {
  readonly #db: Db
  readonly #latencyMs: number
  readonly #ledger: Batcher<NewLedgerEntry, LedgerWrite>

  constructor(options: TestProcessorOptions) {
    if (options.db.isTransaction) {
      throw new Error('TestProcessor needs the root database, not a transaction: its ledger stands apart')
    }
    const latencyMs = options.latencyMs ?? 0
    if (!Number.isFinite(latencyMs) || latencyMs < 0) {
      throw new Error(`TestProcessor latencyMs must be a non-negative number, got ${latencyMs}`)
    }
    this.#db = options.db
    this.#latencyMs = latencyMs
    this.#ledger = createBatcher((entries) => writeLedgerEntries(options.db, entries), {
      maxBatch: MAX_LEDGER_BATCH,
      parallel: options.parallelWrites ?? 1,
    })
  }

  async charge(req: ChargeRequest, now: number): Promise<ChargeResult> {
    if (!Number.isSafeInteger(req.amountMinor) || req.amountMinor <= 0) {
      throw new Error(`Charge ${req.idempotencyKey}: amountMinor must be a positive integer`)
    }
    // Half the latency before the processor records the charge and half after, so that a crash
    // of the caller during the wait can leave either "never received" or "charged, reply lost",
    // the two cases recovery must handle.
    const before = Math.floor(this.#latencyMs / 2)
    await sleep(before)

    const decision = decide(req, now)
    const { entry, recordedNow } = await this.#ledger.add({
      idempotency_key: req.idempotencyKey,
      merchant_id: req.merchantId,
      card_token_id: req.cardTokenId,
      amount_minor: req.amountMinor,
      currency: req.currency,
      outcome: decision.outcome,
      error_code: decision.errorCode,
      authorization_id: decision.outcome === 'approved' ? String(randomInt(100_000, 1_000_000)) : null,
      created_at: now,
      // Explicit, not the column default: one ledger statement may write charges and refunds.
      // An authorisation (AutoCapture off) is decided like a charge but only holds the amount.
      operation: req.authorizeOnly === true ? 'authorize' : 'charge',
      refund_of: null,
    })
    assertSameEntry(entry, req.idempotencyKey, { ...req, operation: req.authorizeOnly === true ? 'authorize' : 'charge' })

    await sleep(this.#latencyMs - before)
    // Only the reply to the call that recorded the charge is lost; a replay with the same key,
    // like lookup(), learns that it was approved.
    if (recordedNow && decision.loseReply) {
      return { status: 'unknown', message: 'No reply from the processor (timeout)' }
    }
    return ledgerEntryToResult(entry)
  }

  /**
   * Refunds are recorded in the same ledger (`operation` `refund`, `refund_of` the charge's key),
   * so a look-up by key answers for them too. Declined MF002 for the refund-declining test card,
   * and MF020 when the refunds of a charge recorded here would exceed it (the engine never asks
   * for that; the processor does not trust it to). Any other refund is approved.
   */
  async refund(req: RefundRequest, now: number): Promise<ChargeResult> {
    return this.#recordFollowUp(req, 'refund', req.chargeKey, () => this.#refundRefusal(req), now)
  }

  /**
   * A refund, capture or release of an earlier entry (`ofKey`): half the latency, the decision,
   * one ledger row (the first writer of a key wins, replays answer from it), the other half.
   */
  async #recordFollowUp(
    req: Pick<ChargeRequest, 'idempotencyKey' | 'merchantId' | 'amountMinor' | 'currency' | 'cardTokenId'>,
    operation: 'refund' | 'capture' | 'release',
    ofKey: string | null,
    refusal: () => Promise<PaymentErrorCode | null>,
    now: number,
  ): Promise<ChargeResult> {
    if (!Number.isSafeInteger(req.amountMinor) || req.amountMinor <= 0) {
      throw new Error(`${operation} ${req.idempotencyKey}: amountMinor must be a positive integer`)
    }
    const before = Math.floor(this.#latencyMs / 2)
    await sleep(before)
    const errorCode = await refusal()
    const { entry } = await this.#ledger.add({
      idempotency_key: req.idempotencyKey,
      merchant_id: req.merchantId,
      card_token_id: req.cardTokenId,
      amount_minor: req.amountMinor,
      currency: req.currency,
      outcome: errorCode === null ? 'approved' : 'declined',
      error_code: errorCode,
      authorization_id: errorCode === null ? String(randomInt(100_000, 1_000_000)) : null,
      created_at: now,
      operation,
      refund_of: ofKey,
    })
    assertSameEntry(entry, req.idempotencyKey, { ...req, operation })
    await sleep(this.#latencyMs - before)
    return ledgerEntryToResult(entry)
  }

  async #refundRefusal(req: RefundRequest): Promise<PaymentErrorCode | null> {
    if (req.card !== null && BEHAVIOUR_BY_NUMBER.get(normalizeCardNumber(req.card.number))?.kind === 'decline-refunds') return 'MF002'
    if (req.chargeKey === null) return null
    const charge = await findLedgerEntry(this.#db, req.chargeKey)
    if (!charge || charge.outcome !== 'approved') return null
    let takenMinor = charge.amount_minor
    if (charge.operation === 'authorize') {
      // Only what a capture took of an authorisation can go back.
      const settlement = await findAuthorizationSettlement(this.#db, req.chargeKey, '')
      takenMinor = settlement?.operation === 'capture' ? settlement.amount_minor : 0
    }
    const refunded = await sumApprovedRefunds(this.#db, req.chargeKey, req.idempotencyKey)
    return refunded + req.amountMinor > takenMinor ? 'MF020' : null
  }

  /**
   * Captures are recorded in the ledger (`operation` `capture`, `refund_of` the authorisation's
   * key). Declined MF020 when the key names no approved authorisation, when it was already
   * captured or released under another key, or beyond the authorised amount.
   */
  async capture(req: AuthorizationUpdateRequest, now: number): Promise<ChargeResult> {
    return this.#updateAuthorization(req, 'capture', now)
  }

  /** Releases are recorded like captures (`operation` `release`); the whole authorised amount only. */
  async release(req: AuthorizationUpdateRequest, now: number): Promise<ChargeResult> {
    return this.#updateAuthorization(req, 'release', now)
  }

  async #updateAuthorization(req: AuthorizationUpdateRequest, operation: 'capture' | 'release', now: number): Promise<ChargeResult> {
    return this.#recordFollowUp(req, operation, req.authorizationKey, () => this.#updateRefusal(req, operation), now)
  }

  async #updateRefusal(req: AuthorizationUpdateRequest, operation: 'capture' | 'release'): Promise<PaymentErrorCode | null> {
    const authorization = await findLedgerEntry(this.#db, req.authorizationKey)
    if (!authorization || authorization.operation !== 'authorize' || authorization.outcome !== 'approved') return 'MF020'
    if (await findAuthorizationSettlement(this.#db, req.authorizationKey, req.idempotencyKey)) return 'MF020'
    if (operation === 'capture' ? req.amountMinor > authorization.amount_minor : req.amountMinor !== authorization.amount_minor) return 'MF020'
    return null
  }

  async lookup(idempotencyKey: string): Promise<ChargeResult | undefined> {
    await sleep(this.#latencyMs)
    const entry = await findLedgerEntry(this.#db, idempotencyKey)
    return entry ? ledgerEntryToResult(entry) : undefined
  }
}

function decide(req: ChargeRequest, now: number): Decision {
  const approve: Decision = { outcome: 'approved', errorCode: null, loseReply: false }
  const decline = (errorCode: PaymentErrorCode): Decision => ({ outcome: 'declined', errorCode, loseReply: false })

  const number = normalizeCardNumber(req.card.number)
  const { expiryMonth, expiryYear, securityCode } = req.card
  if (!isLuhnValid(number)) return decline('MF002')
  if (!isValidExpiryMonth(expiryMonth) || !isValidExpiryYear(expiryYear)) return decline('MF002')
  if (isCardExpired(expiryMonth, expiryYear, now)) return decline('MF007')

  const behaviour = BEHAVIOUR_BY_NUMBER.get(number) ?? { kind: 'approve' }
  const attemptNumber = req.renewal?.attemptNumber ?? 0
  switch (behaviour.kind) {
    case 'decline':
      return decline(behaviour.errorCode)
    case 'decline-renewals':
      if (req.purpose === 'renewal') return decline('MF002')
      break
    case 'decline-first-renewal-attempts':
      if (req.purpose === 'renewal' && attemptNumber < behaviour.attempts) return decline('MF004')
      break
    case 'lose-reply':
      return { outcome: 'approved', errorCode: null, loseReply: true }
    case 'approve':
    case 'decline-refunds':
      break
  }
  if (securityCode !== null && !isValidSecurityCode(securityCode, detectCardBrand(number))) {
    return decline('MF010')
  }
  return approve
}

/**
 * A key reused for a different charge or refund is a bug in the caller (two intents sharing one
 * key); answering with the other one's outcome would hide it.
 */
function assertSameEntry(
  entry: LedgerEntry,
  key: string,
  req: Pick<ChargeRequest, 'merchantId' | 'amountMinor' | 'currency' | 'cardTokenId'> & { operation: LedgerEntry['operation'] },
): void {
  if (
    entry.merchant_id !== req.merchantId ||
    entry.amount_minor !== req.amountMinor ||
    entry.currency !== req.currency ||
    entry.card_token_id !== req.cardTokenId ||
    entry.operation !== req.operation
  ) {
    throw new Error(`Idempotency key ${key} was already used for a different ${entry.operation}`)
  }
}

function ledgerEntryToResult(entry: LedgerEntry): ChargeResult {
  if (entry.outcome === 'approved') {
    return {
      status: 'approved',
      authorizationId: entry.authorization_id ?? '',
      referenceId: referenceIdFor(entry.idempotency_key),
    }
  }
  const errorCode = entry.error_code !== null && isPaymentErrorCode(entry.error_code) ? entry.error_code : 'MF020'
  return { status: 'declined', errorCode, message: paymentErrorMessage(errorCode) }
}

/**
 * The acquirer's reference of an approved charge: derived from the key rather than stored, so
 * charge() and lookup() agree without a column of their own.
 */
function referenceIdFor(idempotencyKey: string): string {
  const digest = createHash('sha256').update(`reference:${idempotencyKey}`).digest()
  return (digest.readBigUInt64BE(0) % 10n ** 12n).toString().padStart(12, '0')
}

async function sleep(ms: number): Promise<void> {
  // At zero latency skip the timer: even setTimeout(0) costs a tick the billing bar can't spare.
  if (ms > 0) await delay(ms)
}
