import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { canTransition, isRecurrenceStatus, type RecurrenceStatus } from '../../src/domain/recurrence.js'
import { RESUME_NOT_ALLOWED } from '../../src/services/resume-recurring-payment.js'
import { DIALECTS } from '../support/dialects.js'
import type { TestApp } from '../support/start-test-app.js'
import { openRecurringContext, startRecurringApp, type RecurringContext } from './recurring-fixtures.js'

/**
 * Model-based test: random sequences of create / pay / advance / cancel / resume with random
 * test cards, run against the real server and against a small model of the recurring guide.
 * The model counts whole days (the merchant's clock always shows 10:00 local, charges run at
 * 04:00), so an attempt due on day d has run once the clock reaches day d.
 */

/** Renewal behaviour of the cards the model uses (their first payment is always approved). */
const CARDS = {
  '5123450000000008': () => true,
  '4000000000002016': () => true,
  '4000000000000341': () => false,
  '4000000000001018': (attempt: number) => attempt >= 1,
  '4000000000001026': (attempt: number) => attempt >= 2,
  '4000000000001034': (attempt: number) => attempt >= 3,
} as const
type Card = keyof typeof CARDS

interface ModelRecurrence {
  recurringId: string
  invoiceId: number
  card: Card
  interval: number
  iteration: number
  retryCount: number
  status: RecurrenceStatus
  paid: boolean
  /** Day the first invoice was created: a customer can pay it for 3 days. */
  createdDay: number
  anchorDay: number
  nextCycle: number
  failed: number
  executed: number
  resumesInCycle: number
}

interface Model {
  day: number
  recurrences: ModelRecurrence[]
}

interface Real {
  ctx: RecurringContext
  /** Last status seen per recurrence, to check every move against the graph. */
  seen: Map<string, RecurrenceStatus>
}

function approve(r: ModelRecurrence): void {
  r.executed++
  r.nextCycle++
  r.failed = 0
  r.resumesInCycle = 0
  if (r.iteration > 0 && r.executed >= r.iteration) r.status = 'Completed'
  else r.status = 'Active'
}

/** Runs every attempt of `r` due by `day`, as the engine must (catch-up included). */
function settle(r: ModelRecurrence, day: number): void {
  while (r.status === 'Active' && r.anchorDay + r.nextCycle * r.interval + r.failed <= day) {
    if (CARDS[r.card](r.failed)) approve(r)
    else {
      r.failed++
      if (r.failed > r.retryCount) r.status = 'Uncompleted'
    }
  }
}

async function checkAgainstModel(model: Model, real: Real): Promise<void> {
  for (const r of model.recurrences) {
    const view = await real.ctx.get(r.recurringId)
    expect(view, r.recurringId).toMatchObject({ RecurringStatus: r.status, ExecutedTimes: r.executed, IsActive: r.status === 'Active' })
    if (!isRecurrenceStatus(view.RecurringStatus)) throw new Error(`bad status ${view.RecurringStatus}`)
    const before = real.seen.get(r.recurringId)
    if (before !== undefined && before !== view.RecurringStatus) {
      expect(canTransition(before, view.RecurringStatus), `${before} → ${view.RecurringStatus}`).toBe(true)
    }
    real.seen.set(r.recurringId, view.RecurringStatus)
    const perCycle = await real.ctx.approvedRenewals(r.recurringId)
    for (const [cycle, count] of perCycle) expect(count, `cycle ${cycle} of ${r.recurringId}`).toBe(1)
    expect(perCycle.size).toBe(view.ExecutedTimes)
  }
}

class CreateCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly card: Card,
    readonly type: 'Daily' | 'Weekly' | 'Custom',
    readonly intervalDays: number,
    readonly iteration: number,
    readonly retryCount: number,
    /** Pay the first invoice at once (most sequences then get to automatic charges). */
    readonly payNow: boolean,
  ) {}
  check = (model: Readonly<Model>) => model.recurrences.length < 5
  async run(model: Model, real: Real) {
    const { invoiceId, recurringId } = await real.ctx.create({
      RecurringType: this.type,
      IntervalDays: this.type === 'Custom' ? this.intervalDays : null,
      Iteration: this.iteration,
      RetryCount: this.retryCount,
    })
    const interval = this.type === 'Daily' ? 1 : this.type === 'Weekly' ? 7 : this.intervalDays
    if (this.payNow) await real.ctx.pay(invoiceId, this.card)
    model.recurrences.push({
      recurringId, invoiceId, card: this.card, interval, iteration: this.iteration, retryCount: this.retryCount,
      status: this.payNow ? 'Active' : 'Draft', paid: this.payNow, createdDay: model.day, anchorDay: model.day,
      nextCycle: 1, failed: 0, executed: 0, resumesInCycle: 0,
    })
    await checkAgainstModel(model, real)
  }
  toString = () =>
    `create(${this.type}/${this.intervalDays}, it ${this.iteration}, retry ${this.retryCount}, ${this.card}${this.payNow ? ', paid' : ''})`
}

class PayCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index: number) {}
  // An invoice expires 3 days after it was created; after that no customer can pay it.
  check = (model: Readonly<Model>) => model.recurrences.some((r) => !r.paid && model.day - r.createdDay < 3)
  async run(model: Model, real: Real) {
    const unpaid = model.recurrences.filter((r) => !r.paid && model.day - r.createdDay < 3)
    const r = unpaid[this.index % unpaid.length]
    if (!r) return
    await real.ctx.pay(r.invoiceId, r.card)
    r.paid = true
    if (r.status === 'Draft') {
      r.status = 'Active'
      r.anchorDay = model.day
    }
    await checkAgainstModel(model, real)
  }
  toString = () => `pay(${this.index})`
}

class AdvanceCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly days: number) {}
  check = () => true
  async run(model: Model, real: Real) {
    await real.ctx.advance({ Days: this.days })
    model.day += this.days
    for (const r of model.recurrences) settle(r, model.day)
    await checkAgainstModel(model, real)
  }
  toString = () => `advance(${this.days})`
}

class CancelCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index: number) {}
  check = (model: Readonly<Model>) => model.recurrences.length > 0
  async run(model: Model, real: Real) {
    const r = model.recurrences[this.index % model.recurrences.length]
    if (!r) return
    const response = await real.ctx.cancel(r.recurringId)
    if (r.status === 'Canceled' || r.status === 'Completed') {
      expect(response.status).toBe(400)
      expect(response.body.Data).toBe(false)
    } else {
      expect(response.body).toMatchObject({ IsSuccess: true, Data: true })
      r.status = 'Canceled'
    }
    await checkAgainstModel(model, real)
  }
  toString = () => `cancel(${this.index})`
}

class ResumeCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index: number) {}
  check = (model: Readonly<Model>) => model.recurrences.length > 0
  async run(model: Model, real: Real) {
    const r = model.recurrences[this.index % model.recurrences.length]
    if (!r) return
    const response = await real.ctx.resume(r.recurringId)
    if (r.status !== 'Uncompleted') {
      expect(response.status).toBe(400)
      expect(response.body.ValidationErrors).toEqual([{ Name: 'RecurringId', Error: RESUME_NOT_ALLOWED }])
    } else if (CARDS[r.card](r.retryCount + 1 + r.resumesInCycle)) {
      expect(response.body).toMatchObject({ IsSuccess: true, Data: true })
      approve(r)
    } else {
      expect(response.status).toBe(400)
      expect(response.body.Data).toBe(false)
      r.resumesInCycle++
    }
    await checkAgainstModel(model, real)
  }
  toString = () => `resume(${this.index})`
}

const advance = fc.integer({ min: 1, max: 4 }).map((days) => new AdvanceCommand(days))

// Commands are drawn uniformly, so listing one twice doubles its weight.
const commands = [
  fc
    .tuple(
      fc.constantFrom(...(Object.keys(CARDS) as Card[])),
      fc.constantFrom('Daily' as const, 'Weekly' as const, 'Custom' as const),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 0, max: 2 }),
      fc.boolean(),
    )
    .map(([card, type, interval, iteration, retry, payNow]) => new CreateCommand(card, type, interval, iteration, retry, payNow)),
  fc.nat(4).map((index) => new PayCommand(index)),
  advance,
  advance,
  advance,
  fc.nat(4).map((index) => new CancelCommand(index)),
  fc.nat(4).map((index) => new ResumeCommand(index)),
  fc.nat(4).map((index) => new ResumeCommand(index)),
]

for (const dialect of DIALECTS) {
  describe(`${dialect}: recurring model`, () => {
    let app: TestApp

    beforeAll(async () => {
      app = await startRecurringApp(dialect)
    })
    afterAll(async () => {
      await app?.close()
    })

    it('behaves like the model of the recurring guide, charging each cycle at most once', async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 24, size: 'max' }), async (cmds) => {
          const ctx = await openRecurringContext(app)
          await fc.asyncModelRun(() => ({ model: { day: 0, recurrences: [] }, real: { ctx, seen: new Map() } }), cmds)
        }),
        { numRuns: 20 },
      )
    }, 240_000)
  })
}
