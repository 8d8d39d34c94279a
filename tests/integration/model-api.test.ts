import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { tomorrowInKuwait } from './recurring-fixtures.js'

/**
 * Model-based test of the whole API: random sequences of ExecutePayment, SendPayment,
 * DirectPayment (approved and declined cards, AutoCapture on and off), GetPaymentStatus,
 * MakeRefund, GetRefundStatus, UpdatePaymentStatus (capture, release), GetRecurringPayment,
 * Cancel, Resume, AdvanceClock and GetWebhooks, run against the real server and a model that
 * predicts each invoice's status, its amounts in integer minor units (KWD: 3 decimals), what was
 * captured and refunded, and each recurrence's status and ExecutedTimes. Some commands send two
 * requests at once, their order chosen by fast-check's scheduler; the model then accepts any
 * outcome a serial order could give and checks that money was moved at most once.
 *
 * Bounded by time in CI (DAWRI_MODEL_SECONDS, default 25 per dialect); DAWRI_MODEL_RUNS asks for
 * that many sequences instead, however long they take.
 */

const SECONDS = Number(process.env.DAWRI_MODEL_SECONDS ?? 25)
const RUNS = process.env.DAWRI_MODEL_RUNS === undefined ? undefined : Number(process.env.DAWRI_MODEL_RUNS)

