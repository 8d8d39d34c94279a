import { html, type SafeHtml } from '../html.js'
import { translate, type MessageKey, type PageLanguage } from '../i18n.js'
import { renderErrorSummary, renderField, renderInvoiceSummary, type InvoiceSummary } from './components.js'
import { describedByTerms, renderRecurringTerms, type RecurringTermsView } from './recurring-view.js'

/** What the OTP (3-D Secure) page shows. */
export interface OtpView {
  readonly language: PageLanguage
  readonly summary: InvoiceSummary
  /** The masked number of the card being authenticated, e.g. `512345xxxxxx0008`. */
  readonly maskedCard: string
  readonly actionUrl: string
  readonly csrf: string
  readonly error?: MessageKey
  readonly formError?: MessageKey
  /** Set for the first invoice of a recurrence: its terms, shown next to the confirm button. */
  readonly recurring?: RecurringTermsView
}

/** The main content of the OTP step. */
export function renderOtp(view: OtpView): SafeHtml {
  const { language } = view
  const t = (key: MessageKey, vars?: Record<string, string>) => translate(language, key, vars)
  const errors = view.error ? [{ id: 'otp', message: t(view.error) }] : []
  return html`${renderInvoiceSummary(language, view.summary, 'otpTitle')}
<section class="pay" aria-labelledby="otp-title">
<h2 id="otp-title">${t('otpHeading')}</h2>
<p>${t('otpIntro')} <bdi dir="ltr" class="masked">${view.maskedCard}</bdi></p>
${renderErrorSummary(language, errors, view.formError)}
<form method="post" action="${view.actionUrl}" novalidate>
<input type="hidden" name="csrf" value="${view.csrf}">
${renderField({ id: 'otp', name: 'otp', label: t('otpLabel'), autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: 8, error: view.error ? t(view.error) : undefined, ltr: true, width: 'short' })}
${view.recurring ? renderRecurringTerms(language, view.recurring) : ''}
<button type="submit" class="primary"${describedByTerms(view.recurring)}>${t('confirm')}</button>
</form>
</section>`
}
