import { attemptIdempotencyKey } from '../../src/domain/charge.js'
import { nextAttemptAt, type RecurrenceStatus } from '../../src/domain/recurrence.js'
import { parseLocalDate, type RecurringType } from '../../src/domain/schedule.js'
import { webhookReference } from '../../src/webhooks/outbox.js'

/**
 * What a crash-injection run is judged by: the processor's ledger (what the "acquirer" saw)
 * against what dawri recorded. Pure: it takes rows, so tests/chaos/invariants.test.ts can plant
 * a double charge, a lost charge, a skipped cycle or an undelivered event in fabricated rows and
 * see each caught. Only the columns the checks read are listed, so the store's rows fit as they are.
 */

export interface LedgerRow {
  readonly idempotency_key: string
  readonly merchant_id: number
  readonly amount_minor: number
  readonly outcome: 'approved' | 'declined'
  readonly operation: 'charge' | 'refund' | 'authorize' | 'capture' | 'release'
  readonly refund_of: string | null
}

export interface AttemptRow {
  readonly id: number
  readonly merchant_id: number
  readonly invoice_id: number
  readonly kind: 'customer' | 'renewal' | 'retry' | 'resume' | 'refund' | 'capture' | 'release'
  readonly recurrence_id: number | null
  readonly cycle: number | null
  readonly attempt_number: number | null
  readonly status: 'open' | 'approved' | 'declined'
}

export interface InvoiceRow {
  readonly id: number
  readonly merchant_id: number
  readonly status: string
  readonly recurrence_id: number | null
  readonly recurrence_cycle: number | null
}

export interface TransactionRow {
  readonly id: number
  readonly invoice_id: number
  readonly status: string
  readonly attempt_id: number | null
}

export interface RefundRow {
  readonly id: number
  readonly attempt_id: number
  readonly status: string
}

export interface RecurrenceRow {
  readonly id: number
  readonly merchant_id: number
  readonly status: RecurrenceStatus
  readonly recurring_type: RecurringType
  readonly interval_days: number | null
  readonly iteration: number
  readonly retry_count: number
  readonly anchor_date: string
  readonly executed_times: number
  readonly next_cycle: number
  readonly failed_attempts: number
  readonly next_attempt_at: number | null
}

export interface OutboxRow {
  readonly id: number
  /** The merchant's own event number (`WH-<n>`); null only on rows older than migration 0012. */
  readonly reference_number?: number | null
  readonly merchant_id: number
  readonly status: string
  readonly target_url: string | null
}

/** A merchant's clock when the rows were read, and its time zone. */
export interface MerchantClock {
  readonly id: number
  readonly now: number
  readonly timeZone: string
}

/** Everything the checks read, taken after the run settled. */
export interface ChaosSnapshot {
  readonly ledger: readonly LedgerRow[]
  readonly attempts: readonly AttemptRow[]
  readonly invoices: readonly InvoiceRow[]
  readonly transactions: readonly TransactionRow[]
  readonly refunds: readonly RefundRow[]
  readonly recurrences: readonly RecurrenceRow[]
  readonly outbox: readonly OutboxRow[]
  readonly merchants: readonly MerchantClock[]
  /** `WH-<n>` references the webhook receiver got (each as many times as it arrived). */
  readonly receivedReferences: readonly string[]
  readonly chargeHour: number
}

/** Counts of what was checked, for the report. */
export interface ChaosFigures {
  approvedCharges: number
  declinedCharges: number
  renewalCyclesCharged: number
  recurrencesChecked: number
  refunds: number
  captures: number
  releases: number
  eventsDelivered: number
  duplicateDeliveries: number
}

export interface ChaosVerdict {
  /** Each broken promise, one line each; empty when the run is clean. */
  readonly violations: string[]
  readonly figures: ChaosFigures
}

const MONEY_IN = new Set<LedgerRow['operation']>(['charge', 'authorize'])
const RECURRING_KINDS = new Set<AttemptRow['kind']>(['renewal', 'retry', 'resume'])

function countBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, number> {
  const counts = new Map<string, number>()
  for (const item of items) {
    const k = key(item)
    if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1)
  }
  return counts
}

