import { html, type SafeHtml } from '../html.js'
import { translate, type MessageKey, type PageLanguage } from '../i18n.js'

/** One labelled input with its hint and error, wired for screen readers. */
export interface FieldOptions {
  readonly id: string
  readonly name: string
  readonly label: string
  /** The `autocomplete` token (cc-number, cc-csc, one-time-code…) browsers fill from. */
  readonly autocomplete: string
  readonly inputmode?: 'numeric' | 'text'
  readonly type?: 'text' | 'password'
  readonly value?: string
  readonly error?: string
  readonly hint?: string
  readonly maxlength?: number
  /** Digits read left to right in Arabic pages too. */
  readonly ltr?: boolean
  readonly width?: 'short' | 'full'
  /** Default is true. */
  readonly required?: boolean
}

/** A form field; its value is echoed only when the caller passes one (never card numbers or codes). */
export function renderField(field: FieldOptions): SafeHtml {
  const describedBy = [field.hint ? `${field.id}-hint` : '', field.error ? `${field.id}-error` : ''].filter(Boolean).join(' ')
  return html`<div class="field${field.error ? ' invalid' : ''}${field.width === 'short' ? ' short' : ''}">
<label for="${field.id}">${field.label}</label>
<input id="${field.id}" name="${field.name}" type="${field.type ?? 'text'}" autocomplete="${field.autocomplete}"${field.inputmode ? html` inputmode="${field.inputmode}"` : ''}${field.maxlength ? html` maxlength="${field.maxlength}"` : ''}${field.ltr ? html` dir="ltr"` : ''} ${field.required === false ? '' : 'required'}${field.value ? html` value="${field.value}"` : ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''}${field.error ? html` aria-invalid="true"` : ''} spellcheck="false" autocapitalize="off">
${field.hint ? html`<p class="hint" id="${field.id}-hint">${field.hint}</p>` : ''}
${field.error ? html`<p class="error" id="${field.id}-error">${field.error}</p>` : ''}
</div>`
}

/** The error summary at the top of a form: a live region whose links move focus to each field. */
export function renderErrorSummary(language: PageLanguage, errors: ReadonlyArray<{ id: string; message: string }>, formError?: MessageKey): SafeHtml {
  if (errors.length === 0 && !formError) return html``
  const title = formError ? translate(language, formError) : translate(language, 'fixErrors')
  return html`<div class="error-summary" role="alert">
<p class="error-title">${title}</p>
${errors.length > 0 ? html`<ul>${errors.map((error) => html`<li><a href="#${error.id}">${error.message}</a></li>`)}</ul>` : ''}
</div>`
}

/** What the invoice summary shows. */
export interface InvoiceSummary {
  readonly merchantName: string
  /** The amount with the currency's decimals and its ISO code, e.g. `1.500 KWD`. */
  readonly amount: string
  readonly customerName: string | null
  readonly items: ReadonlyArray<{ name: string; quantity: number; unitPrice: string }>
}

/** The invoice summary: merchant, amount due, customer, items. */
export function renderInvoiceSummary(language: PageLanguage, summary: InvoiceSummary, heading: MessageKey): SafeHtml {
  const t = (key: MessageKey) => translate(language, key)
  return html`<section class="summary" aria-labelledby="summary-title">
<h1 id="summary-title">${t(heading)}</h1>
<dl>
<div><dt>${t('merchant')}</dt><dd>${summary.merchantName}</dd></div>
${summary.customerName ? html`<div><dt>${t('customer')}</dt><dd>${summary.customerName}</dd></div>` : ''}
<div class="due"><dt>${t('amountDue')}</dt><dd class="amount" dir="ltr">${summary.amount}</dd></div>
</dl>
${
  summary.items.length === 0
    ? ''
    : html`<table class="items">
<caption class="visually-hidden">${t('invoiceSummary')}</caption>
<thead><tr><th scope="col">${t('item')}</th><th scope="col">${t('quantity')}</th><th scope="col">${t('unitPrice')}</th></tr></thead>
<tbody>${summary.items.map((item) => html`<tr><td>${item.name}</td><td>${item.quantity}</td><td dir="ltr">${item.unitPrice}</td></tr>`)}</tbody>
</table>`
}
</section>`
}
