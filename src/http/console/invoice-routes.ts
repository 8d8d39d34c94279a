import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

import { INVOICE_STATUSES } from '../../domain/invoice.js'
import { isCurrencyCode } from '../../domain/currencies.js'
import { formatAmount } from '../../domain/money.js'
import { fromInvoiceId, fromPaymentId, toInvoiceId, toPaymentId, toRecurringId, toRefundId } from '../../domain/public-ids.js'
import { makeRefund } from '../../services/make-refund.js'
import { updatePaymentStatus } from '../../services/update-payment-status.js'
import { findScopedInvoice, listConsoleInvoices, loadInvoiceHistory } from '../../store/console-invoices.repository.js'
import type { InvoiceRow } from '../../store/invoice.repository.js'
import { html, type SafeHtml } from '../pages/html.js'
import { consoleText, type ConsoleMessageKey } from './console-i18n.js'
import {
  actingMerchant,
  badge,
  formField,
  notice,
  queryField,
  refusalDetails,
  requirePost,
  requireViewer,
  seeOther,
  sendConsolePage,
  sendNotFound,
  type ConsoleContext,
  type ConsoleViewer,
} from './console-context.js'
import { merchantFilterField, pagingLinks, PAGE_SIZE } from './list-parts.js'
import { formatMoney, formatTime } from './views/format.js'

const DONE: Readonly<Record<string, ConsoleMessageKey>> = { refunded: 'refunded', captured: 'captured', released: 'released' }

