import { randomBytes } from 'node:crypto'

import { recurringChargeKind } from '../domain/charge.js'
import { findPaymentMethod } from '../domain/payment-methods.js'
import { chargeAmountOf, nextAttemptNumber, type RecurringAttemptKind } from '../domain/recurrence.js'
import type { Deps } from '../deps.js'
import { findChargeCards } from '../store/card-token.repository.js'
import { findOpenAttemptsOfRecurrences, insertAttempts, lastAttemptNumber } from '../store/charge-attempt.repository.js'
import type { Executor } from '../store/database.js'
import { insertInvoices, type NewInvoice } from '../store/invoice.repository.js'
import { extendPendingInvoices } from '../store/payment.repository.js'
import {
  findCycleInvoiceId,
  findInitialInvoices,
  recurrenceRowToProgress,
  type RecurrenceRow,
} from '../store/recurrence.repository.js'
import { findTransactionsOfAttempts, insertTransactions, unchargedTransaction } from '../store/transaction.repository.js'
import type { RenewalAttempt } from './renewal-attempt.js'

/** An automatic invoice may be paid for a day after its attempt (creation + 1 day). */
const AUTOMATIC_INVOICE_LIFETIME_MS = 86_400_000

/**
 * Which attempts to open: the scheduled one of `next_cycle` (`automatic`), a Resume after the
 * retries, or only attempts already open (`reopen`, recovery; recurrences without one are skipped).
 */
export type OpenKind = RecurringAttemptKind | 'reopen'

/**
 * Opens the attempt of each recurrence, which the caller has locked or leased inside `trx`, and
 * returns what is needed to charge them once `trx` commits. Per recurrence:
 * - an attempt still open (a crashed or slow process's) is reused, never duplicated;
 * - otherwise a new attempt row is written, numbered by domain/recurrence.ts
 *   `nextAttemptNumber`; the unique key (recurrence_id, cycle, attempt_number) refuses a second
 *   writer;
 * - the first attempt of a cycle creates the cycle's invoice, retries and resumes reuse it;
 * - each new attempt gets an InProgress transaction of channel `automatic`.
 * Rows are written in bulk, so a batch costs a handful of statements.
 */
