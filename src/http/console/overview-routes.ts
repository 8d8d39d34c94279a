import type { FastifyInstance } from 'fastify'

import { zoneOffsetMs } from '../../domain/local-time.js'
import { merchantNow } from '../../domain/merchant.js'
import { RECURRENCE_STATUSES } from '../../domain/recurrence.js'
import {
  countChargesPerDay,
  countRecurrencesByStatus,
  countRenewalsDuePerDay,
  countWebhooksPerDay,
  summarizePendingWebhooks,
  sumCollectedPerDay,
  type OverviewWindow,
} from '../../store/console.repository.js'
import { html, type SafeHtml } from '../pages/html.js'
import { consoleText, type ConsoleMessageKey } from './console-i18n.js'
import { requireViewer, sendConsolePage, type ConsoleContext, type ConsoleViewer } from './console-context.js'
import { barChart, chartTable, horizontalBars } from './views/charts.js'
import { formatDay, formatMoney, formatMoneyPlain, formatShortDay, formatTime } from './views/format.js'

const DAY_MS = 86_400_000
/** Days of history the charts show. */
export const PAST_DAYS = 14
/** Days of renewals ahead. */
export const FUTURE_DAYS = 30

const COLORS = { approved: '#1f6f43', declined: '#b3261e', open: '#d69e2e', delivered: '#1f6f43', failed: '#b3261e', retrying: '#d69e2e', waiting: '#8a94a6', skipped: '#c3cad6' }
const STATUS_COLORS: Readonly<Record<string, string>> = { Draft: '#8a94a6', Active: '#1f6f43', Completed: '#2457c5', Uncompleted: '#d69e2e', Canceled: '#b3261e' }

/** `GET /console`: the overview charts. */
export function registerOverviewRoutes(app: FastifyInstance, context: ConsoleContext): void {
  app.get('/console', async (request, reply) => {
    const viewer = await requireViewer(context, request, reply)
    if (!viewer) return reply
    return sendConsolePage(context, request, reply, viewer, { title: 'overviewTitle', section: 'overview', main: await renderOverview(context, viewer) })
  })
}

/** Day numbers `first … first + count - 1`. */
function dayRange(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, index) => first + index)
}

