import { html, type SafeHtml } from '../html.js'
import { translate, type MessageKey, type PageLanguage } from '../i18n.js'
import { renderRecurringTerms, type RecurringTermsView } from './recurring-view.js'

/** Paths of the frame's own script and stylesheet (card-view-routes.ts). */
export const CARD_FRAME_SCRIPT = '/cardview/frame.js'
export const CARD_FRAME_STYLESHEET = '/cardview/frame.css'

/** What the Card View frame shows. */
export interface CardFrameView {
  readonly language: PageLanguage
  readonly sessionId: string
  /** Set when the session cannot take a card: the frame shows this instead of the fields. */
  readonly problem?: MessageKey
  /**
   * For a recurring session: its terms when known, else `card-saved`, a line saying the card is
   * kept for recurring charges. Shown under the fields, next to the merchant's pay button.
   */
  readonly recurring?: RecurringTermsView | 'card-saved'
}

/**
 * The document inside the Card View iframe: the card fields with labels and `autocomplete`
 * tokens, our script (which talks to the merchant page by postMessage and posts the card to
 * `/cardview/submit`), our stylesheet. Card data typed here never reaches the merchant's page.
 */
export function renderCardFrame(view: CardFrameView): SafeHtml {
  const t = (key: MessageKey) => translate(view.language, key)
  const field = (id: string, label: string, autocomplete: string, attributes: SafeHtml) => html`<div class="field" data-field="${id}">
<label for="${id}">${label}</label>
<input id="${id}" name="${id}" autocomplete="${autocomplete}" dir="ltr" spellcheck="false" autocapitalize="off" aria-describedby="${id}-error" ${attributes}>
<p class="error" id="${id}-error" role="alert" hidden></p>
</div>`
  const body = view.problem
    ? html`<p class="problem" role="alert">${t(view.problem)}</p>`
    : html`<form id="card-form" novalidate data-session-id="${view.sessionId}" data-msg-number="${t('number-malformed')}" data-msg-brand="${t('number-unsupported-brand')}" data-msg-expiry="${t('expiry-month-malformed')}" data-msg-code="${t('security-code-malformed')}" data-msg-session="${t('sessionInvalid')}">
${field('cardHolderName', t('nameOnCard'), 'cc-name', html`type="text"`)}
${field('cardNumber', t('cardNumber'), 'cc-number', html`type="text" inputmode="numeric" maxlength="23" placeholder="1234 5678 9012 3456"`)}
<div class="row">
${field('expiryDate', t('expiryDate'), 'cc-exp', html`type="text" inputmode="numeric" maxlength="7" placeholder="MM/YY"`)}
${field('securityCode', t('securityCode'), 'cc-csc', html`type="password" inputmode="numeric" maxlength="4" placeholder="123"`)}
</div>
${
  view.recurring === undefined
    ? ''
    : view.recurring === 'card-saved'
      ? html`<p class="recurring-note" id="recurring-note">${t('recurringCardSaved')}</p>`
      : renderRecurringTerms(view.language, view.recurring)
}
<button type="submit" hidden tabindex="-1"></button>
</form>`
  return html`<!doctype html>
<html lang="${t('htmlLang')}" dir="${t('dir')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${t('cardFrameTitle')}</title>
<link rel="stylesheet" href="${CARD_FRAME_STYLESHEET}">
<script src="${CARD_FRAME_SCRIPT}" defer></script>
</head>
<body>
${body}
</body>
</html>
`
}