/** Checks every promise a crash must not break; see docs/reliability.md. */
export function checkChaosInvariants(snapshot: ChaosSnapshot): ChaosVerdict {
  const violations: string[] = []
  const attemptByKey = new Map(snapshot.attempts.map((a) => [attemptIdempotencyKey(a.id), a]))
  const ledgerByKey = new Map(snapshot.ledger.map((e) => [e.idempotency_key, e]))
  const invoiceById = new Map(snapshot.invoices.map((i) => [i.id, i]))
  const transactionsByInvoice = new Map<number, TransactionRow[]>()
  for (const t of snapshot.transactions) transactionsByInvoice.set(t.invoice_id, [...(transactionsByInvoice.get(t.invoice_id) ?? []), t])
  const refundByAttempt = new Map(snapshot.refunds.map((r) => [r.attempt_id, r]))

  // Every approved entry of the ledger belongs to an attempt dawri recorded as approved.
  const approved = snapshot.ledger.filter((e) => e.outcome === 'approved')
  for (const entry of approved) {
    const attempt = attemptByKey.get(entry.idempotency_key)
    if (!attempt) violations.push(`lost: the processor approved ${entry.operation} ${entry.idempotency_key}, which no charge attempt has`)
    else if (attempt.status !== 'approved') violations.push(`lost: the processor approved ${entry.operation} ${entry.idempotency_key}; its attempt is ${attempt.status}`)
  }
  // And the other way round: nothing recorded as approved that the processor did not approve.
  for (const attempt of snapshot.attempts) {
    const entry = ledgerByKey.get(attemptIdempotencyKey(attempt.id))
    if (attempt.status === 'approved' && entry?.outcome !== 'approved') {
      violations.push(`phantom: attempt ${attempt.id} (${attempt.kind}) is approved; the processor says ${entry?.outcome ?? 'nothing'}`)
    }
    if (attempt.status === 'open') violations.push(`stuck: attempt ${attempt.id} (${attempt.kind}, invoice ${attempt.invoice_id}) is still open`)
  }

  // Never charge twice: one approved charge (or authorisation) per invoice and per recurrence cycle.
  const moneyIn = approved.filter((e) => MONEY_IN.has(e.operation))
  const attemptOf = (e: LedgerRow) => attemptByKey.get(e.idempotency_key)
  for (const [invoice, n] of countBy(moneyIn, (e) => String(attemptOf(e)?.invoice_id ?? `unknown ${e.idempotency_key}`))) {
    if (n > 1) violations.push(`double charge: invoice ${invoice} has ${n} approved charges at the processor`)
  }
  for (const [cycle, n] of countBy(moneyIn, (e) => {
    const a = attemptOf(e)
    return a && a.recurrence_id !== null && RECURRING_KINDS.has(a.kind) ? `${a.recurrence_id}/${a.cycle}` : undefined
  })) {
    if (n > 1) violations.push(`double charge: recurrence cycle ${cycle} has ${n} approved charges at the processor`)
  }

  // Nothing lost: each approved charge is its invoice's one Succss (or authorised) transaction.
  for (const entry of moneyIn) {
    const attempt = attemptOf(entry)
    if (!attempt) continue
    const invoice = invoiceById.get(attempt.invoice_id)
    const transactions = transactionsByInvoice.get(attempt.invoice_id) ?? []
    const own = transactions.filter((t) => t.attempt_id === attempt.id)
    if (entry.operation === 'charge') {
      const succss = transactions.filter((t) => t.status === 'Succss')
      if (invoice?.status !== 'Paid') violations.push(`lost: invoice ${attempt.invoice_id} charged by ${entry.idempotency_key} is ${invoice?.status ?? 'missing'}`)
      if (succss.length !== 1 || succss[0]?.attempt_id !== attempt.id) {
        violations.push(`lost: invoice ${attempt.invoice_id} charged by ${entry.idempotency_key} has Succss transactions ${JSON.stringify(succss.map((t) => [t.id, t.attempt_id]))}`)
      }
    } else if (own.length !== 1 || !['Authorize', 'Succss', 'Canceled'].includes(own[0]?.status ?? '')) {
      violations.push(`lost: authorisation ${entry.idempotency_key} of invoice ${attempt.invoice_id} has transactions ${JSON.stringify(own.map((t) => [t.id, t.status]))}`)
    }
  }
  // No payment recorded without money behind it.
  for (const t of snapshot.transactions) {
    if (t.status !== 'Succss') continue
    const entry = t.attempt_id === null ? undefined : ledgerByKey.get(attemptIdempotencyKey(t.attempt_id))
    if (entry?.outcome !== 'approved' || !MONEY_IN.has(entry.operation)) {
      violations.push(`phantom: transaction ${t.id} of invoice ${t.invoice_id} is Succss without an approved charge (attempt ${t.attempt_id})`)
    }
  }

  // Refunds, captures and releases: each approved one recorded as done.
  const followUps = approved.filter((e) => !MONEY_IN.has(e.operation))
  for (const entry of followUps) {
    const attempt = attemptOf(entry)
    if (!attempt) continue
    if (entry.operation === 'refund') {
      const refund = refundByAttempt.get(attempt.id)
      if (refund?.status !== 'Refunded') violations.push(`lost: refund ${entry.idempotency_key} approved; dawri's refund is ${refund?.status ?? 'missing'}`)
    } else if (entry.operation === 'capture') {
      const invoice = invoiceById.get(attempt.invoice_id)
      if (invoice?.status !== 'Paid') violations.push(`lost: capture ${entry.idempotency_key} approved; invoice ${attempt.invoice_id} is ${invoice?.status ?? 'missing'}`)
    }
  }
  // One settlement per authorisation; refunds never exceed the charge.
  for (const [authorization, n] of countBy(followUps.filter((e) => e.operation !== 'refund'), (e) => e.refund_of ?? undefined)) {
    if (n > 1) violations.push(`double settlement: authorisation ${authorization} captured or released ${n} times`)
  }
  const refunded = new Map<string, number>()
  for (const e of followUps.filter((f) => f.operation === 'refund' && f.refund_of !== null)) refunded.set(e.refund_of ?? '', (refunded.get(e.refund_of ?? '') ?? 0) + e.amount_minor)
  for (const [charge, total] of refunded) {
    const original = ledgerByKey.get(charge)
    if (original && total > original.amount_minor) violations.push(`over-refund: ${charge} of ${original.amount_minor} refunded ${total}`)
  }

  // Never skip a cycle.
  const clockOf = new Map(snapshot.merchants.map((m) => [m.id, m]))
  let renewalCyclesCharged = 0
  let recurrencesChecked = 0
  for (const recurrence of snapshot.recurrences) {
    if (recurrence.status === 'Draft') continue
    recurrencesChecked++
    const attempts = snapshot.attempts.filter((a) => a.recurrence_id === recurrence.id && RECURRING_KINDS.has(a.kind))
    const approvedCycles = attempts.filter((a) => ledgerByKey.get(attemptIdempotencyKey(a.id))?.outcome === 'approved').map((a) => a.cycle ?? 0)
    renewalCyclesCharged += approvedCycles.length
    const label = `recurrence ${recurrence.id} (${recurrence.status}, cycle ${recurrence.next_cycle})`
    if (recurrence.executed_times !== approvedCycles.length) violations.push(`${label}: ExecutedTimes ${recurrence.executed_times}, processor approved ${approvedCycles.length} cycles`)
    if (recurrence.status === 'Canceled') continue
    const expectedCycles = Array.from({ length: recurrence.next_cycle - 1 }, (_, i) => i + 1)
    const sorted = [...approvedCycles].sort((a, b) => a - b)
    if (sorted.join() !== expectedCycles.join()) violations.push(`skipped cycle: ${label} has approved cycles [${sorted.join(', ')}], expected [${expectedCycles.join(', ')}]`)
    // The failed attempts of the blocked cycle are really there: no retry skipped.
    const declinedNumbers = attempts.filter((a) => a.cycle === recurrence.next_cycle && a.status === 'declined' && (a.attempt_number ?? 0) <= recurrence.retry_count)
    const numbers = new Set(declinedNumbers.map((a) => a.attempt_number))
    for (let n = 0; n < Math.min(recurrence.failed_attempts, recurrence.retry_count + 1); n++) {
      if (!numbers.has(n)) violations.push(`skipped retry: ${label} counts ${recurrence.failed_attempts} failures; attempt ${n} of the cycle is not a recorded decline`)
    }
    if (recurrence.status !== 'Active') continue
    const clock = clockOf.get(recurrence.merchant_id)
    if (!clock) {
      violations.push(`${label}: merchant ${recurrence.merchant_id} has no clock in the snapshot`)
      continue
    }
    const due = nextAttemptAt(
      {
        anchorDate: parseLocalDate(recurrence.anchor_date),
        type: recurrence.recurring_type,
        intervalDays: recurrence.interval_days,
        iteration: recurrence.iteration,
        retryCount: recurrence.retry_count,
        timeZone: clock.timeZone,
        chargeHour: snapshot.chargeHour,
      },
      { status: 'Active', nextCycle: recurrence.next_cycle, failedAttempts: recurrence.failed_attempts, executedTimes: recurrence.executed_times },
    )
    if (due !== recurrence.next_attempt_at) violations.push(`${label}: next attempt stored at ${recurrence.next_attempt_at}, the schedule says ${due}`)
    if (due !== null && due <= clock.now) {
      violations.push(`skipped cycle: ${label} was due at ${new Date(due).toISOString()}, the merchant's clock is at ${new Date(clock.now).toISOString()}`)
    }
  }

  // Outbox: every event to a URL delivered, and seen by the receiver, at least once.
  const received = countBy(snapshot.receivedReferences, (r) => r)
  let eventsDelivered = 0
  for (const event of snapshot.outbox) {
    if (event.target_url === null) continue
    // References count each merchant's own events; the chaos runs have one merchant with a URL.
    const reference = webhookReference(event.reference_number ?? event.id)
    if (event.status !== 'delivered') violations.push(`undelivered: event ${reference} is ${event.status}`)
    if (!received.has(reference)) violations.push(`undelivered: the receiver never got ${reference}`)
    else eventsDelivered++
  }

  return {
    violations,
    figures: {
      approvedCharges: moneyIn.length,
      declinedCharges: snapshot.ledger.filter((e) => e.outcome === 'declined' && MONEY_IN.has(e.operation)).length,
      renewalCyclesCharged,
      recurrencesChecked,
      refunds: followUps.filter((e) => e.operation === 'refund').length,
      captures: followUps.filter((e) => e.operation === 'capture').length,
      releases: followUps.filter((e) => e.operation === 'release').length,
      eventsDelivered,
      duplicateDeliveries: [...received.values()].reduce((sum, n) => sum + n - 1, 0),
    },
  }
}
