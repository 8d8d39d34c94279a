import { html, type SafeHtml } from '../html.js'
import { translate, type PageLanguage } from '../i18n.js'

/** Path of the pages' stylesheet (served by assets-routes.ts). */
export const PAGE_STYLESHEET = '/pages/checkout.css'

/** Options for {@link renderLayout}. */
export interface LayoutOptions {
  readonly language: PageLanguage
  readonly title: string
  readonly main: SafeHtml
  /** Shown beside (wide screens) or below the main content in sandbox mode. */
  readonly banner?: SafeHtml | null
  /** Link to the same page in the other language. */
  readonly otherLanguageUrl?: string | null
  /** Load `url` after `seconds` (a `<meta>` refresh: no script needed). */
  readonly refresh?: { readonly seconds: number; readonly url: string }
}

/** The shell of every hosted page: language and direction, our stylesheet, header and footer. */
export function renderLayout(options: LayoutOptions): SafeHtml {
  const { language } = options
  const t = (key: Parameters<typeof translate>[1]) => translate(language, key)
  const otherLanguage = language === 'AR' ? 'en' : 'ar'
  return html`<!doctype html>
<html lang="${t('htmlLang')}" dir="${t('dir')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
${options.refresh ? html`<meta http-equiv="refresh" content="${options.refresh.seconds}; url=${options.refresh.url}">` : ''}
<title>${options.title}</title>
<link rel="stylesheet" href="${PAGE_STYLESHEET}">
</head>
<body>
<header class="top">
<span class="brand">dawri</span>
${options.otherLanguageUrl ? html`<a class="language" href="${options.otherLanguageUrl}" lang="${otherLanguage}" hreflang="${otherLanguage}">${t('otherLanguage')}</a>` : ''}
</header>
<div class="page${options.banner ? ' with-aside' : ''}">
<main id="main">
${options.main}
</main>
${options.banner ?? ''}
</div>
<footer class="bottom">${t('poweredBy')}</footer>
</body>
</html>
`
}
