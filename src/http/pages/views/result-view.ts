import { html, type SafeHtml } from '../html.js'
import { translate, type MessageKey, type PageLanguage } from '../i18n.js'

/** What our own result page shows (when the invoice has no CallBackUrl/ErrorUrl). */
export interface ResultView {
  readonly language: PageLanguage
  readonly outcome: 'success' | 'failed' | 'pending'
  readonly merchantName: string
  readonly amount: string
  readonly paymentId: string
  /** `MF002: Declined by issuer` for a failure. */
  readonly reason: string | null
}

const TITLES: Readonly<Record<ResultView['outcome'], MessageKey>> = {
  success: 'successTitle',
  failed: 'failedTitle',
  pending: 'pendingTitle',
}

/** The main content of the result page. */
export function renderResult(view: ResultView): SafeHtml {
  const t = (key: MessageKey) => translate(view.language, key)
  return html`<section class="result ${view.outcome}" aria-labelledby="result-title">
<h1 id="result-title">${t(TITLES[view.outcome])}</h1>
<dl>
<div><dt>${t('merchant')}</dt><dd>${view.merchantName}</dd></div>
<div><dt>${t('amount')}</dt><dd dir="ltr">${view.amount}</dd></div>
<div><dt>${t('paymentId')}</dt><dd dir="ltr"><code>${view.paymentId}</code></dd></div>
${view.reason ? html`<div><dt>${t('reason')}</dt><dd>${view.reason}</dd></div>` : ''}
</dl>
</section>`
}

/** A page with a title and one paragraph: expired, paid, not found, errors, processing. */
export function renderMessage(language: PageLanguage, title: MessageKey, body: MessageKey, options: { refreshUrl?: string } = {}): SafeHtml {
  const t = (key: MessageKey) => translate(language, key)
  return html`<section class="message" aria-labelledby="message-title">
<h1 id="message-title">${t(title)}</h1>
<p>${t(body)}</p>
${options.refreshUrl ? html`<p><a class="button" href="${options.refreshUrl}">${t('refresh')}</a></p>` : ''}
</section>`
}
