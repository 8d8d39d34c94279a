import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

import { formatLocalIso } from '../../domain/local-time.js'
import { merchantNow, type Merchant } from '../../domain/merchant.js'
import { TEST_CARDS } from '../../processor/test-processor.js'
import { advanceSandboxClock } from '../../services/advance-sandbox-clock.js'
import { setWebhookChaos } from '../../services/set-webhook-chaos.js'
import { findMerchantById } from '../../store/merchant.repository.js'
import { findWebhookSettings } from '../../store/webhook-settings.repository.js'
import { NO_CHAOS, parseChaos } from '../../webhooks/chaos.js'
import { html, type SafeHtml } from '../pages/html.js'
import { consoleText, type ConsoleMessageKey } from './console-i18n.js'
import {
  formField,
  notice,
  queryField,
  queryString,
  refusalDetails,
  requirePost,
  requireViewer,
  seeOther,
  sendConsolePage,
  type ConsoleContext,
  type ConsoleViewer,
} from './console-context.js'
import { merchantFilterField } from './list-parts.js'

const CHAOS_FIELDS = ['DropProbability', 'DuplicateProbability', 'DelayProbability', 'ReorderProbability'] as const
const CHAOS_LABELS: Readonly<Record<(typeof CHAOS_FIELDS)[number], ConsoleMessageKey>> = {
  DropProbability: 'dropProbability',
  DuplicateProbability: 'duplicateProbability',
  DelayProbability: 'delayProbability',
  ReorderProbability: 'reorderProbability',
}

/** The sandbox page (sandbox mode only): the merchant's clock and Advance, webhook chaos, the test cards. */
export function registerConsoleSandboxRoutes(app: FastifyInstance, context: ConsoleContext): void {
  const { deps } = context
  const sandbox = deps.config.mode === 'sandbox'

  const showSandbox = async (request: FastifyRequest, reply: FastifyReply, viewer: ConsoleViewer, banner?: SafeHtml, status = 200) => {
    const t = (key: ConsoleMessageKey, vars?: Readonly<Record<string, string | number>>) => consoleText(viewer.language, key, vars)
    if (!sandbox) {
      return sendConsolePage(context, request, reply, viewer, { title: 'sandboxTitle', section: 'sandbox', status: 404, main: html`<div class="panel"><p>${t('sandboxOnly')}</p></div>` })
    }
    const merchant = viewer.focus && (await findMerchantById(deps.store.db, viewer.focus.id))
    const picker = viewer.merchant
      ? ''
      : html`<div class="panel"><form class="filters" method="get" action="/console/sandbox">${await merchantFilterField(context, viewer)}<div><button type="submit">${t('apply')}</button></div></form></div>`
    if (!merchant) {
      return sendConsolePage(context, request, reply, viewer, { title: 'sandboxTitle', section: 'sandbox', main: html`<h1>${t('sandboxTitle')}</h1>${picker}<div class="panel"><p>${t('pickMerchant')}</p></div>` })
    }
    const done = banner ?? doneNotice(viewer, request.query)
    const main = html`<h1>${t('sandboxTitle')}${viewer.merchant ? '' : html` · ${merchant.name}`}</h1>
${picker}
${done ?? ''}
<div class="grid">
${await clockPanel(viewer, merchant, deps.clock.now())}
${await chaosPanel(context, viewer, merchant)}
</div>
<section class="panel" aria-labelledby="cards-title">
<h2 id="cards-title">${t('testCards')}</h2>
<table><thead><tr><th scope="col">${t('cardNumber')}</th><th scope="col">${t('outcome')}</th></tr></thead>
<tbody>${TEST_CARDS.map((card) => html`<tr><td class="ltr"><code>${card.number}</code></td><td>${card.outcome}</td></tr>`)}</tbody></table>
</section>`
    return sendConsolePage(context, request, reply, viewer, { title: 'sandboxTitle', section: 'sandbox', main, status })
  }

  app.get('/console/sandbox', async (request, reply) => {
    const viewer = await requireViewer(context, request, reply)
    if (!viewer) return reply
    return showSandbox(request, reply, viewer)
  })

  /** The merchant a sandbox form acts on: the signed-in one, or the one the operator's form names. */
  const targetOf = async (viewer: ConsoleViewer, body: unknown): Promise<Merchant | undefined> => {
    if (viewer.merchant) return viewer.merchant
    const id = formField(body, 'merchant')
    return /^\d{1,12}$/.test(id) ? findMerchantById(deps.store.db, Number(id)) : undefined
  }

  app.post('/console/sandbox/advance', async (request, reply) => {
    const viewer = await requirePost(context, request, reply)
    if (!viewer) return reply
    const merchant = await targetOf(viewer, request.body)
    if (!sandbox || !merchant) return showSandbox(request, reply, viewer)
    const days = formField(request.body, 'days').trim()
    const focused = viewer.merchant ? viewer : { ...viewer, focus: merchant }
    try {
      const result = await advanceSandboxClock(deps, merchant, { Days: /^\d{1,4}$/.test(days) ? Number(days) : days })
      const keep = viewer.merchant ? {} : { merchant: merchant.id }
      return seeOther(
        reply,
        `/console/sandbox${queryString({ ...keep, done: 'advanced', now: result.Now, c: result.Charges, a: result.Approved, d: result.Declined, w: result.WebhookAttempts })}`,
      )
    } catch (error) {
      return showSandbox(request, reply, focused, notice('error', consoleText(viewer.language, 'actionFailed'), refusalDetails(error)), 400)
    }
  })

  app.post('/console/sandbox/chaos', async (request, reply) => {
    const viewer = await requirePost(context, request, reply)
    if (!viewer) return reply
    const merchant = await targetOf(viewer, request.body)
    if (!sandbox || !merchant) return showSandbox(request, reply, viewer)
    const focused = viewer.merchant ? viewer : { ...viewer, focus: merchant }
    const body: Record<string, string> = {}
    for (const field of [...CHAOS_FIELDS, 'MaxDelaySeconds']) {
      const value = formField(request.body, field).trim()
      if (value !== '') body[field] = value
    }
    const maxDelay = body.MaxDelaySeconds
    try {
      await setWebhookChaos(deps, merchant, { ...body, ...(maxDelay !== undefined && /^\d{1,6}$/.test(maxDelay) ? { MaxDelaySeconds: Number(maxDelay) } : {}) })
    } catch (error) {
      return showSandbox(request, reply, focused, notice('error', consoleText(viewer.language, 'actionFailed'), refusalDetails(error)), 400)
    }
    return seeOther(reply, `/console/sandbox${queryString({ merchant: viewer.merchant ? undefined : merchant.id, done: 'chaos' })}`)
  })
}

