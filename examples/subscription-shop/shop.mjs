import { createHash } from 'node:crypto'

import formbody from '@fastify/formbody'
import Fastify from 'fastify'
import { MyFatoorahClient, MyFatoorahError, parseWebhookEvent, verifyWebhookSignature, WebhookParseError } from 'dawri/sdk'

import { applyPaymentUpdate, applyRecurringUpdate, confirmPayment, readEventFacts } from './events.mjs'
import { checkoutPage, failedPage, homePage, subscriptionPage } from './pages.mjs'
import { ShopStore } from './store.mjs'

/** What the shop sells: one plan, charged every month until the customer cancels. */
export const PLAN = Object.freeze({ name: 'Monthly plan', amount: '5.000', currency: 'KWD' })

/** The RecurringModel of ExecutePayment: monthly, until cancelled, two retries of a declined renewal. */
const RECURRING_MODEL = Object.freeze({ RecurringType: 'Monthly', Iteration: 0, RetryCount: 2 })

/**
 * Builds the shop (a Fastify instance, not yet listening).
 *
 * @param {object} options
 * @param {string} options.dawriUrl dawri's base URL, e.g. http://127.0.0.1:8080
 * @param {string} options.apiKey the merchant's API key
 * @param {string} options.webhookSecret the merchant's webhook secret
 * @param {() => string} options.publicUrl the shop's own base URL, as the customer's browser and dawri reach it
 * @param {string} options.dataFile the JSON file of the shop's records
 * @param {boolean} [options.logger]
 */
