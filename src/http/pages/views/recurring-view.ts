import type { RecurringDisclosure } from '../../../domain/recurring-disclosure.js'
import { html, type SafeHtml } from '../html.js'
import { describeCharges, describeFrequency, formatDate, translate, type MessageKey, type PageLanguage } from '../i18n.js'

/** The id of the disclosure, which the pay button names in `aria-describedby`. */
export const RECURRING_TERMS_ID = 'recurring-terms'

/** A recurring invoice's terms as a page shows them: the facts and the amount already formatted. */
export interface RecurringTermsView {
  readonly disclosure: RecurringDisclosure
  /** The amount of each charge with the currency's decimals and code, e.g. `10.000 KWD`. */
  readonly amount: string
}

/**
 * What a first payment of a recurrence commits the customer to, placed right before the pay (or
 * confirm) button: amount of each charge, frequency, number of charges, first renewal.
 */
export function renderRecurringTerms(language: PageLanguage, terms: RecurringTermsView): SafeHtml {
  const t = (key: MessageKey) => translate(language, key)
  const { disclosure } = terms
  return html`<section class="recurring" id="${RECURRING_TERMS_ID}" aria-labelledby="recurring-title">
<h2 id="recurring-title">${t('recurringTitle')}</h2>
<p>${t('recurringIntro')}</p>
<dl>
<div><dt>${t('recurringAmount')}</dt><dd dir="ltr">${terms.amount}</dd></div>
<div><dt>${t('recurringFrequency')}</dt><dd>${describeFrequency(language, disclosure.frequency)}</dd></div>
<div><dt>${t('recurringCharges')}</dt><dd>${describeCharges(language, disclosure.charges)}</dd></div>
<div><dt>${t('recurringFirstRenewal')}</dt><dd>${formatDate(language, disclosure.firstRenewal)}</dd></div>
</dl>
</section>`
}

/** The `aria-describedby` attribute of a pay button: the disclosure, when there is one. */
export function describedByTerms(terms: RecurringTermsView | undefined): SafeHtml {
  return terms ? html` aria-describedby="${RECURRING_TERMS_ID}"` : html``
}
