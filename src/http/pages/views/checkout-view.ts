import { html, type SafeHtml } from '../html.js'
import { translate, type MessageKey, type PageLanguage } from '../i18n.js'
import { renderErrorSummary, renderField, renderInvoiceSummary, type InvoiceSummary } from './components.js'
import { describedByTerms, renderRecurringTerms, type RecurringTermsView } from './recurring-view.js'

/** Fields of the card and KNET forms, by form name. */
export const CHECKOUT_FIELDS = ['holderName', 'number', 'expiryMonth', 'expiryYear', 'securityCode', 'pin'] as const

/** One of {@link CHECKOUT_FIELDS}. */
export type CheckoutField = (typeof CHECKOUT_FIELDS)[number]

const FIELD_IDS: Readonly<Record<CheckoutField, string>> = {
  holderName: 'cc-name',
  number: 'cc-number',
  expiryMonth: 'cc-exp-month',
  expiryYear: 'cc-exp-year',
  securityCode: 'cc-csc',
  pin: 'knet-pin',
}

/** What the checkout page shows. */
export interface CheckoutView {
  readonly language: PageLanguage
  readonly kind: 'card' | 'knet'
  readonly summary: InvoiceSummary
  readonly actionUrl: string
  readonly csrf: string
  /** Values echoed back after an error: the holder name and expiry only, never number, CVV or PIN. */
  readonly values: { readonly holderName?: string; readonly expiryMonth?: string; readonly expiryYear?: string }
  readonly errors: Partial<Record<CheckoutField, MessageKey>>
  readonly formError?: MessageKey
  /** Set for the first invoice of a recurrence: its terms, shown next to the pay button. */
  readonly recurring?: RecurringTermsView
  /** Set for a SendPayment invoice: its invoice page, to choose another method. */
  readonly invoicePageUrl?: string
}

/** The main content of the checkout page: summary, errors, and the card (or KNET) form. */
export function renderCheckout(view: CheckoutView): SafeHtml {
  const { language, errors } = view
  const t = (key: MessageKey, vars?: Record<string, string>) => translate(language, key, vars)
  const error = (field: CheckoutField) => (errors[field] ? t(errors[field]) : undefined)
  const listed = CHECKOUT_FIELDS.filter((field) => errors[field]).map((field) => ({ id: FIELD_IDS[field], message: t(errors[field] ?? 'fixErrors') }))
  const expiry = html`<div class="row">
${renderField({ id: FIELD_IDS.expiryMonth, name: 'expiryMonth', label: t('expiryMonth'), autocomplete: 'cc-exp-month', inputmode: 'numeric', maxlength: 2, value: view.values.expiryMonth, error: error('expiryMonth'), ltr: true, width: 'short' })}
${renderField({ id: FIELD_IDS.expiryYear, name: 'expiryYear', label: t('expiryYear'), autocomplete: 'cc-exp-year', inputmode: 'numeric', maxlength: 4, value: view.values.expiryYear, error: error('expiryYear'), ltr: true, width: 'short' })}
</div>`
  const fields =
    view.kind === 'knet'
      ? html`${renderField({ id: FIELD_IDS.number, name: 'number', label: t('cardNumber'), autocomplete: 'cc-number', inputmode: 'numeric', maxlength: 19, error: error('number'), ltr: true })}
${expiry}
${renderField({ id: FIELD_IDS.pin, name: 'pin', label: t('pin'), autocomplete: 'off', inputmode: 'numeric', type: 'password', maxlength: 4, error: error('pin'), ltr: true, width: 'short' })}`
      : html`${renderField({ id: FIELD_IDS.holderName, name: 'holderName', label: t('nameOnCard'), autocomplete: 'cc-name', value: view.values.holderName, error: error('holderName'), required: false })}
${renderField({ id: FIELD_IDS.number, name: 'number', label: t('cardNumber'), autocomplete: 'cc-number', inputmode: 'numeric', maxlength: 23, error: error('number'), ltr: true })}
${expiry}
${renderField({ id: FIELD_IDS.securityCode, name: 'securityCode', label: t('securityCode'), autocomplete: 'cc-csc', inputmode: 'numeric', type: 'password', maxlength: 4, error: error('securityCode'), hint: t('securityCodeHint'), ltr: true, width: 'short' })}`
  return html`${renderInvoiceSummary(language, view.summary, view.kind === 'knet' ? 'knetTitle' : 'payInvoice')}
<section class="pay" aria-labelledby="card-title">
<h2 id="card-title">${t('cardDetails')}</h2>
${renderErrorSummary(language, listed, view.formError)}
<form method="post" action="${view.actionUrl}" novalidate>
<input type="hidden" name="csrf" value="${view.csrf}">
${fields}
${view.recurring ? renderRecurringTerms(language, view.recurring) : ''}
<button type="submit" class="primary"${describedByTerms(view.recurring)}>${payLabel(t('pay'), view.summary.amount)}</button>
</form>
${view.invoicePageUrl ? html`<p class="other-methods"><a href="${view.invoicePageUrl}">${t('otherPaymentMethods')}</a></p>` : ''}
</section>`
}

/** `Pay {amount}` with the amount isolated left to right, so that Arabic reads `ادفع 10.000 KWD`, not `KWD 10.000`. */
function payLabel(message: string, amount: string): SafeHtml {
  const [before = '', after = ''] = message.split('{amount}')
  return html`${before}<bdi dir="ltr">${amount}</bdi>${after}`
}