/** The outcome named by the query after a redirect (numbers and a time only; nothing else is echoed). */
function doneNotice(viewer: ConsoleViewer, query: unknown): SafeHtml | undefined {
  const done = queryField(query, 'done')
  if (done === 'chaos') return notice('ok', consoleText(viewer.language, 'chaosSaved'))
  if (done !== 'advanced') return undefined
  const number = (name: string) => (/^\d{1,9}$/.test(queryField(query, name)) ? queryField(query, name) : '0')
  const now = queryField(query, 'now')
  return notice(
    'ok',
    consoleText(viewer.language, 'advanced', {
      now: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(now) ? now.slice(0, 16).replace('T', ' ') : '',
      charges: number('c'),
      approved: number('a'),
      declined: number('d'),
      webhooks: number('w'),
    }),
  )
}

async function clockPanel(viewer: ConsoleViewer, merchant: Merchant, realNow: number): Promise<SafeHtml> {
  const t = (key: ConsoleMessageKey) => consoleText(viewer.language, key)
  const now = merchantNow(realNow, merchant)
  const offsetHours = Math.floor(merchant.clockOffsetMs / 3_600_000)
  return html`<section class="panel" aria-labelledby="clock-title">
<h2 id="clock-title">${t('merchantClock')}</h2>
<dl class="facts">
<dt>${t('clockNow')}</dt><dd class="ltr" id="merchant-now">${formatLocalIso(now, merchant.timeZone).slice(0, 16).replace('T', ' ')} (${merchant.timeZone})</dd>
<dt>${t('clockOffset')}</dt><dd class="ltr">${Math.floor(offsetHours / 24)} d ${offsetHours % 24} h</dd>
</dl>
<form class="action" method="post" action="/console/sandbox/advance">
<input type="hidden" name="csrf" value="${viewer.csrf}">
${viewer.merchant ? '' : html`<input type="hidden" name="merchant" value="${merchant.id}">`}
<div><label for="days">${t('advanceDays')}</label><input id="days" name="days" type="number" min="1" max="366" value="1" required></div>
<button type="submit">${t('advance')}</button>
</form>
</section>`
}

async function chaosPanel(context: ConsoleContext, viewer: ConsoleViewer, merchant: Merchant): Promise<SafeHtml> {
  const t = (key: ConsoleMessageKey) => consoleText(viewer.language, key)
  const settings = await findWebhookSettings(context.deps.store.db, merchant.id)
  const chaos = parseChaos(settings?.chaos ?? null) ?? NO_CHAOS
  const values: Readonly<Record<(typeof CHAOS_FIELDS)[number], number>> = {
    DropProbability: chaos.dropProbability,
    DuplicateProbability: chaos.duplicateProbability,
    DelayProbability: chaos.delayProbability,
    ReorderProbability: chaos.reorderProbability,
  }
  return html`<section class="panel" aria-labelledby="chaos-title">
<h2 id="chaos-title">${t('chaosTitle')}</h2>
<p class="hint">${t('chaosIntro')}</p>
<form class="action" method="post" action="/console/sandbox/chaos">
<input type="hidden" name="csrf" value="${viewer.csrf}">
${viewer.merchant ? '' : html`<input type="hidden" name="merchant" value="${merchant.id}">`}
${CHAOS_FIELDS.map(
  (field) => html`<div><label for="${field}">${t(CHAOS_LABELS[field])}</label><input id="${field}" name="${field}" type="text" inputmode="decimal" value="${values[field]}" size="5"></div>`,
)}
<div><label for="MaxDelaySeconds">${t('maxDelaySeconds')}</label><input id="MaxDelaySeconds" name="MaxDelaySeconds" type="number" min="0" max="86400" value="${chaos.maxDelaySeconds}"></div>
<button type="submit">${t('saveChaos')}</button>
</form>
</section>`
}