/** The invoice list, an invoice's page with its payments, and refund, capture and release. */
export function registerInvoiceRoutes(app: FastifyInstance, context: ConsoleContext): void {
  const { deps } = context

  app.get('/console/invoices', async (request, reply) => {
    const viewer = await requireViewer(context, request, reply)
    if (!viewer) return reply
    const status = INVOICE_STATUSES.find((value) => value === queryField(request.query, 'status'))
    const search = queryField(request.query, 'q')
    const before = queryField(request.query, 'before')
    const beforeId = /^\d{1,15}$/.test(before) ? fromInvoiceId(Number(before), deps.ids) : undefined
    const invoiceId = /^\d{1,15}$/.test(search) ? fromInvoiceId(Number(search), deps.ids) : undefined
    const transactionId = search === '' || invoiceId !== undefined ? undefined : fromPaymentId(search, deps.ids)
    const rows = await listConsoleInvoices(
      deps.store.db,
      viewer.scope,
      { status, invoiceId, transactionId, customerReference: search !== '' && invoiceId === undefined && transactionId === undefined ? search : undefined },
      { beforeId, limit: PAGE_SIZE + 1 },
    )
    const page = rows.slice(0, PAGE_SIZE)
    const last = page[page.length - 1]
    const t = (key: ConsoleMessageKey) => consoleText(viewer.language, key)
    const main = html`<h1>${t('navInvoices')}</h1>
<div class="panel">
<form class="filters" method="get" action="/console/invoices">
${await merchantFilterField(context, viewer)}
<div><label for="status">${t('status')}</label><select id="status" name="status"><option value="">${t('any')}</option>${INVOICE_STATUSES.map(
      (value) => html`<option value="${value}"${value === status ? html` selected` : ''}>${value}</option>`,
    )}</select></div>
<div><label for="q">${t('search')}</label><input id="q" name="q" type="text" value="${search}" placeholder="${t('searchInvoices')}"></div>
<div><button type="submit">${t('apply')}</button></div>
</form>
<p class="hint">${consoleText(viewer.language, 'timesIn', { zone: viewer.timeZone })}</p>
${
  page.length === 0
    ? html`<p>${t('nothingFound')}</p>`
    : html`<table>
<thead><tr><th scope="col">${t('invoiceId')}</th>${viewer.merchant ? '' : html`<th scope="col">${t('merchant')}</th>`}<th scope="col">${t('customer')}</th><th scope="col">${t('customerReference')}</th><th scope="col" class="number">${t('amount')}</th><th scope="col">${t('status')}</th><th scope="col">${t('recurringId')}</th><th scope="col">${t('created')}</th><th scope="col">${t('paidAt')}</th></tr></thead>
<tbody>${page.map((row) => {
        const publicId = toInvoiceId(row.id, deps.ids)
        return html`<tr><td><a href="/console/invoices/${publicId}">${publicId}</a></td>${viewer.merchant ? '' : html`<td>${row.merchant_id}</td>`}<td>${row.customer_name ?? '—'}</td><td>${row.customer_reference ?? '—'}</td><td class="number">${formatMoney(row.value_minor, row.currency)}</td><td>${badge(row.status)}</td><td>${row.recurrence_id === null ? '' : html`<a href="/console/recurrences/${toRecurringId(row.recurrence_id, deps.ids)}">${toRecurringId(row.recurrence_id, deps.ids)}</a>`}</td><td>${formatTime(row.created_at, viewer.timeZone)}</td><td>${formatTime(row.paid_at, viewer.timeZone)}</td></tr>`
      })}</tbody>
</table>`
}
${pagingLinks(viewer, '/console/invoices', { merchant: viewer.merchant ? undefined : viewer.focus?.id, status, q: search }, before !== '', rows.length > PAGE_SIZE && last ? toInvoiceId(last.id, deps.ids) : undefined)}
</div>`
    return sendConsolePage(context, request, reply, viewer, { title: 'navInvoices', section: 'invoices', main })
  })

  const findInvoice = async (request: FastifyRequest, viewer: ConsoleViewer): Promise<InvoiceRow | undefined> => {
    const text = (request.params as { invoiceId: string }).invoiceId
    const id = /^\d{1,15}$/.test(text) ? fromInvoiceId(Number(text), deps.ids) : undefined
    return id === undefined ? undefined : findScopedInvoice(deps.store.db, viewer.scope, id)
  }

  const showInvoice = async (request: FastifyRequest, reply: FastifyReply, viewer: ConsoleViewer, banner?: SafeHtml, status = 200) => {
    const invoice = await findInvoice(request, viewer)
    if (!invoice) return sendNotFound(context, request, reply, viewer)
    const merchant = await actingMerchant(deps, viewer, invoice.merchant_id)
    const doneKey = DONE[queryField(request.query, 'done')]
    const main = await renderInvoice(context, viewer, invoice, merchant.timeZone, banner ?? (doneKey ? notice('ok', consoleText(viewer.language, doneKey)) : undefined))
    return sendConsolePage(context, request, reply, viewer, { title: 'navInvoices', section: 'invoices', main, status })
  }

  app.get('/console/invoices/:invoiceId', async (request, reply) => {
    const viewer = await requireViewer(context, request, reply)
    if (!viewer) return reply
    return showInvoice(request, reply, viewer)
  })

  for (const action of ['refund', 'capture', 'release'] as const) {
    app.post(`/console/invoices/:invoiceId/${action}`, async (request, reply) => {
      const viewer = await requirePost(context, request, reply)
      if (!viewer) return reply
      const invoice = await findInvoice(request, viewer)
      if (!invoice) return sendNotFound(context, request, reply, viewer)
      const merchant = await actingMerchant(deps, viewer, invoice.merchant_id)
      const key = String(toInvoiceId(invoice.id, deps.ids))
      // The form's amount is a decimal text, read by the services' own validation.
      const amount = formField(request.body, 'amount').trim()
      try {
        if (action === 'refund') {
          await makeRefund(deps, merchant, { KeyType: 'InvoiceId', Key: key, Amount: amount, Comment: formField(request.body, 'comment').trim() || undefined }, undefined)
        } else {
          await updatePaymentStatus(deps, merchant, { KeyType: 'InvoiceId', Key: key, Operation: action === 'capture' ? 'Capture' : 'Release', ...(amount === '' ? {} : { Amount: amount }) })
        }
      } catch (error) {
        return showInvoice(request, reply, viewer, notice('error', consoleText(viewer.language, 'actionFailed'), refusalDetails(error)), 400)
      }
      return seeOther(reply, `/console/invoices/${key}?done=${action === 'refund' ? 'refunded' : action === 'capture' ? 'captured' : 'released'}`)
    })
  }
}

