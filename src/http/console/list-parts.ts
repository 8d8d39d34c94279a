import { listMerchantNames } from '../../store/console.repository.js'
import { html, type SafeHtml } from '../pages/html.js'
import { consoleText } from './console-i18n.js'
import { queryString, type ConsoleContext, type ConsoleViewer } from './console-context.js'

/** Rows per list page. */
export const PAGE_SIZE = 50

/** Most merchants the operator's filter lists. */
const MAX_MERCHANTS_LISTED = 500

/** The operator's merchant filter (a select of merchants); nothing for a merchant. */
export async function merchantFilterField(context: ConsoleContext, viewer: ConsoleViewer): Promise<SafeHtml> {
  if (viewer.merchant) return html``
  const merchants = await listMerchantNames(context.deps.store.db, MAX_MERCHANTS_LISTED)
  const t = (key: Parameters<typeof consoleText>[1]) => consoleText(viewer.language, key)
  return html`<div><label for="merchant">${t('merchantFilter')}</label><select id="merchant" name="merchant"><option value="">${t('allMerchants')}</option>${merchants.map(
    (merchant) => html`<option value="${merchant.id}"${merchant.id === viewer.focus?.id ? html` selected` : ''}>${merchant.id} · ${merchant.name}</option>`,
  )}</select></div>`
}

/**
 * Keyset paging links: back to the newest page, and on to the rows older than the last one shown
 * (`before=` its public id). No page numbers: counting a million rows is what keyset paging avoids.
 */
export function pagingLinks(
  viewer: ConsoleViewer,
  path: string,
  filters: Readonly<Record<string, string | number | undefined>>,
  notFirst: boolean,
  nextBefore: string | number | undefined,
): SafeHtml {
  const t = (key: Parameters<typeof consoleText>[1]) => consoleText(viewer.language, key)
  return html`<nav class="paging" aria-label="${t('paging')}">
${notFirst ? html`<a href="${path}${queryString(filters)}">${t('newest')}</a>` : ''}
${nextBefore !== undefined ? html`<a href="${path}${queryString({ ...filters, before: nextBefore })}" rel="next">${t('nextPage')}</a>` : ''}
</nav>`
}