const APPROVED = '5123450000000008'
const DECLINED = '4000000000000002'
/** First payment approved, every renewal declined. */
const RENEWAL_DECLINED = '4000000000000341'
const card = (number: string) => ({ Number: number, ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100', HolderName: 'Model' })

/** KWD, three decimals: minor units as the decimal text the API takes. */
const decimal = (minor: number) => (minor / 1000).toFixed(3)
const minorOf = (value: number | string) => Math.round(Number(value) * 1000)

interface ModelRecurrence {
  recurringId: string
  iteration: number
  card: string
  status: 'Draft' | 'Active' | 'Completed' | 'Uncompleted' | 'Canceled'
  anchorDay: number
  nextCycle: number
  failed: number
  executed: number
}

interface ModelInvoice {
  invoiceId: number
  valueMinor: number
  /** DirectPayment URL path (PaymentMethodId 9), or null for SendPayment links. */
  directPath: string | null
  autoCapture: boolean
  status: 'Pending' | 'Paid'
  /** Day it was created: customers can pay it for 3 days. */
  createdDay: number
  /** Outcomes of its transactions, oldest first, as GetPaymentStatus spells them. */
  transactions: string[]
  /** Authorised and neither captured nor released. */
  authorized: boolean
  capturedMinor: number
  refundedMinor: number
  refunds: number
  recurrence: ModelRecurrence | null
}

interface Model {
  day: number
  invoices: ModelInvoice[]
}

interface Real {
  app: TestApp
  key: string
}

type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>
const callOf = (real: Real): Call => (method, path, body) => real.app.call(method, path, real.key, body)

/** Every invoice and recurrence of the model, checked against GetPaymentStatus, GetRefundStatus and GetRecurringPayment. */
async function checkAll(model: Model, real: Real): Promise<void> {
  const call = callOf(real)
  for (const invoice of model.invoices) {
    const status = await call('POST', '/v2/GetPaymentStatus', { Key: invoice.invoiceId, KeyType: 'InvoiceId' })
    expect(status.status, JSON.stringify(status.body)).toBe(200)
    const data = status.body.Data
    const context = `invoice ${invoice.invoiceId} ${JSON.stringify(invoice)}`
    expect(data.InvoiceStatus, context).toBe(invoice.status)
    expect(minorOf(data.InvoiceValue), context).toBe(invoice.valueMinor)
    const transactions: any[] = data.InvoiceTransactions
    expect(transactions.map((t) => t.TransactionStatus), context).toEqual(invoice.transactions)
    for (const t of transactions) expect(minorOf(t.TransationValue), context).toBe(invoice.valueMinor)
    const captured = transactions.find((t) => t.TransactionStatus === 'Succss')
    if (captured) expect(minorOf(captured.DueValue), context).toBe(invoice.capturedMinor)
    const refunds = await call('POST', '/v2/GetRefundStatus', { KeyType: 'InvoiceId', Key: invoice.invoiceId })
    expect(refunds.status, JSON.stringify(refunds.body)).toBe(200)
    const list: any[] = refunds.body.Data.RefundStatusResult
    expect(list.length, context).toBe(invoice.refunds)
    expect(list.filter((r) => r.RefundStatus === 'Refunded').reduce((sum, r) => sum + minorOf(r.Amount), 0), context).toBe(invoice.refundedMinor)
    expect(invoice.refundedMinor).toBeLessThanOrEqual(invoice.capturedMinor)
    const recurrence = invoice.recurrence
    if (recurrence) {
      const got = await call('GET', `/v2/GetRecurringPayment?recurringId=${recurrence.recurringId}`)
      expect(got.status, JSON.stringify(got.body)).toBe(200)
      const view = got.body.Data.RecurringPayment[0]
      expect({ status: view.RecurringStatus, executed: view.ExecutedTimes, value: minorOf(view.RecurringValue) }, `${recurrence.recurringId} ${JSON.stringify(recurrence)}`).toEqual({
        status: recurrence.status,
        executed: recurrence.executed,
        value: invoice.valueMinor,
      })
    }
  }
}

/** Runs every renewal of `r` due by `day` (charges at 04:00; the clock shows 10:00). */
function settle(r: ModelRecurrence, day: number): void {
  while (r.status === 'Active' && r.anchorDay + r.nextCycle + r.failed <= day) {
    if (r.card === APPROVED) {
      r.executed++
      r.nextCycle++
      r.failed = 0
      if (r.iteration > 0 && r.executed >= r.iteration) r.status = 'Completed'
    } else {
      // RetryCount 0: the first declined renewal ends it.
      r.failed++
      r.status = 'Uncompleted'
    }
  }
}

const pick = <T>(items: readonly T[], index: number): T | undefined => (items.length === 0 ? undefined : items[index % items.length])

class CreateInvoice implements fc.AsyncCommand<Model, Real> {
  constructor(readonly valueMinor: number, readonly autoCapture: boolean, readonly recurring: { iteration: number } | null, readonly link: boolean) {}
  check = (model: Readonly<Model>) => model.invoices.length < 6
  async run(model: Model, real: Real) {
    const call = callOf(real)
    if (this.link) {
      const sent = await call('POST', '/v2/SendPayment', { InvoiceValue: decimal(this.valueMinor), CustomerName: 'Model', NotificationOption: 'LNK' })
      expect(sent.status, JSON.stringify(sent.body)).toBe(200)
      model.invoices.push({ invoiceId: sent.body.Data.InvoiceId, valueMinor: this.valueMinor, directPath: null, autoCapture: true, status: 'Pending', createdDay: model.day, transactions: [], authorized: false, capturedMinor: 0, refundedMinor: 0, refunds: 0, recurrence: null })
      return
    }
    const body: Record<string, unknown> = { PaymentMethodId: 9, InvoiceValue: decimal(this.valueMinor) }
    // A recurring invoice always captures (AutoCapture false with a RecurringModel is a 400).
    const autoCapture = this.recurring ? true : this.autoCapture
    if (!autoCapture) body.ProcessingDetails = { AutoCapture: false }
    if (this.recurring) body.RecurringModel = { RecurringType: 'Daily', Iteration: this.recurring.iteration, RetryCount: 0 }
    const created = await call('POST', '/v2/ExecutePayment', body)
    expect(created.status, JSON.stringify(created.body)).toBe(200)
    const data = created.body.Data
    model.invoices.push({
      invoiceId: data.InvoiceId, valueMinor: this.valueMinor, directPath: new URL(data.PaymentURL).pathname, autoCapture, status: 'Pending', createdDay: model.day,
      transactions: [], authorized: false, capturedMinor: 0, refundedMinor: 0, refunds: 0,
      recurrence: this.recurring ? { recurringId: data.RecurringId, iteration: this.recurring.iteration, card: '', status: 'Draft', anchorDay: 0, nextCycle: 1, failed: 0, executed: 0 } : null,
    })
    await checkAll(model, real)
  }
  toString = () => `create(${decimal(this.valueMinor)}${this.autoCapture ? '' : ', authorize'}${this.recurring ? `, daily×${this.recurring.iteration}` : ''}${this.link ? ', link' : ''})`
}

/** What the model does when an approved or declined payment of `invoice` is recorded. */
function recordPayment(model: Model, invoice: ModelInvoice, number: string): void {
  if (number === DECLINED) {
    invoice.transactions.push('Failed')
    return
  }
  if (invoice.autoCapture) {
    invoice.transactions.push('Succss')
    invoice.status = 'Paid'
    invoice.capturedMinor = invoice.valueMinor
  } else {
    invoice.transactions.push('Authorize')
    invoice.authorized = true
  }
  const r = invoice.recurrence
  if (r && r.status === 'Draft') {
    r.status = 'Active'
    r.anchorDay = model.day
    r.card = number
  }
}

/** An invoice a customer can pay now: direct, Pending, nothing authorised on it, not expired. */
const payable = (model: Readonly<Model>, invoice: ModelInvoice) =>
  invoice.directPath !== null && invoice.status === 'Pending' && !invoice.authorized && model.day - invoice.createdDay < 3

class Pay implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index: number, readonly number: string) {}
  check = (model: Readonly<Model>) => model.invoices.some((invoice) => invoice.directPath !== null)
  async run(model: Model, real: Real) {
    const invoice = pick(model.invoices.filter((i) => i.directPath !== null), this.index)
    if (!invoice?.directPath) return
    const response = await callOf(real)('POST', invoice.directPath, { PaymentType: 'card', Bypass3DS: true, Card: card(this.number) })
    if (!payable(model, invoice)) {
      expect(response.status, JSON.stringify(response.body)).toBe(400)
      // A Paid invoice says so; a Pending one (an authorisation waiting included) says it expired first.
      const expired = model.day - invoice.createdDay >= 3
      expect(response.body.Message).toMatch(invoice.status === 'Paid' || !expired ? /already paid/ : /expired/)
    } else {
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      expect(response.body.Data.Status).toBe(this.number === DECLINED ? 'FAILURE' : 'SUCCESS')
      recordPayment(model, invoice, this.number)
    }
    await checkAll(model, real)
  }
  toString = () => `pay(${this.index}, ${this.number})`
}

