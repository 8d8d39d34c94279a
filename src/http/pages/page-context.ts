import type { FastifyReply, FastifyRequest } from 'fastify'

import { isCurrencyCode } from '../../domain/currencies.js'
import type { InvoiceItem } from '../../domain/execute-payment-request.js'
import { merchantNow, type Merchant } from '../../domain/merchant.js'
import { formatAmount } from '../../domain/money.js'
import { recurringDisclosure } from '../../domain/recurring-disclosure.js'
import { toPaymentId } from '../../domain/public-ids.js'
import { appendQuery } from '../../domain/urls.js'
import type { Deps } from '../../deps.js'
import type { InvoiceRefusal } from '../../domain/invoice.js'
import { findInvoice, findInvoiceByKey, type InvoiceRow } from '../../store/invoice.repository.js'
import { findTransactionById, type TransactionRow } from '../../store/transaction.repository.js'
import { findMerchantById } from '../../store/merchant.repository.js'
import { findRecurrence } from '../../store/recurrence.repository.js'
import type { SafeHtml } from './html.js'
import { translate, type MessageKey, type PageLanguage } from './i18n.js'
import type { PageLinks } from './page-links.js'
import { originOf, sendPage } from './respond.js'
import type { InvoiceSummary } from './views/components.js'
import { renderLayout } from './views/layout.js'
import type { RecurringTermsView } from './views/recurring-view.js'
import { renderMessage } from './views/result-view.js'

/** What the page routes share. */
export interface PageContext {
  readonly deps: Deps
  readonly links: PageLinks
}

/** An invoice with its merchant, as every page needs them. */
export interface InvoiceWithMerchant {
  readonly invoice: InvoiceRow
  readonly merchant: Merchant
}

/** The invoice of a hosted-page key (the key is the credential) and its merchant. */
export async function loadInvoiceByKey(deps: Deps, invoiceKey: unknown): Promise<InvoiceWithMerchant | undefined> {
  if (typeof invoiceKey !== 'string' || invoiceKey === '' || invoiceKey.length > 100) return undefined
  const invoice = await findInvoiceByKey(deps.store.db, invoiceKey)
  const merchant = invoice ? await findMerchantById(deps.store.db, invoice.merchant_id) : undefined
  return invoice && merchant ? { invoice, merchant } : undefined
}

/** A transaction by internal id with its invoice and merchant (pages know payments by PaymentId only). */
export async function loadTransaction(
  deps: Deps,
  transactionId: number,
): Promise<(InvoiceWithMerchant & { transaction: TransactionRow }) | undefined> {
  const db = deps.store.db
  const transaction = await findTransactionById(db, transactionId)
  if (!transaction) return undefined
  const invoice = await findInvoice(db, transaction.merchant_id, transaction.invoice_id)
  const merchant = await findMerchantById(db, transaction.merchant_id)
  return invoice && merchant ? { transaction, invoice, merchant } : undefined
}

/** An amount with the currency's decimals and ISO code, e.g. `1,234.500 KWD`. */
export function formatMoney(minor: number, currency: string): string {
  return isCurrencyCode(currency) ? `${formatAmount(minor, currency, { grouping: true })} ${currency}` : `${minor} ${currency}`
}

/** The invoice summary of the pages. */
export function summarizeInvoice(invoice: InvoiceRow, merchant: Merchant): InvoiceSummary {
  const items = JSON.parse(invoice.items) as InvoiceItem[]
  return {
    merchantName: merchant.name,
    amount: formatMoney(invoice.value_minor, invoice.currency),
    customerName: invoice.customer_name,
    items: items.map((item) => ({ name: item.itemName, quantity: item.quantity, unitPrice: formatMoney(item.unitPriceMinor, invoice.currency) })),
  }
}

/**
 * The terms to disclose when `invoice` is the first invoice of a recurrence that its payment
 * will activate (domain/recurring-disclosure.ts), read with the merchant's clock and zone.
 */
export async function recurringTermsOf(deps: Deps, invoice: InvoiceRow, merchant: Merchant): Promise<RecurringTermsView | undefined> {
  if (invoice.recurrence_id === null || invoice.recurrence_cycle !== 0) return undefined
  const recurrence = await findRecurrence(deps.store.db, merchant.id, invoice.recurrence_id)
  if (!recurrence) return undefined
  const disclosure = recurringDisclosure(
    {
      status: recurrence.status,
      type: recurrence.recurring_type,
      intervalDays: recurrence.interval_days,
      iteration: recurrence.iteration,
      amountMinor: recurrence.amount_minor,
      currency: recurrence.currency,
    },
    merchantNow(deps.clock.now(), merchant),
    merchant.timeZone,
  )
  return disclosure && { disclosure, amount: formatMoney(disclosure.amountMinor, disclosure.currency) }
}

