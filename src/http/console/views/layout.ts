import { html, type SafeHtml } from '../../pages/html.js'
import type { PageLanguage } from '../../pages/i18n.js'
import { consoleText, type ConsoleMessageKey } from '../console-i18n.js'

/** Path of the console's stylesheet. */
export const CONSOLE_STYLESHEET = '/console/console.css'

/** The sections of the console's navigation. */
export type ConsoleSection = 'overview' | 'recurrences' | 'invoices' | 'webhooks' | 'sandbox'

const NAV: ReadonlyArray<{ section: ConsoleSection; path: string; label: ConsoleMessageKey }> = [
  { section: 'overview', path: '/console', label: 'navOverview' },
  { section: 'recurrences', path: '/console/recurrences', label: 'navRecurrences' },
  { section: 'invoices', path: '/console/invoices', label: 'navInvoices' },
  { section: 'webhooks', path: '/console/webhooks', label: 'navWebhooks' },
  { section: 'sandbox', path: '/console/sandbox', label: 'navSandbox' },
]

/** Who is signed in, as the header shows it. */
export interface SignedInHeader {
  readonly name: string
  readonly csrf: string
  /** Sandbox tools are offered in sandbox mode only. */
  readonly sandbox: boolean
  /** Query kept on navigation links (the operator's merchant filter). */
  readonly keep: string
}

/** Options of {@link renderConsoleLayout}. */
export interface ConsoleLayoutOptions {
  readonly language: PageLanguage
  readonly title: string
  readonly main: SafeHtml
  readonly section?: ConsoleSection
  readonly signedIn?: SignedInHeader
  /** The same page in the other language. */
  readonly languageUrl: string
}

/** The shell of every console page. */
export function renderConsoleLayout(options: ConsoleLayoutOptions): SafeHtml {
  const { language, signedIn } = options
  const t = (key: ConsoleMessageKey, vars?: Readonly<Record<string, string>>) => consoleText(language, key, vars)
  const other = language === 'AR' ? 'en' : 'ar'
  return html`<!doctype html>
<html lang="${t('htmlLang')}" dir="${t('dir')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${options.title} · ${t('consoleTitle')}</title>
<link rel="stylesheet" href="${CONSOLE_STYLESHEET}">
</head>
<body>
<header class="top">
<span class="brand">dawri</span>
${
  signedIn
    ? html`<nav aria-label="${t('consoleTitle')}"><ul>${NAV.filter((item) => item.section !== 'sandbox' || signedIn.sandbox).map(
        (item) =>
          html`<li><a href="${item.path}${signedIn.keep}"${item.section === options.section ? html` aria-current="page"` : ''}>${t(item.label)}</a></li>`,
      )}</ul></nav>`
    : ''
}
<div class="who">
${signedIn ? html`<span>${t('signedInAs', { name: signedIn.name })}</span>` : ''}
<a href="${options.languageUrl}" lang="${other}" hreflang="${other}">${t('otherLanguage')}</a>
${
  signedIn
    ? html`<form method="post" action="/console/sign-out"><input type="hidden" name="csrf" value="${signedIn.csrf}"><button type="submit">${t('signOut')}</button></form>`
    : ''
}
</div>
</header>
<main id="main">
${options.main}
</main>
</body>
</html>
`
}
