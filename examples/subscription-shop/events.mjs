/**
 * What the shop takes from a verified webhook event, in either envelope (v2 is dawri's default;
 * v1 is MyFatoorah's older one, chosen per merchant). The amounts and dates are read from dawri
 * afterwards (confirmPayment), so only identities and statuses are taken here.
 *
 * @typedef {{ kind: 'recurring', type: string, recurringId: string, status: string, nextPayDate: string | null,
 *   initialInvoiceId: string | null, payment: PaymentFacts | null }} RecurringFacts
 * @typedef {{ kind: 'payment', type: string, payment: PaymentFacts }} PaymentEventFacts
 * @typedef {{ kind: 'other', type: string }} OtherFacts
 * @typedef {{ invoiceId: string, paymentId: string, status: string }} PaymentFacts
 */

/**
 * @param {import('dawri/sdk').WebhookEvent} event what `parseWebhookEvent` returned
 * @returns {RecurringFacts | PaymentEventFacts | OtherFacts}
 */
export function readEventFacts(event) {
  if (event.kind === 'recurring') {
    if (event.version === 'v2') {
      const { Recurring, Payment } = event.body.Data
      return {
        kind: 'recurring',
        type: event.body.Event.Name,
        recurringId: Recurring.Id,
        status: Recurring.Status,
        nextPayDate: Recurring.NextPayDate,
        initialInvoiceId: Recurring.InitialInvoiceId,
        payment: Payment ? { invoiceId: Payment.Invoice.Id, paymentId: Payment.Transaction.PaymentId, status: Payment.Transaction.Status } : null,
      }
    }
    const data = event.body.Data
    return {
      kind: 'recurring',
      type: event.body.Event,
      recurringId: data.RecurringId,
      status: data.RecurringStatus,
      nextPayDate: data.NextPayDate,
      initialInvoiceId: null, // v1 does not say; the shop knows its first invoice
      payment: data.PaymentId && data.InvoiceId !== null
        ? { invoiceId: String(data.InvoiceId), paymentId: data.PaymentId, status: data.TransactionStatus ?? 'FAILED' }
        : null,
    }
  }
  if (event.kind === 'payment') {
    if (event.version === 'v2') {
      const { Invoice, Transaction } = event.body.Data
      return { kind: 'payment', type: event.body.Event.Name, payment: { invoiceId: Invoice.Id, paymentId: Transaction.PaymentId, status: Transaction.Status } }
    }
    const data = event.body.Data
    return { kind: 'payment', type: event.body.Event, payment: { invoiceId: String(data.InvoiceId), paymentId: data.PaymentId, status: data.TransactionStatus } }
  }
  return { kind: 'other', type: event.version === 'v2' ? event.body.Event.Name : event.body.Event }
}

/**
 * What dawri recorded for one payment (GetPaymentStatus). A webhook is a signal, the API is the
 * record: v2 signs only a few fields of each event (the recurring event's `Payment` part is not
 * among them), so the shop reads the payment itself before it counts money.
 * @param {import('dawri/sdk').MyFatoorahClient} client
 * @param {string} paymentId
 */
export async function confirmPayment(client, paymentId) {
  const status = await client.getPaymentStatus({ Key: paymentId, KeyType: 'PaymentId' })
  const transaction = (status.InvoiceTransactions ?? []).find((candidate) => candidate.PaymentId === paymentId)
  return {
    invoiceId: String(status.InvoiceId),
    invoiceStatus: String(status.InvoiceStatus),
    recurringId: status.RecurringId ?? null,
    status: transaction?.TransactionStatus === 'Succss' ? 'SUCCESS' : 'FAILED',
    amount: transaction?.TransationValue ?? null,
    date: transaction?.TransactionDate ?? null,
    error: transaction?.Error ?? null,
  }
}

/**
 * A recurring update (the first payment, a renewal, a declined attempt, or a status change such
 * as a cancellation): the subscription's status and next date as dawri now has them
 * (GetRecurringPayment), and the payment it reports, confirmed and recorded once per PaymentId.
 * @param {{ store: import('./store.mjs').ShopStore, client: import('dawri/sdk').MyFatoorahClient }} shop
 * @param {RecurringFacts} facts
 */
export async function applyRecurringUpdate({ store, client }, facts) {
  const subscription = store.subscription(facts.recurringId)
  if (!subscription) return // not sold by this shop
  const current = await client.getRecurringPayment({ recurringId: facts.recurringId })
  const recurrence = current.RecurringPayment?.find((candidate) => candidate.RecurringId === facts.recurringId)
  store.updateSubscription(facts.recurringId, {
    status: String(recurrence?.RecurringStatus ?? facts.status).toUpperCase(),
    nextPayDate: recurrence?.NextPayDate ?? null,
  })
  if (!facts.payment) return
  const payment = await confirmPayment(client, facts.payment.paymentId)
  if (payment.recurringId !== facts.recurringId) return // the event's unsigned part did not match dawri's record
  store.recordPayment({
    paymentId: facts.payment.paymentId,
    recurringId: facts.recurringId,
    invoiceId: payment.invoiceId,
    kind: payment.invoiceId === subscription.invoiceId ? 'first' : 'renewal',
    status: payment.status,
    amount: payment.amount,
    date: payment.date,
    source: 'webhook',
  })
}

/**
 * A payment event. Renewals are recorded from their recurring event, which names the
 * subscription; here only the first invoice's payment is recognised (in case the customer never
 * came back to the callback page).
 * @param {{ store: import('./store.mjs').ShopStore, client: import('dawri/sdk').MyFatoorahClient }} shop
 * @param {PaymentEventFacts} facts
 */
export async function applyPaymentUpdate({ store, client }, facts) {
  const subscription = store.subscriptions().find((candidate) => candidate.invoiceId === facts.payment.invoiceId)
  if (!subscription || facts.payment.status.toUpperCase() !== 'SUCCESS') return
  const payment = await confirmPayment(client, facts.payment.paymentId)
  if (payment.invoiceId !== subscription.invoiceId || payment.status !== 'SUCCESS') return
  store.recordPayment({
    paymentId: facts.payment.paymentId,
    recurringId: subscription.recurringId,
    invoiceId: payment.invoiceId,
    kind: 'first',
    status: 'SUCCESS',
    amount: payment.amount,
    date: payment.date,
    source: 'webhook',
  })
  if (subscription.status === 'PENDING') store.updateSubscription(subscription.recurringId, { status: 'ACTIVE' })
}