/** Two approved payments of one invoice at once, in an order the scheduler picks: one is charged. */
class PayTwiceAtOnce implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index: number, readonly scheduler: fc.Scheduler) {}
  check = (model: Readonly<Model>) => model.invoices.some((invoice) => payable(model, invoice))
  async run(model: Model, real: Real) {
    const invoice = pick(model.invoices.filter((i) => payable(model, i)), this.index)
    if (!invoice?.directPath) return
    const path = invoice.directPath
    const call = callOf(real)
    const both = [0, 1].map(() => this.scheduler.schedule(Promise.resolve()).then(() => call('POST', path, { PaymentType: 'card', Bypass3DS: true, Card: card(APPROVED) })))
    await this.scheduler.waitAll()
    const answers = await Promise.all(both)
    const approved = answers.filter((a) => a.status === 200 && a.body.Data.Status === 'SUCCESS')
    expect(approved.length, JSON.stringify(answers.map((a) => a.body))).toBe(1)
    for (const answer of answers) expect(answer.status).toBeLessThan(500)
    recordPayment(model, invoice, APPROVED)
    await checkAll(model, real)
  }
  toString = () => `payTwiceAtOnce(${this.index}) ${this.scheduler.report().length} steps`
}

class Refund implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index: number, readonly share: number) {}
  check = (model: Readonly<Model>) => model.invoices.length > 0
  async run(model: Model, real: Real) {
    const invoice = pick(model.invoices, this.index)
    if (!invoice) return
    const remaining = invoice.capturedMinor - invoice.refundedMinor
    // Mostly a part of what is left; sometimes 1 fils more than is left.
    const amount = this.share > 1 ? remaining + 1 : Math.max(1, Math.round(remaining * this.share))
    const response = await callOf(real)('POST', '/v2/MakeRefund', { KeyType: 'InvoiceId', Key: invoice.invoiceId, Amount: decimal(amount) })
    if (invoice.capturedMinor > 0 && amount <= remaining) {
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      expect(minorOf(response.body.Data.Amount)).toBe(amount)
      invoice.refundedMinor += amount
      invoice.refunds++
    } else {
      expect(response.status, JSON.stringify(response.body)).toBe(400)
    }
    await checkAll(model, real)
  }
  toString = () => `refund(${this.index}, ${this.share})`
}

