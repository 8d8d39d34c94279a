import { expect } from 'vitest'

import { merchantNow } from '../../src/domain/merchant.js'
import { fromInvoiceId, fromRecurringId } from '../../src/domain/public-ids.js'
import { chargeCustomer, chargeStoredCard } from '../../src/charging/customer-charge.js'
import type { DialectName } from '../../src/store/adapter.js'
import { insertCardToken } from '../../src/store/card-token.repository.js'
import { listAttempts } from '../../src/store/charge-attempt.repository.js'
import { findInvoice } from '../../src/store/invoice.repository.js'
import { insertTransaction, unchargedTransaction } from '../../src/store/transaction.repository.js'
import { findMerchantById } from '../../src/store/merchant.repository.js'
import { listLedger } from '../../src/store/processor-ledger.repository.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'

/** Approved MyFatoorah demo card. */
export const GOOD_CARD = '5123450000000008'
/** First payment approved, every renewal declined MF002. */
export const RENEWAL_DECLINED_CARD = '4000000000000341'
/** Approved, reply lost: only the idempotency look-up tells. */
export const AMBIGUOUS_CARD = '4000000000002016'

/** A recurring model as ExecutePayment takes it. */
export interface RecurringModel {
  RecurringType: 'Daily' | 'Weekly' | 'Monthly' | 'Custom'
  IntervalDays?: number | null
  Iteration: number
  RetryCount?: number
}

/** One merchant on a running test app, with the calls the recurring tests make. */
export interface RecurringContext {
  readonly app: TestApp
  readonly apiKey: string
  readonly merchantId: number
  create(model: RecurringModel, invoiceValue?: number): Promise<{ invoiceId: number; recurringId: string }>
  /** Pays a first invoice as a customer would, with the real recording step (activates the recurrence). */
  pay(invoiceId: number, card?: string): Promise<void>
  /** Creates and pays: an Active recurrence. */
  createActive(model: RecurringModel, card?: string): Promise<string>
  advance(body: { Days: number } | { Until: string }): Promise<Record<string, unknown>>
  get(recurringId: string): Promise<RecurringView>
  cancel(recurringId: string): Promise<{ status: number; body: any }>
  resume(recurringId: string): Promise<{ status: number; body: any }>
  /** Approved renewal charges of a recurrence per cycle, from the processor's own ledger. */
  approvedRenewals(recurringId: string): Promise<Map<number, number>>
  internalId(recurringId: string): number
}

/** A GetRecurringPayment entry, as the tests read it. */
export interface RecurringView {
  RecurringId: string
  RecurringStatus: string
  ExecutedTimes: number
  IsActive: boolean
  NextPayDate: string
  LastPayDate: string
  CreationDate: string
  RecurringValue: number
  RecurringType: string
  IntervalDays: number | null
  RecurringInvoices: Array<{ InvoiceId: number; InvoiceStatus: string; CreatedDate: string; CustomerName: string | null }> | null
}

/** Starts the real app on a fresh database of the dialect. */
export function startRecurringApp(dialect: DialectName, env: Record<string, string> = {}): Promise<TestApp> {
  return startTestApp(dialect, { env })
}

/**
 * A new KWT merchant on `app` (each test its own, since each merchant has its own clock),
 * whose clock is first moved to 10:00 tomorrow local time, so no test straddles the charge hour.
 */