/** Where the customer goes once a payment has its outcome (reference §4.1). */
export function finalRedirectUrl(context: PageContext, found: InvoiceWithMerchant & { transaction: TransactionRow }, language: PageLanguage): string {
  const { invoice, merchant, transaction } = found
  const paymentId = toPaymentId(transaction.id, context.deps.ids)
  // Without an ErrorUrl a failure goes to the CallBackUrl too: the merchant learns the outcome
  // from GetPaymentStatus either way (docs/checkout.md).
  // An authorisation (AutoCapture off) is the customer's success: the merchant captures it later.
  const target = transaction.status === 'Succss' || transaction.status === 'Authorize' ? invoice.callback_url : (invoice.error_url ?? invoice.callback_url)
  return target ? appendQuery(target, { paymentId, Id: paymentId }) : context.links.resultUrl(merchant, language, paymentId)
}

/** Origins a page's forms may lead to: ours (public URL) and the invoice's redirect targets. */
export function formTargetsOf(deps: Deps, invoice: InvoiceRow | null): string[] {
  return [originOf(deps.config.publicUrl), originOf(invoice?.callback_url), originOf(invoice?.error_url)].filter(
    (origin): origin is string => origin !== undefined,
  )
}

/** Options for {@link sendLayoutPage}. */
export interface LayoutPageOptions {
  readonly language: PageLanguage
  readonly title: MessageKey
  readonly main: SafeHtml
  readonly banner?: SafeHtml | null
  readonly status?: number
  readonly formTargets?: readonly string[]
  readonly refresh?: { readonly seconds: number; readonly url: string }
}

/** Renders a page in the layout, with the other-language link of the current URL, and sends it. */
export function sendLayoutPage(context: PageContext, request: FastifyRequest, reply: FastifyReply, options: LayoutPageOptions): FastifyReply {
  const page = renderLayout({
    language: options.language,
    title: translate(options.language, options.title),
    main: options.main,
    banner: options.banner ?? null,
    otherLanguageUrl: request.method === 'GET' ? context.links.switchLanguage(request.url, options.language) : null,
    refresh: options.refresh,
  })
  return sendPage(reply, page, { status: options.status, formTargets: options.formTargets })
}

/** A page with a title and a sentence. */
export function sendMessagePage(
  context: PageContext,
  request: FastifyRequest,
  reply: FastifyReply,
  language: PageLanguage,
  message: { title: MessageKey; body: MessageKey; status: number; refreshUrl?: string },
): FastifyReply {
  return sendLayoutPage(context, request, reply, {
    language,
    title: message.title,
    main: renderMessage(language, message.title, message.body, { refreshUrl: message.refreshUrl }),
    status: message.status,
    refresh: message.refreshUrl ? { seconds: 2, url: message.refreshUrl } : undefined,
  })
}

/** The page of an invoice that cannot take a payment. */
export const REFUSAL_PAGES: Readonly<Record<InvoiceRefusal, { title: MessageKey; body: MessageKey; status: number }>> = {
  paid: { title: 'paidTitle', body: 'paidBody', status: 200 },
  expired: { title: 'expiredTitle', body: 'expiredBody', status: 410 },
  canceled: { title: 'canceledTitle', body: 'canceledBody', status: 410 },
  busy: { title: 'busyTitle', body: 'busyBody', status: 409 },
}

/** The 404 page of unknown payment links. */
export const NOT_FOUND_PAGE = { title: 'notFoundTitle', body: 'notFoundBody', status: 404 } as const

/**
 * True when a POST comes from our own pages. Browsers send `Origin` with form posts and
 * fetches; a different origin is a cross-site forgery. Clients without the header (curl, tests)
 * pass, and still need the CSRF token.
 */
export function isSameOriginPost(deps: Deps, request: FastifyRequest): boolean {
  const origin = request.headers.origin
  if (origin === undefined) return true
  return origin === originOf(deps.config.publicUrl) || origin === `${request.protocol}://${request.host}`
}

/** A string field of a parsed form body, or '' when absent. */
export function formField(body: unknown, name: string): string {
  if (typeof body !== 'object' || body === null) return ''
  const value = (body as Record<string, unknown>)[name]
  return typeof value === 'string' ? value : ''
}
