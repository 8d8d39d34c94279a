import { TEST_CARDS } from '../../../processor/test-processor.js'
import { html, type SafeHtml } from '../html.js'
import { testCardOutcome, translate, type PageLanguage } from '../i18n.js'

/** What the banner talks about: the card form, the KNET form or the OTP step. */
export type BannerTopic = 'cards' | 'knet' | 'otp'

/**
 * The sandbox banner (docs/test-cards.md: the test cards and the OTP are published on the checkout page).
 * Shown only when DAWRI_MODE=sandbox. The card numbers come from `TEST_CARDS` alone; each
 * outcome is worded in the page's language (`testCardOutcome`: English quotes the contract table
 * of docs/test-cards.md, Arabic words the card's behaviour).
 */
export function renderSandboxBanner(language: PageLanguage, topic: BannerTopic): SafeHtml {
  const t = (key: Parameters<typeof translate>[1]) => translate(language, key)
  const cards =
    topic === 'cards'
      ? html`<p>${t('sandboxCards')}</p>
<table class="test-cards">
<caption class="visually-hidden">${t('sandboxTitle')}</caption>
<thead><tr><th scope="col">${t('testCardNumber')}</th><th scope="col">${t('testCardOutcome')}</th></tr></thead>
<tbody>
${TEST_CARDS.map((card) => html`<tr><td dir="ltr"><code>${card.number}</code></td><td>${testCardOutcome(language, card)}</td></tr>`)}
</tbody>
</table>
<p>${t('sandboxOtp')}</p>`
      : topic === 'knet'
        ? html`<p>${t('sandboxKnet')}</p>`
        : html`<p>${t('sandboxOtp')}</p>`
  return html`<aside class="sandbox" aria-labelledby="sandbox-title">
<h2 id="sandbox-title">${t('sandboxTitle')}</h2>
${cards}
</aside>`
}
