import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

import { fromInvoiceId } from '../../domain/public-ids.js'
import { resendWebhook } from '../../services/resend-webhook.js'
import { webhookLogItem, WEBHOOK_LOG_STATUSES, type WebhookLogStatus } from '../../services/get-webhooks.js'
import { findScopedWebhookEvents, listConsoleWebhookEvents, listEventAttempts, type WebhookListFilter } from '../../store/console-webhooks.repository.js'
import type { OutboxRow } from '../../store/outbox.repository.js'
import { deliveryHeaders } from '../../webhooks/deliver-event.js'
import { parseWebhookReference, webhookReferenceOf } from '../../webhooks/outbox.js'
import { V2_EVENT_NAMES } from '../../webhooks/webhook-facts.js'
import { html, type SafeHtml } from '../pages/html.js'
import { consoleText, type ConsoleMessageKey } from './console-i18n.js'
import {
  actingMerchant,
  badge,
  notice,
  queryField,
  queryString,
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
import { formatTime } from './views/format.js'

/** The outbox states behind each status of the log (as GetWebhooks names them). */
const STATUS_FILTERS: Readonly<Record<WebhookLogStatus, Pick<WebhookListFilter, 'status' | 'attempted'>>> = {
  Waiting: { status: 'pending', attempted: false },
  Running: { status: 'pending', attempted: true },
  Succeeded: { status: 'delivered' },
  Failed: { status: 'failed' },
  Skipped: { status: 'skipped' },
}

function logStatus(row: Pick<OutboxRow, 'status' | 'attempt_count'>): WebhookLogStatus {
  if (row.status === 'delivered') return 'Succeeded'
  if (row.status === 'failed') return 'Failed'
  if (row.status === 'skipped') return 'Skipped'
  return row.attempt_count === 0 ? 'Waiting' : 'Running'
}

const EVENT_CODES = Object.keys(V2_EVENT_NAMES).map(Number)

/**
 * The URL of an event's page. `WH-<n>` counts each merchant's own events, so several merchants
 * can have a WH-5: the operator's URLs carry the merchant (`?merchant=`), a merchant's need not.
 */
function eventPath(viewer: ConsoleViewer, row: Pick<OutboxRow, 'id' | 'reference_number' | 'merchant_id'>, suffix = '', query: Record<string, string> = {}): string {
  return `/console/webhooks/${webhookReferenceOf(row)}${suffix}${queryString({ merchant: viewer.merchant ? undefined : row.merchant_id, ...query })}`
}

/** The `before` cursor of a page: `WH-<n>` in one merchant's log, an internal event id in the operator's log of every merchant. */
function parseCursor(viewer: ConsoleViewer, before: string): number | undefined {
  if (viewer.scope.merchantId !== null) return parseWebhookReference(before)
  return /^\d{1,15}$/.test(before) ? Number(before) : undefined
}

/** The delivery log, an event's page with its attempts, and Resend. */
export function registerConsoleWebhookRoutes(app: FastifyInstance, context: ConsoleContext): void {
  const { deps } = context

  app.get('/console/webhooks', async (request, reply) => {
    const viewer = await requireViewer(context, request, reply)
    if (!viewer) return reply
    const status = WEBHOOK_LOG_STATUSES.find((value) => value === queryField(request.query, 'status'))
    const eventText = queryField(request.query, 'event')
    const eventCode = EVENT_CODES.find((code) => String(code) === eventText)
    const search = queryField(request.query, 'q')
    const before = queryField(request.query, 'before')
    const beforeId = before === '' ? undefined : parseCursor(viewer, before)
    const referenceNumber = search === '' ? undefined : parseWebhookReference(search)
    const invoiceId = referenceNumber === undefined && /^\d{1,15}$/.test(search) ? fromInvoiceId(Number(search), deps.ids) : undefined
    const unmatched = search !== '' && referenceNumber === undefined && invoiceId === undefined
    const rows = unmatched
      ? []
      : await listConsoleWebhookEvents(
          deps.store.db,
          viewer.scope,
          { ...(status ? STATUS_FILTERS[status] : {}), eventCode, referenceNumber, invoiceId },
          { beforeId, limit: PAGE_SIZE + 1 },
        )
    const page = rows.slice(0, PAGE_SIZE)
    const last = page[page.length - 1]
    const t = (key: ConsoleMessageKey) => consoleText(viewer.language, key)
    const main = html`<h1>${t('navWebhooks')}</h1>
<div class="panel">
<form class="filters" method="get" action="/console/webhooks">
${await merchantFilterField(context, viewer)}
<div><label for="status">${t('status')}</label><select id="status" name="status"><option value="">${t('any')}</option>${WEBHOOK_LOG_STATUSES.map(
      (value) => html`<option value="${value}"${value === status ? html` selected` : ''}>${value}</option>`,
    )}</select></div>
<div><label for="event">${t('eventType')}</label><select id="event" name="event"><option value="">${t('any')}</option>${EVENT_CODES.map(
      (code) => html`<option value="${code}"${code === eventCode ? html` selected` : ''}>${code} · ${V2_EVENT_NAMES[code as keyof typeof V2_EVENT_NAMES]}</option>`,
    )}</select></div>
<div><label for="q">${t('search')}</label><input id="q" name="q" type="text" value="${search}" placeholder="${t('searchWebhooks')}"></div>
<div><button type="submit">${t('apply')}</button></div>
</form>
<p class="hint">${consoleText(viewer.language, 'timesIn', { zone: viewer.timeZone })}</p>
${
  page.length === 0
    ? html`<p>${t('nothingFound')}</p>`
    : html`<table>
<thead><tr><th scope="col">${t('webhookReference')}</th>${viewer.merchant ? '' : html`<th scope="col">${t('merchant')}</th>`}<th scope="col">${t('eventType')}</th><th scope="col">${t('status')}</th><th scope="col" class="number">${t('attemptsCount')}</th><th scope="col">${t('endpoint')}</th><th scope="col">${t('created')}</th><th scope="col">${t('nextAttempt')}</th></tr></thead>
<tbody>${page.map((row) => {
        const reference = webhookReferenceOf(row)
        return html`<tr><td><a href="${eventPath(viewer, row)}">${reference}</a></td>${viewer.merchant ? '' : html`<td>${row.merchant_id}</td>`}<td>${row.event_code} · ${V2_EVENT_NAMES[row.event_code as keyof typeof V2_EVENT_NAMES] ?? ''}</td><td>${badge(logStatus(row))}</td><td class="number">${row.attempt_count}</td><td class="ltr">${row.target_url ?? '—'}</td><td>${formatTime(row.created_at, viewer.timeZone)}</td><td>${row.status === 'pending' ? formatTime(row.next_attempt_at, viewer.timeZone) : ''}</td></tr>`
      })}</tbody>
</table>`
}
${pagingLinks(viewer, '/console/webhooks', { merchant: viewer.merchant ? undefined : viewer.focus?.id, status, event: eventCode, q: search }, before !== '', rows.length > PAGE_SIZE && last ? (viewer.scope.merchantId === null ? last.id : webhookReferenceOf(last)) : undefined)}
</div>`
    return sendConsolePage(context, request, reply, viewer, { title: 'navWebhooks', section: 'webhooks', main })
  })

  /**
   * The event a page's URL names: the merchant's `WH-<n>` (a merchant, or the operator with
   * `?merchant=`); for the operator without it, the one merchant's event n, or, when several
   * merchants have one, `several` (their list, searched by that reference, tells them apart).
   */
  const findEvent = async (request: FastifyRequest, viewer: ConsoleViewer): Promise<OutboxRow | 'several' | undefined> => {
    const referenceNumber = parseWebhookReference((request.params as { reference: string }).reference)
    if (referenceNumber === undefined) return undefined
    const rows = await findScopedWebhookEvents(deps.store.db, viewer.scope, referenceNumber, 2)
    return rows.length > 1 ? 'several' : rows[0]
  }
  const listOfSeveral = (request: FastifyRequest) => `/console/webhooks${queryString({ q: (request.params as { reference: string }).reference })}`

  const showEvent = async (request: FastifyRequest, reply: FastifyReply, viewer: ConsoleViewer, banner?: SafeHtml, status = 200) => {
    const row = await findEvent(request, viewer)
    if (!row) return sendNotFound(context, request, reply, viewer)
    if (row === 'several') return seeOther(reply, listOfSeveral(request))
    // The operator's URL names the merchant: the page of a bare reference moves to it.
    if (request.method === 'GET' && viewer.scope.merchantId === null) return seeOther(reply, eventPath(viewer, row))
    const merchant = await actingMerchant(deps, viewer, row.merchant_id)
    const t = (key: ConsoleMessageKey) => consoleText(viewer.language, key)
    const attempts = await listEventAttempts(deps.store.db, row.id)
    const item = webhookLogItem(row, attempts, merchant, deps.ids)
    const headers = deliveryHeaders({ version: row.webhook_version, body: row.body, reference: item.WebhookReference }, merchant.webhookSecret)
    const done = queryField(request.query, 'done') === 'resent' ? notice('ok', t('resent')) : undefined
    const main = html`<h1>${t('navWebhooks')} · <span class="ltr">${item.WebhookReference}</span></h1>
${banner ?? done ?? ''}
<div class="panel">
<dl class="facts">
<dt>${t('status')}</dt><dd>${badge(item.Status)}</dd>
${viewer.merchant ? '' : html`<dt>${t('merchant')}</dt><dd>${row.merchant_id}</dd>`}
<dt>${t('eventType')}</dt><dd>${item.EventCode} · ${item.EventName}</dd>
<dt>${t('endpoint')}</dt><dd class="ltr">${item.EndPoint ?? '—'}</dd>
<dt>${t('created')}</dt><dd>${formatTime(row.created_at, merchant.timeZone)}</dd>
<dt>${t('signature')}</dt><dd class="ltr"><code>${item.Signature}</code></dd>
</dl>
<p class="hint">${consoleText(viewer.language, 'timesIn', { zone: merchant.timeZone })}</p>
<form class="action" method="post" action="${eventPath(viewer, row, '/resend')}"><input type="hidden" name="csrf" value="${viewer.csrf}"><button type="submit">${t('resend')}</button></form>
</div>
<div class="panel">
<h2>${t('request')}</h2>
<h3>${t('headers')}</h3>
<pre>${Object.entries(headers).map(([name, value]) => `${name}: ${value}\n`).join('')}</pre>
<h3>${t('body')}</h3>
<pre>${JSON.stringify(item.Data, null, 2)}</pre>
</div>
<div class="panel">
<h2>${t('response')}</h2>
${
  attempts.length === 0
    ? html`<p>${t('noAttempts')}</p>`
    : html`<table><thead><tr><th scope="col">${t('time')}</th><th scope="col">${t('responseStatus')}</th><th scope="col" class="number">${t('duration')}</th><th scope="col">${t('response')}</th></tr></thead><tbody>${attempts.map(
        (attempt) =>
          html`<tr><td>${formatTime(attempt.attempted_at, merchant.timeZone)}</td><td>${attempt.status_code === null ? badge('failed') : badge(attempt.status_code >= 200 && attempt.status_code < 300 ? 'delivered' : 'failed')} ${attempt.status_code ?? t('noResponse')}</td><td class="number">${attempt.duration_ms} ms</td><td><pre>${attempt.error ?? attempt.response_text ?? ''}</pre></td></tr>`,
      )}</tbody></table>`
}
</div>`
    return sendConsolePage(context, request, reply, viewer, { title: 'navWebhooks', section: 'webhooks', main, status })
  }

  app.get('/console/webhooks/:reference', async (request, reply) => {
    const viewer = await requireViewer(context, request, reply)
    if (!viewer) return reply
    return showEvent(request, reply, viewer)
  })

  app.post('/console/webhooks/:reference/resend', async (request, reply) => {
    const viewer = await requirePost(context, request, reply)
    if (!viewer) return reply
    const row = await findEvent(request, viewer)
    if (!row) return sendNotFound(context, request, reply, viewer)
    // Several merchants' events answer to a bare reference: nothing is sent, the operator picks one.
    if (row === 'several') return seeOther(reply, listOfSeveral(request))
    const merchant = await actingMerchant(deps, viewer, row.merchant_id)
    try {
      await resendWebhook(deps, merchant, { Reference: webhookReferenceOf(row) })
    } catch (error) {
      return showEvent(request, reply, viewer, notice('error', consoleText(viewer.language, 'actionFailed'), refusalDetails(error)), 400)
    }
    return seeOther(reply, eventPath(viewer, row, '', { done: 'resent' }))
  })
}