/** Two refunds of one invoice at once: whatever the order, never more than was captured. */
class RefundTwiceAtOnce implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index: number, readonly shares: [number, number], readonly scheduler: fc.Scheduler) {}
  check = (model: Readonly<Model>) => model.invoices.some((i) => i.capturedMinor > i.refundedMinor)
  async run(model: Model, real: Real) {
    const invoice = pick(model.invoices.filter((i) => i.capturedMinor > i.refundedMinor), this.index)
    if (!invoice) return
    const remaining = invoice.capturedMinor - invoice.refundedMinor
    const amounts = this.shares.map((share) => Math.max(1, Math.round(remaining * share)))
    const call = callOf(real)
    const both = amounts.map((amount) => this.scheduler.schedule(Promise.resolve()).then(() => call('POST', '/v2/MakeRefund', { KeyType: 'InvoiceId', Key: invoice.invoiceId, Amount: decimal(amount) })))
    await this.scheduler.waitAll()
    const answers = await Promise.all(both)
    let refunded = 0
    answers.forEach((answer, i) => {
      expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500)
      if (answer.status === 200) {
        refunded += amounts[i] ?? 0
        invoice.refunds++
      }
    })
    expect(refunded).toBeLessThanOrEqual(remaining)
    // The smaller fits whatever came first, unless the other was still being processed.
    if (answers.every((answer) => answer.status !== 200)) throw new Error(`neither refund went through: ${JSON.stringify(answers.map((a) => a.body))}`)
    invoice.refundedMinor += refunded
    await checkAll(model, real)
  }
  toString = () => `refundTwiceAtOnce(${this.index}, ${this.shares.join('/')})`
}

class CaptureOrRelease implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index: number, readonly operation: 'Capture' | 'Release', readonly share: number) {}
  check = (model: Readonly<Model>) => model.invoices.length > 0
  async run(model: Model, real: Real) {
    const invoice = pick(model.invoices, this.index)
    if (!invoice) return
    const amount = Math.max(1, Math.round(invoice.valueMinor * this.share))
    const response = await callOf(real)('POST', '/v2/UpdatePaymentStatus', {
      Operation: this.operation, KeyType: 'InvoiceId', Key: invoice.invoiceId, ...(this.operation === 'Capture' ? { Amount: decimal(amount) } : {}),
    })
    if (!invoice.authorized) {
      expect(response.status, JSON.stringify(response.body)).toBe(400)
    } else {
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      applyAuthorizationUpdate(invoice, this.operation, amount)
    }
    await checkAll(model, real)
  }
  toString = () => `${this.operation.toLowerCase()}(${this.index}, ${this.share})`
}

function applyAuthorizationUpdate(invoice: ModelInvoice, operation: 'Capture' | 'Release', amount: number): void {
  invoice.authorized = false
  const last = invoice.transactions.lastIndexOf('Authorize')
  if (operation === 'Capture') {
    invoice.transactions[last] = 'Succss'
    invoice.status = 'Paid'
    invoice.capturedMinor = amount
  } else {
    invoice.transactions[last] = 'Canceled'
  }
}