async function renderInvoice(context: ConsoleContext, viewer: ConsoleViewer, invoice: InvoiceRow, timeZone: string, banner: SafeHtml | undefined): Promise<SafeHtml> {
  const { deps } = context
  const t = (key: ConsoleMessageKey, vars?: Readonly<Record<string, string>>) => consoleText(viewer.language, key, vars)
  const publicId = toInvoiceId(invoice.id, deps.ids)
  const history = await loadInvoiceHistory(deps.store.db, invoice)
  const captured = history.transactions.some((transaction) => transaction.status === 'Succss')
  const authorized = history.transactions.some((transaction) => transaction.status === 'Authorize')
  const step = isCurrencyCode(invoice.currency) ? formatAmount(1, invoice.currency) : '1'
  const amountField = (label: ConsoleMessageKey, required: boolean) =>
    html`<div><label for="${label}">${t(label, { currency: invoice.currency })}</label><input id="${label}" name="amount" type="text" inputmode="decimal" ${required ? html`required ` : ''}placeholder="${step}"></div>`
  const csrf = html`<input type="hidden" name="csrf" value="${viewer.csrf}">`
  return html`<h1>${t('invoiceId')} ${publicId}</h1>
${banner ?? ''}
<div class="panel">
<dl class="facts">
<dt>${t('status')}</dt><dd>${badge(invoice.status)}</dd>
${viewer.merchant ? '' : html`<dt>${t('merchant')}</dt><dd>${invoice.merchant_id}</dd>`}
<dt>${t('amount')}</dt><dd>${formatMoney(invoice.value_minor, invoice.currency)}</dd>
<dt>${t('customer')}</dt><dd>${invoice.customer_name ?? '—'}</dd>
<dt>${t('customerReference')}</dt><dd>${invoice.customer_reference ?? '—'}</dd>
${invoice.recurrence_id === null ? '' : html`<dt>${t('recurringId')}</dt><dd><a href="/console/recurrences/${toRecurringId(invoice.recurrence_id, deps.ids)}">${toRecurringId(invoice.recurrence_id, deps.ids)}</a></dd>`}
<dt>${t('created')}</dt><dd>${formatTime(invoice.created_at, timeZone)}</dd>
<dt>${t('paidAt')}</dt><dd>${formatTime(invoice.paid_at, timeZone)}</dd>
</dl>
<p class="hint">${consoleText(viewer.language, 'timesIn', { zone: timeZone })}</p>
<div class="actions">
${captured ? html`<form class="action" method="post" action="/console/invoices/${publicId}/refund">${csrf}${amountField('refundAmount', true)}<div><label for="comment">${t('comment')}</label><input id="comment" name="comment" type="text" maxlength="1000"></div><button type="submit" class="danger">${t('refund')}</button></form>` : ''}
${authorized ? html`<form class="action" method="post" action="/console/invoices/${publicId}/capture">${csrf}${amountField('captureAmount', true)}<button type="submit" class="good">${t('capture')}</button></form><form class="action" method="post" action="/console/invoices/${publicId}/release">${csrf}<button type="submit" class="danger">${t('release')}</button></form>` : ''}
</div>
</div>
<div class="panel">
<h2>${t('transactions')}</h2>
<table><thead><tr><th scope="col">${t('paymentId')}</th><th scope="col">${t('time')}</th><th scope="col">${t('status')}</th><th scope="col" class="number">${t('amount')}</th><th scope="col">${t('gateway')}</th><th scope="col">${t('card')}</th><th scope="col">${t('errorCode')}</th></tr></thead>
<tbody>${history.transactions.map(
    (transaction) =>
      html`<tr><td class="ltr">${toPaymentId(transaction.id, deps.ids)}</td><td>${formatTime(transaction.created_at, timeZone)}</td><td>${badge(transaction.status)}</td><td class="number">${formatMoney(transaction.captured_minor ?? transaction.amount_minor, transaction.currency)}</td><td>${transaction.gateway}</td><td class="ltr">${transaction.card ? `${transaction.card.brand} ${transaction.card.masked_number}` : '—'}</td><td>${transaction.error_code ? `${transaction.error_code} ${transaction.error_message ?? ''}` : ''}</td></tr>`,
  )}</tbody></table>
<h2>${t('attempts')}</h2>
<table><thead><tr><th scope="col">${t('time')}</th><th scope="col">${t('kind')}</th><th scope="col">${t('outcome')}</th><th scope="col">${t('errorCode')}</th><th scope="col">${t('resolved')}</th></tr></thead>
<tbody>${history.attempts.map(
    (attempt) => html`<tr><td>${formatTime(attempt.created_at, timeZone)}</td><td>${attempt.kind}</td><td>${badge(attempt.status)}</td><td>${attempt.error_code ?? ''}</td><td>${formatTime(attempt.resolved_at, timeZone)}</td></tr>`,
  )}</tbody></table>
${
  history.refunds.length === 0
    ? ''
    : html`<h2>${t('refunds')}</h2><table><thead><tr><th scope="col">RefundId</th><th scope="col">${t('time')}</th><th scope="col">${t('status')}</th><th scope="col" class="number">${t('amount')}</th><th scope="col">${t('comment')}</th></tr></thead><tbody>${history.refunds.map(
        (refund) => html`<tr><td>${toRefundId(refund.id, deps.ids)}</td><td>${formatTime(refund.created_at, timeZone)}</td><td>${badge(refund.status)}</td><td class="number">${formatMoney(refund.amount_minor, refund.currency)}</td><td>${refund.comment ?? ''}</td></tr>`,
      )}</tbody></table>`
}
${
  history.authorizationUpdates.length === 0
    ? ''
    : html`<h2>${t('authorizationUpdates')}</h2><table><thead><tr><th scope="col">${t('time')}</th><th scope="col">${t('kind')}</th><th scope="col" class="number">${t('amount')}</th></tr></thead><tbody>${history.authorizationUpdates.map(
        (update) => html`<tr><td>${formatTime(update.created_at, timeZone)}</td><td>${update.operation}</td><td class="number">${formatMoney(update.amount_minor, update.currency)}</td></tr>`,
      )}</tbody></table>`
}
</div>`
}
