import { html, type SafeHtml } from '../html.js'
import { translate, type PageLanguage } from '../i18n.js'
import { renderInvoiceSummary, type InvoiceSummary } from './components.js'
import { renderRecurringTerms, type RecurringTermsView } from './recurring-view.js'

/** What the invoice page of a SendPayment link shows. */
export interface InvoicePageView {
  readonly language: PageLanguage
  readonly summary: InvoiceSummary
  /** One entry per offered method, in the merchant's order: its label and its checkout URL. */
  readonly methods: ReadonlyArray<{ readonly id: number; readonly label: string; readonly url: string }>
  /** Set for the first invoice of a recurrence: its terms, before the choice. */
  readonly recurring?: RecurringTermsView
}

/** The invoice summary and one link per payment method, each leading to that method's checkout. */
export function renderInvoicePage(view: InvoicePageView): SafeHtml {
  const t = (key: Parameters<typeof translate>[1]) => translate(view.language, key)
  return html`${renderInvoiceSummary(view.language, view.summary, 'invoiceTitle')}
<section class="pay" aria-labelledby="methods-title">
<h2 id="methods-title">${t('choosePaymentMethod')}</h2>
${view.recurring ? renderRecurringTerms(view.language, view.recurring) : ''}
<ul class="methods">
${view.methods.map((method) => html`<li><a class="button" href="${method.url}" data-method-id="${String(method.id)}">${method.label}</a></li>`)}
</ul>
</section>`
}