/** Capture and release of one authorisation at once: exactly one of them happens. */
class CaptureAndReleaseAtOnce implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index: number, readonly scheduler: fc.Scheduler) {}
  check = (model: Readonly<Model>) => model.invoices.some((i) => i.authorized)
  async run(model: Model, real: Real) {
    const invoice = pick(model.invoices.filter((i) => i.authorized), this.index)
    if (!invoice) return
    const call = callOf(real)
    const operations = ['Capture', 'Release'] as const
    const both = operations.map((operation) =>
      this.scheduler.schedule(Promise.resolve()).then(() =>
        call('POST', '/v2/UpdatePaymentStatus', { Operation: operation, KeyType: 'InvoiceId', Key: invoice.invoiceId, ...(operation === 'Capture' ? { Amount: decimal(invoice.valueMinor) } : {}) }),
      ),
    )
    await this.scheduler.waitAll()
    const answers = await Promise.all(both)
    const done = operations.filter((_, i) => answers[i]?.status === 200)
    expect(done.length, JSON.stringify(answers.map((a) => a.body))).toBe(1)
    for (const answer of answers) expect(answer.status).toBeLessThan(500)
    applyAuthorizationUpdate(invoice, done[0] ?? 'Capture', invoice.valueMinor)
    await checkAll(model, real)
  }
  toString = () => `captureAndReleaseAtOnce(${this.index})`
}

class Advance implements fc.AsyncCommand<Model, Real> {
  constructor(readonly days: number) {}
  check = () => true
  async run(model: Model, real: Real) {
    const response = await callOf(real)('POST', '/v2/sandbox/AdvanceClock', { Days: this.days })
    expect(response.status, JSON.stringify(response.body)).toBe(200)
    model.day += this.days
    for (const invoice of model.invoices) if (invoice.recurrence) settle(invoice.recurrence, model.day)
    // Unpaid invoices expire after 3 days; the model only keeps checking what it can predict.
    await checkAll(model, real)
  }
  toString = () => `advance(${this.days})`
}

class CancelOrResume implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index: number, readonly action: 'Cancel' | 'Resume') {}
  check = (model: Readonly<Model>) => model.invoices.some((i) => i.recurrence !== null)
  async run(model: Model, real: Real) {
    const r = pick(model.invoices.flatMap((i) => (i.recurrence ? [i.recurrence] : [])), this.index)
    if (!r) return
    const response = await callOf(real)('POST', `/v2/${this.action}RecurringPayment?recurringId=${r.recurringId}`)
    if (this.action === 'Cancel') {
      if (r.status === 'Completed' || r.status === 'Canceled') expect(response.status).toBe(400)
      else {
        expect(response.body, JSON.stringify(response.body)).toMatchObject({ IsSuccess: true, Data: true })
        r.status = 'Canceled'
      }
    } else {
      // Only an Uncompleted recurrence resumes; its card declines every renewal, so it stays.
      expect(response.status, JSON.stringify(response.body)).toBe(400)
    }
    await checkAll(model, real)
  }
  toString = () => `${this.action.toLowerCase()}(${this.index})`
}

class ListWebhooks implements fc.AsyncCommand<Model, Real> {
  check = () => true
  async run(model: Model, real: Real) {
    const response = await callOf(real)('POST', '/v2/GetWebhooks', { PageSize: 500 })
    expect(response.status, JSON.stringify(response.body)).toBe(200)
    const items: any[] = response.body.Data.Items
    const invoices = new Set(model.invoices.map((i) => String(i.invoiceId)))
    const recurrences = new Set(model.invoices.flatMap((i) => (i.recurrence ? [i.recurrence.recurringId] : [])))
    // Every event is about one of this merchant's invoices or recurrences (renewal invoices aside).
    for (const item of items) {
      if (item.EventCode === 1 || item.EventCode === 2) {
        if (!invoices.has(String(item.EventEntityId))) expect(model.invoices.some((i) => i.recurrence), JSON.stringify(item)).toBe(true)
      } else expect(recurrences.has(item.EventEntityId) || item.EventCode !== 5, JSON.stringify(item)).toBe(true)
    }
    // One payment event per recorded outcome of the model's invoices; one refund event per refund.
    for (const invoice of model.invoices) {
      const about = items.filter((item) => String(item.EventEntityId) === String(invoice.invoiceId))
      expect(about.filter((item) => item.EventCode === 2).length, `refund events of ${invoice.invoiceId}`).toBe(invoice.refunds)
      expect(about.filter((item) => item.EventCode === 1).length, `payment events of ${invoice.invoiceId}`).toBeGreaterThanOrEqual(invoice.transactions.length > 0 ? 1 : 0)
    }
  }
  toString = () => 'listWebhooks'
}

