import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

import { isFinalStatus, RECURRENCE_STATUSES } from '../../domain/recurrence.js'
import { fromRecurringId, toInvoiceId, toPaymentId, toRecurringId } from '../../domain/public-ids.js'
import { cancelRecurringPayment } from '../../services/cancel-recurring-payment.js'
import { resumeRecurringPayment } from '../../services/resume-recurring-payment.js'
import { listConsoleRecurrences, findScopedRecurrence, loadRecurrenceHistory } from '../../store/console-recurrences.repository.js'
import type { RecurrenceRow } from '../../store/recurrence.repository.js'
import { html, type SafeHtml } from '../pages/html.js'
import { consoleText, type ConsoleMessageKey } from './console-i18n.js'
import {
  actingMerchant,
  badge,
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

/** Which outcome a `?done=` after an action names. */
const DONE: Readonly<Record<string, ConsoleMessageKey>> = { cancelled: 'cancelled', resumed: 'resumed' }

/** The recurrence list, a recurrence's page, and its Cancel and Resume actions. */
export function registerRecurrenceRoutes(app: FastifyInstance, context: ConsoleContext): void {
  const { deps } = context

  app.get('/console/recurrences', async (request, reply) => {
    const viewer = await requireViewer(context, request, reply)
    if (!viewer) return reply
    const status = RECURRENCE_STATUSES.find((value) => value === queryField(request.query, 'status'))
    const search = queryField(request.query, 'q')
    const before = queryField(request.query, 'before')
    const beforeId = before === '' ? undefined : fromRecurringId(before, deps.ids)
    const recurrenceId = search === '' ? undefined : fromRecurringId(search, deps.ids)
    const rows = await listConsoleRecurrences(
      deps.store.db,
      viewer.scope,
      { status, recurrenceId, customerReference: search !== '' && recurrenceId === undefined ? search : undefined },
      { beforeId, limit: PAGE_SIZE + 1 },
    )
    const page = rows.slice(0, PAGE_SIZE)
    const last = page[page.length - 1]
    const t = (key: ConsoleMessageKey) => consoleText(viewer.language, key)
    const filters = { merchant: viewer.merchant ? undefined : viewer.focus?.id, status, q: search }
    const main = html`<h1>${t('navRecurrences')}</h1>
<div class="panel">
<form class="filters" method="get" action="/console/recurrences">
${await merchantFilterField(context, viewer)}
<div><label for="status">${t('status')}</label><select id="status" name="status"><option value="">${t('any')}</option>${RECURRENCE_STATUSES.map(
      (value) => html`<option value="${value}"${value === status ? html` selected` : ''}>${value}</option>`,
    )}</select></div>
<div><label for="q">${t('search')}</label><input id="q" name="q" type="text" value="${search}" placeholder="${t('searchRecurrences')}"></div>
<div><button type="submit">${t('apply')}</button></div>
</form>
<p class="hint">${consoleText(viewer.language, 'timesIn', { zone: viewer.timeZone })}</p>
${
  page.length === 0
    ? html`<p>${t('nothingFound')}</p>`
    : html`<table>
<thead><tr><th scope="col">${t('recurringId')}</th>${viewer.merchant ? '' : html`<th scope="col">${t('merchant')}</th>`}<th scope="col">${t('customer')}</th><th scope="col">${t('customerReference')}</th><th scope="col" class="number">${t('amount')}</th><th scope="col">${t('schedule')}</th><th scope="col">${t('status')}</th><th scope="col" class="number">${t('executedTimes')}</th><th scope="col">${t('nextAttempt')}</th><th scope="col">${t('created')}</th></tr></thead>
<tbody>${page.map((row) => {
        const recurringId = toRecurringId(row.id, deps.ids)
        return html`<tr><td><a href="/console/recurrences/${recurringId}">${recurringId}</a></td>${viewer.merchant ? '' : html`<td>${row.merchant_id}</td>`}<td>${row.customer_name ?? '—'}</td><td>${row.customer_reference ?? '—'}</td><td class="number">${formatMoney(row.amount_minor, row.currency)}</td><td>${scheduleText(row)}</td><td>${badge(row.status)}</td><td class="number">${iterationText(viewer, row)}</td><td>${formatTime(row.next_attempt_at, viewer.timeZone)}</td><td>${formatTime(row.created_at, viewer.timeZone)}</td></tr>`
      })}</tbody>
</table>`
}
${pagingLinks(viewer, '/console/recurrences', filters, before !== '', rows.length > PAGE_SIZE && last ? toRecurringId(last.id, deps.ids) : undefined)}
</div>`
    return sendConsolePage(context, request, reply, viewer, { title: 'navRecurrences', section: 'recurrences', main })
  })

  const showRecurrence = async (
    request: FastifyRequest,
    reply: FastifyReply,
    viewer: ConsoleViewer,
    outcome?: { readonly error: readonly string[] } | { readonly done: ConsoleMessageKey },
    status = 200,
  ) => {
    const recurringId = (request.params as { recurringId: string }).recurringId
    const id = fromRecurringId(recurringId, deps.ids)
    const row = id === undefined ? undefined : await findScopedRecurrence(deps.store.db, viewer.scope, id)
    if (!row) return sendNotFound(context, request, reply, viewer)
    const merchant = await actingMerchant(deps, viewer, row.merchant_id)
    const doneKey = outcome === undefined ? DONE[queryField(request.query, 'done')] : 'done' in outcome ? outcome.done : undefined
    const main = await renderRecurrence(context, viewer, row, merchant.timeZone, {
      notice: outcome && 'error' in outcome ? notice('error', consoleText(viewer.language, 'actionFailed'), outcome.error) : doneKey ? notice('ok', consoleText(viewer.language, doneKey)) : undefined,
    })
    return sendConsolePage(context, request, reply, viewer, { title: 'navRecurrences', section: 'recurrences', main, status })
  }

  app.get('/console/recurrences/:recurringId', async (request, reply) => {
    const viewer = await requireViewer(context, request, reply)
    if (!viewer) return reply
    return showRecurrence(request, reply, viewer)
  })

  for (const action of ['cancel', 'resume'] as const) {
    app.post(`/console/recurrences/:recurringId/${action}`, async (request, reply) => {
      const viewer = await requirePost(context, request, reply)
      if (!viewer) return reply
      const recurringId = (request.params as { recurringId: string }).recurringId
      const id = fromRecurringId(recurringId, deps.ids)
      const row = id === undefined ? undefined : await findScopedRecurrence(deps.store.db, viewer.scope, id)
      if (!row) return sendNotFound(context, request, reply, viewer)
      const merchant = await actingMerchant(deps, viewer, row.merchant_id)
      try {
        if (action === 'cancel') await cancelRecurringPayment(deps, merchant, recurringId)
        else await resumeRecurringPayment(deps, merchant, recurringId)
      } catch (error) {
        return showRecurrence(request, reply, viewer, { error: refusalDetails(error) }, 400)
      }
      return seeOther(reply, `/console/recurrences/${recurringId}?done=${action === 'cancel' ? 'cancelled' : 'resumed'}`)
    })
  }
}

function scheduleText(row: Pick<RecurrenceRow, 'recurring_type' | 'interval_days'>): string {
  return row.interval_days === null ? row.recurring_type : `${row.recurring_type} (${row.interval_days})`
}

function iterationText(viewer: ConsoleViewer, row: Pick<RecurrenceRow, 'executed_times' | 'iteration'>): string {
  return row.iteration === 0
    ? `${row.executed_times} (${consoleText(viewer.language, 'iterationUntilCancelled')})`
    : consoleText(viewer.language, 'iterationOf', { done: row.executed_times, total: row.iteration })
}

async function renderRecurrence(
  context: ConsoleContext,
  viewer: ConsoleViewer,
  row: RecurrenceRow,
  timeZone: string,
  parts: { readonly notice?: SafeHtml },
): Promise<SafeHtml> {
  const { deps } = context
  const t = (key: ConsoleMessageKey) => consoleText(viewer.language, key)
  const recurringId = toRecurringId(row.id, deps.ids)
  const history = await loadRecurrenceHistory(deps.store.db, row)
  const cycleOfInvoice = new Map(history.invoices.map((invoice) => [invoice.id, invoice.recurrence_cycle]))
  const form = (action: 'cancel' | 'resume', label: ConsoleMessageKey, className: string) =>
    html`<form class="action" method="post" action="/console/recurrences/${recurringId}/${action}"><input type="hidden" name="csrf" value="${viewer.csrf}"><button type="submit" class="${className}">${t(label)}</button></form>`
  return html`<h1>${t('navRecurrences')} · <span class="ltr">${recurringId}</span></h1>
${parts.notice ?? ''}
<div class="panel">
<dl class="facts">
<dt>${t('status')}</dt><dd>${badge(row.status)}</dd>
${viewer.merchant ? '' : html`<dt>${t('merchant')}</dt><dd>${row.merchant_id}</dd>`}
<dt>${t('amount')}</dt><dd>${formatMoney(row.amount_minor, row.currency)}</dd>
<dt>${t('schedule')}</dt><dd>${scheduleText(row)} · ${row.anchor_date}</dd>
<dt>${t('executedTimes')}</dt><dd>${iterationText(viewer, row)}</dd>
<dt>${t('retries')}</dt><dd>${row.retry_count}</dd>
<dt>${t('nextAttempt')}</dt><dd>${formatTime(row.next_attempt_at, timeZone)}</dd>
<dt>${t('paidAt')}</dt><dd>${formatTime(row.last_pay_at, timeZone)}</dd>
<dt>${t('created')}</dt><dd>${formatTime(row.created_at, timeZone)}</dd>
</dl>
<p class="hint">${consoleText(viewer.language, 'timesIn', { zone: timeZone })}</p>
<div class="actions">
${row.status === 'Uncompleted' ? form('resume', 'resume', 'good') : ''}
${isFinalStatus(row.status) ? '' : form('cancel', 'cancel', 'danger')}
</div>
</div>
<div class="panel">
<h2>${t('invoices')}</h2>
<table><thead><tr><th scope="col">${t('invoiceId')}</th><th scope="col">${t('cycle')}</th><th scope="col">${t('status')}</th><th scope="col" class="number">${t('amount')}</th><th scope="col">${t('created')}</th><th scope="col">${t('paidAt')}</th></tr></thead>
<tbody>${history.invoices.map((invoice) => {
    const invoiceId = toInvoiceId(invoice.id, deps.ids)
    return html`<tr><td><a href="/console/invoices/${invoiceId}">${invoiceId}</a></td><td>${invoice.recurrence_cycle ?? 0}</td><td>${badge(invoice.status)}</td><td class="number">${formatMoney(invoice.value_minor, invoice.currency)}</td><td>${formatTime(invoice.created_at, timeZone)}</td><td>${formatTime(invoice.paid_at, timeZone)}</td></tr>`
  })}</tbody></table>
<h2>${t('attempts')}</h2>
<table><thead><tr><th scope="col">${t('time')}</th><th scope="col">${t('kind')}</th><th scope="col">${t('cycle')}</th><th scope="col">${t('attemptNumber')}</th><th scope="col">${t('outcome')}</th><th scope="col">${t('errorCode')}</th><th scope="col">${t('invoiceId')}</th><th scope="col">${t('paymentId')}</th></tr></thead>
<tbody>${history.attempts.map((attempt) => {
    const transaction = history.transactions.find((candidate) => candidate.attempt_id === attempt.id)
    return html`<tr><td>${formatTime(attempt.created_at, timeZone)}</td><td>${attempt.kind}</td><td>${attempt.cycle ?? cycleOfInvoice.get(attempt.invoice_id) ?? 0}</td><td>${attempt.attempt_number ?? '—'}</td><td>${badge(attempt.status)}</td><td>${attempt.error_code ?? ''}</td><td>${toInvoiceId(attempt.invoice_id, deps.ids)}</td><td class="ltr">${transaction ? toPaymentId(transaction.id, deps.ids) : ''}</td></tr>`
  })}</tbody></table>
</div>`
}
