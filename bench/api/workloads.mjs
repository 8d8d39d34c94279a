// What the API benchmark sends, and how it checks each answer. A workload gives requests one at
// a time (`next()`) and judges each parsed answer against the request it answers (`check`).
import { API_KEY, DIRECT_BODY, DIRECT_INVOICE_BODY, PLAIN_BODY, RECURRING_BODY } from './bodies.mjs'

const HEADERS = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }
const post = (path, body, extra = {}) => ({ method: 'POST', path, headers: { ...HEADERS }, body: JSON.stringify(body), ...extra })

/** ExecutePayment mixes: each request takes the next body of its list. */
export const MIXES = {
  mixed: { label: 'mixed (½ with RecurringModel)', bodies: [PLAIN_BODY, RECURRING_BODY] },
  plain: { label: 'without RecurringModel', bodies: [PLAIN_BODY] },
  recurring: { label: 'with RecurringModel', bodies: [RECURRING_BODY] },
}

/** ExecutePayment: an integer InvoiceId, a PaymentURL and, with a RecurringModel, a RECUR… id. */
export function executePaymentWorkload(mix = 'mixed') {
  const requests = MIXES[mix].bodies.map((body) => post('/v2/ExecutePayment', body, { recurring: body.RecurringModel !== undefined }))
  let i = 0
  return {
    next: () => requests[i++ % requests.length],
    check: (answer, request) =>
      answer.IsSuccess === true &&
      Number.isInteger(answer.Data?.InvoiceId) &&
      typeof answer.Data.PaymentURL === 'string' &&
      (!request.recurring || /^RECUR\d+$/.test(answer.Data.RecurringId)),
  }
}

/** The invoices a later workload reads or pays: created with ExecutePayment on `server`. */
export async function createInvoices(server, count, body = PLAIN_BODY) {
  const invoices = []
  const workers = 32
  let made = 0
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (made < count) {
        made++
        const answer = await postJson(`${server.url}/v2/ExecutePayment`, body)
        if (answer.IsSuccess !== true) throw new Error(`${server.name}: could not create an invoice: ${JSON.stringify(answer).slice(0, 300)}`)
        invoices.push({ invoiceId: answer.Data.InvoiceId, path: new URL(answer.Data.PaymentURL).pathname })
      }
    }),
  )
  return invoices
}

async function postJson(url, body) {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, { method: 'POST', headers: { ...HEADERS }, body: JSON.stringify(body) })
      return await response.json()
    } catch (error) {
      if (attempt >= 3) throw new Error(`POST ${url} failed: ${error.cause?.message ?? error.message}`)
    }
  }
}

/** GetPaymentStatus by InvoiceId over `invoices`, round robin: the answer names that invoice. */
export function getPaymentStatusWorkload(invoices) {
  const requests = invoices.map(({ invoiceId }) => post('/v2/GetPaymentStatus', { Key: String(invoiceId), KeyType: 'InvoiceId' }, { invoiceId }))
  let i = 0
  return {
    next: () => requests[i++ % requests.length],
    check: (answer, request) => answer.IsSuccess === true && answer.Data?.InvoiceId === request.invoiceId && Array.isArray(answer.Data.InvoiceTransactions),
  }
}

/**
 * The first DirectPayment call of each invoice (card, with 3-D Secure: the answer is the OTP
 * step). Each invoice takes one; past the last one the workload says so in every answer.
 */
export function directPaymentWorkload(invoices) {
  let i = 0
  return {
    next: () => {
      const invoice = invoices[i++]
      if (!invoice) return post('/v2/DirectPayment/out-of-invoices/9', DIRECT_BODY, { exhausted: true })
      return post(invoice.path, DIRECT_BODY)
    },
    check: (answer, request) =>
      !request.exhausted && answer.IsSuccess === true && answer.Data?.Status === 'SUCCESS' && /^\d+$/.test(answer.Data.PaymentId) && typeof answer.Data.PaymentURL === 'string',
  }
}

export { DIRECT_INVOICE_BODY }