export async function openRenewalAttempts(
  trx: Executor,
  deps: Deps,
  rows: readonly RecurrenceRow[],
  kind: OpenKind,
  now: number,
): Promise<RenewalAttempt[]> {
  if (rows.length === 0) return []
  const cardIds = [...new Set(rows.flatMap((row) => (row.card_token_id === null ? [] : [row.card_token_id])))]
  const [openRows, initialInvoices, cards] = await Promise.all([
    findOpenAttemptsOfRecurrences(trx, rows.map((row) => row.id)),
    findInitialInvoices(trx, rows.map((row) => row.initial_invoice_id)),
    findChargeCards(trx, cardIds),
  ])
  const openByRecurrence = new Map(openRows.map((attempt) => [attempt.recurrence_id, attempt]))
  const initialById = new Map(initialInvoices.map((invoice) => [invoice.id, invoice]))
  const cardById = new Map(cards.map((card) => [card.id, card]))
  const transactionOfAttempt = new Map(
    (await findTransactionsOfAttempts(trx, openRows.map((attempt) => attempt.id))).map((t) => [t.attempt_id, t.id]),
  )

  const prepared: RenewalAttempt[] = []
  interface Fresh {
    row: RecurrenceRow
    attemptNumber: number
    invoiceId: number | undefined
    invoiceKey: string
    methodId: number
  }
  const fresh: Fresh[] = []
  for (const row of rows) {
    const card = row.card_token_id === null ? undefined : cardById.get(row.card_token_id)
    if (!card) {
      // Activation always stores the card; a row without one needs a human, not a retry loop.
      deps.logger.error({ recurrenceId: row.id }, 'recurrence has no card token; skipped')
      continue
    }
    const open = openByRecurrence.get(row.id)
    const transactionId = open ? transactionOfAttempt.get(open.id) : undefined
    if (open && transactionId !== undefined) {
      prepared.push({
        attemptId: open.id,
        recurrenceId: row.id,
        merchantId: row.merchant_id,
        cycle: open.cycle ?? row.next_cycle,
        attemptNumber: open.attempt_number ?? 0,
        kind: recurringChargeKind(open.attempt_number ?? 0, row.retry_count),
        invoiceId: open.invoice_id,
        transactionId,
        amountMinor: chargeAmountOf({ amountMinor: row.amount_minor }),
        currency: row.currency,
        card,
        reopened: true,
      })
      continue
    }
    if (kind === 'reopen') continue
    const last = kind === 'resume' ? await lastAttemptNumber(trx, row.id, row.next_cycle) : -1
    const attemptNumber = nextAttemptNumber(kind, recurrenceRowToProgress(row), last)
    const invoiceId = attemptNumber === 0 ? undefined : await findCycleInvoiceId(trx, row.id, row.next_cycle)
    const methodId = initialById.get(row.initial_invoice_id)?.payment_method_id ?? 2
    fresh.push({ row, attemptNumber, invoiceId, invoiceKey: randomBytes(24).toString('base64url'), methodId })
  }
  if (fresh.length === 0) return prepared

  const newInvoices: NewInvoice[] = fresh
    .filter((f) => f.invoiceId === undefined)
    .map(({ row, invoiceKey, methodId }) => {
      const initial = initialById.get(row.initial_invoice_id)
      return {
        merchant_id: row.merchant_id,
        invoice_key: invoiceKey,
        status: 'Pending',
        value_minor: chargeAmountOf({ amountMinor: row.amount_minor }),
        currency: row.currency,
        display_currency: row.currency,
        payment_method_id: methodId,
        session_id: null,
        // The customer of the first invoice, so RecurringInvoices and webhooks name them.
        customer_name: initial?.customer_name ?? null,
        customer_mobile: initial?.customer_mobile ?? null,
        mobile_country_code: initial?.mobile_country_code ?? null,
        customer_email: initial?.customer_email ?? null,
        customer_reference: initial?.customer_reference ?? null,
        customer_civil_id: initial?.customer_civil_id ?? null,
        user_defined_field: initial?.user_defined_field ?? null,
        language: initial?.language ?? 'en',
        callback_url: null,
        error_url: null,
        // ExecutePayment's WebhookUrl keeps applying to the invoices the recurrence creates.
        webhook_url: initial?.webhook_url ?? null,
        customer_address: null,
        items: '[]',
        shipping_method: null,
        shipping_consignee: null,
        suppliers: '[]',
        processing_details: null,
        recurrence_id: row.id,
        recurrence_cycle: row.next_cycle,
        expires_at: now + AUTOMATIC_INVOICE_LIFETIME_MS,
        created_at: now,
        paid_at: null,
      }
    })
  const invoiceByKey = new Map((await insertInvoices(trx, newInvoices)).map((invoice) => [invoice.invoice_key, invoice.id]))
  // A retry or resume charges the cycle's invoice again; it stays payable a day from now.
  await extendPendingInvoices(trx, fresh.flatMap((f) => (f.invoiceId === undefined ? [] : [f.invoiceId])), now + AUTOMATIC_INVOICE_LIFETIME_MS)
  const withInvoice = fresh.map((f) => {
    const invoiceId = f.invoiceId ?? invoiceByKey.get(f.invoiceKey)
    if (invoiceId === undefined) throw new Error(`Invoice of recurrence ${f.row.id} was not inserted`)
    return { ...f, invoiceId }
  })

  const attempts = await insertAttempts(
    trx,
    withInvoice.map((f) => ({
      merchant_id: f.row.merchant_id,
      invoice_id: f.invoiceId,
      kind: recurringChargeKind(f.attemptNumber, f.row.retry_count),
      recurrence_id: f.row.id,
      cycle: f.row.next_cycle,
      attempt_number: f.attemptNumber,
      lease_until: null,
      created_at: now,
    })),
  )
  const attemptByRecurrence = new Map(attempts.map((a) => [a.recurrence_id, a.id]))

  const transactions = await insertTransactions(
    trx,
    withInvoice.map((f) => {
      const attemptId = attemptByRecurrence.get(f.row.id)
      if (attemptId === undefined) throw new Error(`Attempt of recurrence ${f.row.id} was not inserted`)
      return unchargedTransaction({
        invoice_id: f.invoiceId,
        merchant_id: f.row.merchant_id,
        channel: 'automatic',
        payment_method_id: f.methodId,
        gateway: findPaymentMethod(f.methodId)?.gateway ?? 'VISA/MASTER',
        amount_minor: chargeAmountOf({ amountMinor: f.row.amount_minor }),
        currency: f.row.currency,
        card_token_id: f.row.card_token_id,
        ip_address: null,
        attempt_id: attemptId,
        created_at: now,
      })
    }),
  )
  const transactionByNewAttempt = new Map(transactions.map((t) => [t.attempt_id, t.id]))

  for (const f of withInvoice) {
    const attemptId = attemptByRecurrence.get(f.row.id)
    const transactionId = attemptId === undefined ? undefined : transactionByNewAttempt.get(attemptId)
    const card = f.row.card_token_id === null ? undefined : cardById.get(f.row.card_token_id)
    if (attemptId === undefined || transactionId === undefined || !card) {
      throw new Error(`Attempt of recurrence ${f.row.id} was not fully written`)
    }
    prepared.push({
      attemptId,
      recurrenceId: f.row.id,
      merchantId: f.row.merchant_id,
      cycle: f.row.next_cycle,
      attemptNumber: f.attemptNumber,
      kind: recurringChargeKind(f.attemptNumber, f.row.retry_count),
      invoiceId: f.invoiceId,
      transactionId,
      amountMinor: chargeAmountOf({ amountMinor: f.row.amount_minor }),
      currency: f.row.currency,
      card,
      reopened: false,
    })
  }
  return prepared
}