export function buildShop({ dawriUrl, apiKey, webhookSecret, publicUrl, dataFile, logger = false }) {
  const client = new MyFatoorahClient({ apiKey, baseUrl: dawriUrl })
  const store = new ShopStore(dataFile)
  const shop = Fastify({ logger })
  shop.register(formbody)

  const html = (reply, body, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(body)

  shop.get('/', async (_request, reply) => html(reply, homePage({ plan: PLAN, subscriptions: store.subscriptions() })))

  // 1. A session for the Card View. IsRecurring: the card is taken for recurring charges.
  shop.get('/checkout', async (_request, reply) => {
    const session = await client.initiateSession({ IsRecurring: true })
    return html(reply, checkoutPage({ plan: PLAN, dawriUrl, sessionId: session.SessionId, countryCode: session.CountryCode }))
  })

  // 2. The Card View's submit() gave the page a SessionId; the server creates the first invoice
  //    and the recurrence with it. The answer's PaymentURL is the OTP (3-D Secure) step.
  shop.post('/checkout/pay', async (request, reply) => {
    const { sessionId, customerName } = /** @type {{ sessionId?: unknown, customerName?: unknown }} */ (request.body ?? {})
    if (typeof sessionId !== 'string' || sessionId === '') return reply.code(400).send({ message: 'sessionId is required' })
    const name = typeof customerName === 'string' && customerName.trim() !== '' ? customerName.trim().slice(0, 100) : 'Customer'
    try {
      const base = publicUrl()
      const invoice = await client.executePayment({
        SessionId: sessionId,
        InvoiceValue: Number(PLAN.amount),
        CustomerName: name,
        CallBackUrl: `${base}/paid`,
        ErrorUrl: `${base}/failed`,
        // Recurring events follow the first invoice's WebhookUrl; so the shop works with any
        // merchant, whatever URL its account has.
        WebhookUrl: `${base}/webhook`,
        InvoiceItems: [{ ItemName: PLAN.name, Quantity: 1, UnitPrice: Number(PLAN.amount) }],
        RecurringModel: RECURRING_MODEL,
      })
      store.addPendingSubscription({
        recurringId: invoice.RecurringId,
        invoiceId: invoice.InvoiceId,
        customerName: name,
        amount: PLAN.amount,
        currency: PLAN.currency,
      })
      return { paymentUrl: invoice.PaymentURL }
    } catch (error) {
      if (error instanceof MyFatoorahError) return reply.code(400).send({ message: describeError(error) })
      throw error
    }
  })

  // 3. dawri redirects here after the OTP step. The query string proves nothing: the payment is
  //    confirmed with GetPaymentStatus before the subscription counts as paid.
  shop.get('/paid', async (request, reply) => {
    const paymentId = paymentIdOf(request.query)
    if (!paymentId) return html(reply, failedPage({ message: 'No payment to confirm.' }), 400)
    const payment = await confirmPayment(client, paymentId)
    const subscription = payment.recurringId ? store.subscription(payment.recurringId) : undefined
    if (!subscription) return html(reply, failedPage({ message: 'This payment is not one of this shop\'s subscriptions.' }), 404)
    if (payment.status !== 'SUCCESS') {
      return html(reply, failedPage({ message: payment.error || `The payment is ${payment.invoiceStatus}.` }), 402)
    }
    store.recordPayment({
      paymentId,
      recurringId: subscription.recurringId,
      invoiceId: payment.invoiceId,
      kind: 'first',
      status: 'SUCCESS',
      amount: payment.amount,
      date: payment.date,
      source: 'callback',
    })
    if (subscription.status === 'PENDING') store.updateSubscription(subscription.recurringId, { status: 'ACTIVE' })
    return reply.redirect(`/subscriptions/${encodeURIComponent(subscription.recurringId)}?flash=${encodeURIComponent('Thank you: your subscription is active.')}`)
  })

  shop.get('/failed', async (request, reply) => {
    const paymentId = paymentIdOf(request.query)
    const payment = paymentId ? await confirmPayment(client, paymentId) : undefined
    const message = payment?.error ? `The payment did not go through: ${payment.error}` : 'The payment did not go through.'
    return html(reply, failedPage({ message }), 402)
  })

  /** @type {Map<string, Promise<void>>} */
  const handling = new Map()
  async function handleEvent(eventKey, event) {
    const facts = readEventFacts(event)
    // Effects first, then the mark: a crash in between means the event is handled again when
    // redelivered, which the PaymentId keys make harmless.
    if (facts.kind === 'recurring') await applyRecurringUpdate({ store, client }, facts)
    else if (facts.kind === 'payment') await applyPaymentUpdate({ store, client }, facts)
    store.markHandled(eventKey, facts.type)
  }

  // 4. Webhooks. The signature is checked on the raw body before anything is believed; an event
  //    already handled is acknowledged and ignored (deliveries are at least once).
  shop.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body))
    scope.post('/webhook', async (request, reply) => {
      const raw = typeof request.body === 'string' ? request.body : ''
      if (!verifyWebhookSignature(raw, request.headers, webhookSecret)) {
        request.log.warn('webhook refused: bad signature')
        return reply.code(401).send({ accepted: false })
      }
      const eventKey = eventIdentity(raw, request.headers)
      if (store.hasHandled(eventKey)) {
        store.countRepeat(eventKey)
        return { accepted: true, duplicate: true }
      }
      // A copy arriving while the first is still being handled waits for it.
      const running = handling.get(eventKey)
      if (running) {
        await running
        store.countRepeat(eventKey)
        return { accepted: true, duplicate: true }
      }
      let event
      try {
        event = parseWebhookEvent(raw)
      } catch (error) {
        if (!(error instanceof WebhookParseError)) throw error
        // Signed but of a kind this shop does not know: acknowledge it, or it is retried for days.
        request.log.warn({ eventKey, reason: error.message }, 'webhook ignored')
        store.markHandled(eventKey, 'unsupported')
        return { accepted: true, ignored: true }
      }
      const work = handleEvent(eventKey, event)
      handling.set(eventKey, work)
      try {
        await work
      } finally {
        handling.delete(eventKey)
      }
      return { accepted: true }
    })
  })

  shop.get('/subscriptions/:recurringId', async (request, reply) => {
    const { recurringId } = /** @type {{ recurringId: string }} */ (request.params)
    const subscription = store.subscription(recurringId)
    if (!subscription) return html(reply, failedPage({ message: 'No such subscription.' }), 404)
    const flash = /** @type {{ flash?: string }} */ (request.query).flash
    return html(reply, subscriptionPage({ subscription, payments: store.paymentsOf(recurringId), sandbox: true, flash }))
  })

  // 5. "Cancel my subscription": CancelRecurringPayment. Final: no more renewals.
  //    (A real shop checks that the signed-in customer owns the subscription.)
  shop.post('/subscriptions/:recurringId/cancel', async (request, reply) => {
    const { recurringId } = /** @type {{ recurringId: string }} */ (request.params)
    if (!store.subscription(recurringId)) return html(reply, failedPage({ message: 'No such subscription.' }), 404)
    let flash = 'Your subscription is cancelled: there will be no more charges.'
    try {
      await client.cancelRecurringPayment({ recurringId })
      store.updateSubscription(recurringId, { status: 'CANCELED' })
    } catch (error) {
      if (!(error instanceof MyFatoorahError)) throw error
      flash = `Could not cancel: ${describeError(error)}`
    }
    return reply.redirect(`/subscriptions/${encodeURIComponent(recurringId)}?flash=${encodeURIComponent(flash)}`, 303)
  })

  // Sandbox only: moves the merchant's clock so that months of renewals happen in seconds.
  shop.post('/sandbox/advance', async (request, reply) => {
    const { days, back } = /** @type {{ days?: string, back?: string }} */ (request.body ?? {})
    const target = typeof back === 'string' && back.startsWith('/subscriptions/') ? back : '/'
    let flash
    try {
      const result = await client.sandbox.advanceClock({ Days: Number(days) })
      flash = `Clock advanced to ${result.Now.replace('T', ' ').slice(0, 16)}: ${result.Approved} renewals approved, ${result.Declined} declined, ${result.WebhooksDelivered} webhooks delivered.`
    } catch (error) {
      if (!(error instanceof MyFatoorahError)) throw error
      flash = `Could not advance the clock: ${describeError(error)}`
    }
    return reply.redirect(`${target}?flash=${encodeURIComponent(flash)}`, 303)
  })

  // dawri unreachable or refusing a call: a page that says so (502). Webhooks answer 5xx too, so
  // that dawri delivers them again later.
  shop.setErrorHandler(async (error, request, reply) => {
    request.log.error(error)
    // MyFatoorahConnectionError: no answer after the SDK's retries.
    const upstream = error instanceof MyFatoorahError || error?.name === 'MyFatoorahConnectionError'
    const message = error instanceof MyFatoorahError ? `dawri answered: ${describeError(error)}` : upstream ? `dawri could not be reached at ${dawriUrl}` : 'Something went wrong'
    if (request.method === 'GET') return html(reply, failedPage({ message }), upstream ? 502 : 500)
    return reply.code(upstream ? 502 : 500).send({ message })
  })

  shop.addHook('onClose', async () => store.save())
  return shop
}

function paymentIdOf(query) {
  const value = /** @type {Record<string, unknown>} */ (query ?? {}).paymentId
  return typeof value === 'string' && /^\d{1,40}$/.test(value) ? value : undefined
}

/** MyFatoorah's message, with the field errors when there are some. */
function describeError(error) {
  const fields = (error.validationErrors ?? []).map((field) => `${field.Name}: ${field.Error}`)
  return [error.message, ...fields].filter(Boolean).join(' — ')
}

/**
 * The identity of a delivery's event: dawri's `Dawri-Webhook-Reference` header (the same on every
 * retry and resend), else v2's `Event.Reference`, else the body itself (MyFatoorah resends the
 * same bytes).
 */
export function eventIdentity(raw, headers) {
  const header = headers['dawri-webhook-reference']
  if (typeof header === 'string' && header !== '') return header
  try {
    const reference = JSON.parse(raw)?.Event?.Reference
    if (typeof reference === 'string' && reference !== '') return reference
  } catch {
    // Not JSON: the hash below still identifies it.
  }
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`
}