async function renderOverview(context: ConsoleContext, viewer: ConsoleViewer): Promise<SafeHtml> {
  const { deps } = context
  const db = deps.store.db
  const t = (key: ConsoleMessageKey, vars?: Readonly<Record<string, string | number>>) => consoleText(viewer.language, key, vars)
  // Merchant time: a sandbox merchant's clock may run ahead; the operator's all-merchant view uses real time.
  const now = viewer.focus ? merchantNow(deps.clock.now(), viewer.focus) : deps.clock.now()
  const offsetMs = zoneOffsetMs(now, viewer.timeZone)
  const today = Math.floor((now + offsetMs) / DAY_MS)
  const past: OverviewWindow = { from: (today - PAST_DAYS + 1) * DAY_MS - offsetMs, to: (today + 1) * DAY_MS - offsetMs, offsetMs }
  const future: OverviewWindow = { from: now, to: (today + FUTURE_DAYS + 1) * DAY_MS - offsetMs, offsetMs }
  const pastDays = dayRange(today - PAST_DAYS + 1, PAST_DAYS)
  const futureDays = dayRange(today, FUTURE_DAYS + 1)

  const charges = (await countChargesPerDay(db, viewer.scope, past)).filter((row) => ['customer', 'renewal', 'retry', 'resume'].includes(row.kind))
  const chargeSeries = (['approved', 'declined', 'open'] as const).map((status) => ({
    label: t(status),
    color: COLORS[status],
    values: pastDays.map((day) => charges.filter((row) => row.day === day && row.status === status).reduce((sum, row) => sum + row.count, 0)),
  }))

  const due = await countRenewalsDuePerDay(db, viewer.scope, future)
  const dueValues = futureDays.map((day) => due.find((row) => row.day === day)?.count ?? 0)

  const statuses = await countRecurrencesByStatus(db, viewer.scope)
  const statusRows = RECURRENCE_STATUSES.map((status) => ({ label: status, value: statuses.find((row) => row.status === status)?.count ?? 0, color: STATUS_COLORS[status] ?? '#8a94a6' }))

  const collected = await sumCollectedPerDay(db, viewer.scope, past)
  const currencies = [...new Set(collected.map((row) => row.currency))].sort()

  const webhooks = await countWebhooksPerDay(db, viewer.scope, past)
  const webhookState = (row: (typeof webhooks)[number]) =>
    row.status === 'pending' ? (row.attempted ? 'retrying' : 'waiting') : row.status
  const webhookSeries = (['delivered', 'failed', 'retrying', 'waiting', 'skipped'] as const).map((state) => ({
    label: t(state),
    color: COLORS[state],
    values: pastDays.map((day) => webhooks.filter((row) => row.day === day && webhookState(row) === state).reduce((sum, row) => sum + row.count, 0)),
  }))
  const pending = await summarizePendingWebhooks(db, viewer.scope)

  const stackedTable = (series: ReadonlyArray<{ label: string; values: readonly number[] }>) =>
    chartTable(t('chartTable'), [t('day'), ...series.map((item) => item.label)], pastDays.map((day, index) => [formatDay(day), ...series.map((item) => String(item.values[index] ?? 0))]))

  return html`<h1>${t('overviewTitle')}${viewer.focus && !viewer.merchant ? html` · ${viewer.focus.name}` : ''}</h1>
<p class="hint">${t('timesIn', { zone: viewer.timeZone })}</p>
<div class="grid">
<section class="panel" aria-labelledby="charges-title">
<h2 id="charges-title">${t('chargesPerDay', { days: PAST_DAYS })}</h2>
${barChart({ labels: pastDays.map(formatShortDay), series: chargeSeries, ariaLabel: t('chargesPerDay', { days: PAST_DAYS }) })}
${stackedTable(chargeSeries)}
</section>
<section class="panel" aria-labelledby="due-title">
<h2 id="due-title">${t('renewalsDue', { days: FUTURE_DAYS })}</h2>
${barChart({ labels: futureDays.map(formatShortDay), series: [{ label: t('renewalsDue', { days: FUTURE_DAYS }), color: '#2457c5', values: dueValues }], ariaLabel: t('renewalsDue', { days: FUTURE_DAYS }) })}
${chartTable(t('chartTable'), [t('day'), t('total')], futureDays.map((day, index) => [formatDay(day), String(dueValues[index] ?? 0)]))}
</section>
<section class="panel" aria-labelledby="status-title">
<h2 id="status-title">${t('recurrencesByStatus')}</h2>
${horizontalBars(statusRows, t('recurrencesByStatus'))}
</section>
${
  currencies.length === 0
    ? html`<section class="panel"><h2>${t('collectedPerDay', { currency: viewer.focus?.currency ?? '', days: PAST_DAYS })}</h2><p>${t('nothingCollected')}</p></section>`
    : currencies.map((currency) => {
        const values = pastDays.map((day) => collected.find((row) => row.day === day && row.currency === currency)?.amountMinor ?? 0)
        return html`<section class="panel">
<h2>${t('collectedPerDay', { currency, days: PAST_DAYS })}</h2>
${barChart({ labels: pastDays.map(formatShortDay), series: [{ label: currency, color: '#1f6f43', values }], format: (value) => formatMoneyPlain(Math.round(value), currency), ariaLabel: t('collectedPerDay', { currency, days: PAST_DAYS }) })}
${chartTable(t('chartTable'), [t('day'), t('amount')], pastDays.map((day, index) => [formatDay(day), formatMoney(values[index] ?? 0, currency)]))}
</section>`
      })
}
<section class="panel" aria-labelledby="webhooks-title">
<h2 id="webhooks-title">${t('webhookHealth', { days: PAST_DAYS })}</h2>
<dl class="facts"><dt>${t('pendingNow')}</dt><dd>${pending.pending}</dd><dt>${t('oldestPending')}</dt><dd class="ltr">${formatTime(pending.oldestDueAt, viewer.timeZone)}</dd></dl>
${barChart({ labels: pastDays.map(formatShortDay), series: webhookSeries, ariaLabel: t('webhookHealth', { days: PAST_DAYS }) })}
${stackedTable(webhookSeries)}
</section>
</div>`
}
