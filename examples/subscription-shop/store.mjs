import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * The shop's own records in one small JSON file: subscriptions, their payments, and the
 * identities of the webhook events already handled. Every change is written at once (to a
 * temporary file, then renamed), so a restart loses nothing and a half-written file never exists.
 *
 * Two levels of idempotency:
 * - an event already handled (same `Dawri-Webhook-Reference`, or the same body) is acknowledged
 *   and ignored: dawri, like MyFatoorah, delivers at least once;
 * - a payment is keyed by its PaymentId, so the callback and the webhooks that report the same
 *   payment record it once.
 */
export class ShopStore {
  /** @param {string} file path of the JSON file; created on the first write */
  constructor(file) {
    this.file = file
    /** @type {{ subscriptions: Record<string, Subscription>, payments: Record<string, Payment>, events: Record<string, HandledEvent> }} */
    this.data = { subscriptions: {}, payments: {}, events: {} }
    try {
      this.data = { ...this.data, ...JSON.parse(readFileSync(file, 'utf8')) }
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'ENOENT') throw error
    }
  }

  /** A subscription created at checkout, still waiting for its first payment. */
  addPendingSubscription({ recurringId, invoiceId, customerName, amount, currency }) {
    this.data.subscriptions[recurringId] ??= {
      recurringId,
      invoiceId: String(invoiceId),
      customerName,
      amount,
      currency,
      status: 'PENDING',
      nextPayDate: null,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    }
    this.save()
  }

  /** @returns {Subscription | undefined} */
  subscription(recurringId) {
    return this.data.subscriptions[recurringId]
  }

  /** Newest first. */
  subscriptions() {
    return Object.values(this.data.subscriptions).sort((a, b) => b.createdAt.localeCompare(a.createdAt))
  }

  /** Payments of one subscription in the order the shop learnt of them (dawri sends a recurrence's events in order). */
  paymentsOf(recurringId) {
    return Object.values(this.data.payments)
      .filter((payment) => payment.recurringId === recurringId)
      .sort((a, b) => a.recordedAt.localeCompare(b.recordedAt))
  }

  /** Updates what the shop knows of a subscription; a final status (cancelled) never goes back. */
  updateSubscription(recurringId, { status, nextPayDate }) {
    const subscription = this.data.subscriptions[recurringId]
    if (!subscription) return undefined
    if (status && !FINAL_STATUSES.has(subscription.status)) subscription.status = status
    if (nextPayDate !== undefined) subscription.nextPayDate = nextPayDate
    subscription.updatedAt = new Date().toISOString()
    this.save()
    return subscription
  }

  /**
   * Records a payment once per PaymentId; a later report of the same payment only fills in what
   * was missing. Returns true when the payment was new.
   * @param {Omit<Payment, 'recordedAt'>} payment
   */
  recordPayment(payment) {
    const known = this.data.payments[payment.paymentId]
    if (known) {
      for (const [key, value] of Object.entries(payment)) {
        if (known[key] === null || known[key] === undefined) known[key] = value
      }
      this.save()
      return false
    }
    this.data.payments[payment.paymentId] = { ...payment, recordedAt: new Date().toISOString() }
    this.save()
    return true
  }

  /** Whether this webhook event was handled already. */
  hasHandled(eventKey) {
    return eventKey in this.data.events
  }

  /** Remembers a handled event (after its effects are recorded). */
  markHandled(eventKey, type) {
    this.data.events[eventKey] = { type, handledAt: new Date().toISOString(), repeats: 0 }
    this.save()
  }

  /** Counts a delivery of an event already handled (kept to show that repeats are harmless). */
  countRepeat(eventKey) {
    const event = this.data.events[eventKey]
    if (!event) return
    event.repeats = (event.repeats ?? 0) + 1
    this.save()
  }

  save() {
    mkdirSync(dirname(this.file), { recursive: true })
    const temporary = `${this.file}.${process.pid}.tmp`
    writeFileSync(temporary, `${JSON.stringify(this.data, null, 2)}\n`)
    renameSync(temporary, this.file)
  }
}

const FINAL_STATUSES = new Set(['CANCELED', 'COMPLETED'])

/**
 * @typedef {object} Subscription
 * @property {string} recurringId
 * @property {string} invoiceId the first invoice, paid through the Card View
 * @property {string} customerName
 * @property {string} amount the price of one month, as text with the currency's decimals
 * @property {string} currency
 * @property {string} status PENDING until paid, then dawri's: ACTIVE, UNCOMPLETED, COMPLETED, CANCELED
 * @property {string | null} nextPayDate
 * @property {string} createdAt
 * @property {string} updatedAt
 *
 * @typedef {object} Payment
 * @property {string} paymentId
 * @property {string} recurringId
 * @property {string} invoiceId
 * @property {'first' | 'renewal'} kind
 * @property {string} status SUCCESS or FAILED
 * @property {string | null} amount
 * @property {string | null} date
 * @property {'callback' | 'webhook'} source how the shop first learnt of it
 * @property {string} recordedAt
 *
 * @typedef {object} HandledEvent
 * @property {string} type
 * @property {string} handledAt
 * @property {number} repeats deliveries of the same event after the first
 */