export async function openRecurringContext(app: TestApp): Promise<RecurringContext> {
  const { merchant, apiKey } = await app.createMerchant({ country: 'KWT' })
  const context: RecurringContext = {
    app,
    apiKey,
    merchantId: merchant.id,
    async create(model, invoiceValue = 10) {
      const response = await app.call('POST', '/v2/ExecutePayment', apiKey, {
        InvoiceValue: invoiceValue,
        PaymentMethodId: 2,
        CustomerName: 'Recurring Customer',
        CustomerReference: 'ref-1',
        RecurringModel: model,
      })
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      return { invoiceId: response.body.Data.InvoiceId, recurringId: response.body.Data.RecurringId }
    },
    async pay(invoiceId, card = GOOD_CARD) {
      const deps = app.deps
      const current = await findMerchantById(deps.store.db, merchant.id)
      if (!current) throw new Error('merchant vanished')
      const now = merchantNow(deps.clock.now(), current)
      const internal = fromInvoiceId(invoiceId, deps.ids)
      if (internal === undefined) throw new Error(`Bad invoice id ${invoiceId}`)
      const invoice = await findInvoice(deps.store.db, merchant.id, internal)
      if (!invoice) throw new Error(`Invoice ${invoiceId} not found`)
      const token = await insertCardToken(deps.store.db, deps.vault, {
        merchantId: merchant.id,
        purpose: 'session',
        customerIdentifier: null,
        number: card,
        expiryMonth: '01',
        expiryYear: '39',
        holderName: 'Card Holder',
        now,
      })
      const { id: transactionId } = await insertTransaction(deps.store.db, unchargedTransaction({
        invoice_id: internal,
        merchant_id: merchant.id,
        channel: 'direct',
        payment_method_id: 2,
        gateway: 'VISA/MASTER',
        amount_minor: invoice.value_minor,
        currency: invoice.currency,
        card_token_id: token.id,
        ip_address: null,
        created_at: now,
      }))
      // The first payment goes through the charging engine like a customer's payment would.
      const paid = await chargeCustomer(deps, { merchant: current, target: { kind: 'waiting', transactionId }, charge: chargeStoredCard(deps, current, '123') })
      if (paid.kind !== 'final' || paid.transaction.status !== 'Succss') throw new Error(`First payment with ${card} was not approved: ${JSON.stringify(paid)}`)
    },
    async createActive(model, card = GOOD_CARD) {
      const { invoiceId, recurringId } = await context.create(model)
      await context.pay(invoiceId, card)
      return recurringId
    },
    async advance(body) {
      const response = await app.call('POST', '/v2/sandbox/AdvanceClock', apiKey, body)
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      return response.body.Data
    },
    async get(recurringId) {
      const response = await app.call('GET', `/v2/GetRecurringPayment?recurringId=${recurringId}`, apiKey)
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      const [view] = response.body.Data.RecurringPayment
      if (!view) throw new Error(`${recurringId} not listed`)
      return view
    },
    cancel: (recurringId) => app.call('POST', `/v2/CancelRecurringPayment?recurringId=${recurringId}`, apiKey),
    resume: (recurringId) => app.call('POST', `/v2/ResumeRecurringPayment?recurringId=${recurringId}`, apiKey),
    async approvedRenewals(recurringId) {
      const id = context.internalId(recurringId)
      const db = app.deps.store.db
      const attempts = await listAttempts(db, { recurrenceId: id })
      const cycleByKey = new Map(attempts.map((a) => [`attempt-${a.id}`, a.cycle]))
      const ledger = await listLedger(db, { idempotencyKeys: [...cycleByKey.keys()], outcome: 'approved' })
      const rows = ledger.map((entry) => ({ cycle: cycleByKey.get(entry.idempotency_key) ?? -1 }))
      const perCycle = new Map<number, number>()
      for (const row of rows) perCycle.set(row.cycle, (perCycle.get(row.cycle) ?? 0) + 1)
      return perCycle
    },
    internalId(recurringId) {
      const id = fromRecurringId(recurringId, app.deps.ids)
      if (id === undefined) throw new Error(`Bad recurring id ${recurringId}`)
      return id
    },
  }
  await context.advance({ Until: `${tomorrowInKuwait()}T10:00:00` })
  return context
}

/** Tomorrow's date in Asia/Kuwait (UTC+3, no daylight saving), YYYY-MM-DD. */
export function tomorrowInKuwait(): string {
  return new Date(Date.now() + 3 * 3_600_000 + 86_400_000).toISOString().slice(0, 10)
}