const index = fc.nat(5)
const commands = [
  fc.tuple(fc.integer({ min: 1, max: 250_000 }), fc.boolean(), fc.option(fc.integer({ min: 0, max: 3 }).map((iteration) => ({ iteration })), { freq: 3 }), fc.boolean())
    .map(([value, autoCapture, recurring, link]) => new CreateInvoice(value, autoCapture, recurring, link && recurring === null && autoCapture)),
  fc.tuple(index, fc.constantFrom(APPROVED, APPROVED, DECLINED, RENEWAL_DECLINED)).map(([i, number]) => new Pay(i, number)),
  fc.tuple(index, fc.constantFrom(APPROVED, RENEWAL_DECLINED)).map(([i, number]) => new Pay(i, number)),
  fc.tuple(index, fc.scheduler()).map(([i, s]) => new PayTwiceAtOnce(i, s)),
  fc.tuple(index, fc.constantFrom(0.1, 0.5, 1, 1.01)).map(([i, share]) => new Refund(i, share)),
  fc.tuple(index, fc.tuple(fc.constantFrom(0.3, 0.6, 0.9), fc.constantFrom(0.2, 0.5, 1)), fc.scheduler()).map(([i, shares, s]) => new RefundTwiceAtOnce(i, shares, s)),
  fc.tuple(index, fc.constantFrom('Capture' as const, 'Release' as const), fc.constantFrom(0.25, 1)).map(([i, op, share]) => new CaptureOrRelease(i, op, share)),
  fc.tuple(index, fc.scheduler()).map(([i, s]) => new CaptureAndReleaseAtOnce(i, s)),
  fc.integer({ min: 1, max: 3 }).map((days) => new Advance(days)),
  fc.tuple(index, fc.constantFrom('Cancel' as const, 'Resume' as const)).map(([i, action]) => new CancelOrResume(i, action)),
  fc.constant(new ListWebhooks()),
]

for (const dialect of DIALECTS) {
  describe(`${dialect}: model of the whole API`, () => {
    let app: TestApp
    let runs = 0
    let steps = 0

    beforeAll(async () => {
      app = await startTestApp(dialect)
    })
    afterAll(async () => {
      console.log(`model ${dialect}: ${runs} sequences, ${steps} commands${RUNS === undefined ? ` in ${SECONDS} s` : ''}`)
      await app?.close()
    })

    it('answers every sequence as the model predicts, moving money at most once under interleavings', async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 25, size: 'max' }), async (sequence) => {
          // Each sequence is its own merchant, with its own clock at 10:00 tomorrow (Kuwait).
          const { apiKey } = await app.createMerchant({ bypass3ds: true, authorizeCapture: true })
          const moved = await app.call('POST', '/v2/sandbox/AdvanceClock', apiKey, { Until: `${tomorrowInKuwait()}T10:00:00` })
          expect(moved.status).toBe(200)
          runs++
          steps += [...sequence].length
          await fc.asyncModelRun(() => ({ model: { day: 0, invoices: [] }, real: { app, key: apiKey } }), sequence)
        }),
        RUNS === undefined
          ? { numRuns: 1_000_000, interruptAfterTimeLimit: SECONDS * 1000, markInterruptAsFailure: false }
          : { numRuns: RUNS },
      )
      expect(runs).toBeGreaterThan(0)
    }, (RUNS === undefined ? SECONDS * 1000 : 3_600_000) + 180_000)
  })
}
