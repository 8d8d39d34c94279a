import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

import { offeredPaymentMethods } from '../../domain/invoice-link.js'
import { paymentRefusal } from '../../domain/invoice.js'
import { merchantNow } from '../../domain/merchant.js'
import { checkoutUrl } from '../../services/public-urls.js'
import { parseLanguageSegment, type PageLanguage } from './i18n.js'
import {
  formTargetsOf,
  loadInvoiceByKey,
  NOT_FOUND_PAGE,
  recurringTermsOf,
  REFUSAL_PAGES,
  sendLayoutPage,
  sendMessagePage,
  summarizeInvoice,
  type PageContext,
} from './page-context.js'
import { renderInvoicePage } from './views/invoice-view.js'

type InvoicePageRequest = FastifyRequest<{ Params: { lang?: string; country: string; invoiceKey: string } }>

/**
 * The hosted invoice page of a SendPayment link (reference §12.1): `/{KWT…}/ie/{invoiceKey}` in
 * the invoice's language, `/{En|Ar}/{KWT…}/ie/{invoiceKey}` in the one named. It shows the
 * invoice and one link per offered method; each leads to the hosted checkout of that method
 * (`…/PayInvoice/Checkout?invoiceKey=…&paymentGatewayId=…`), where the customer pays as for an
 * ExecutePayment link (card form and OTP, or KNET), with its CSRF-protected form. The page
 * itself changes nothing, so it has no form. Only invoices created by SendPayment have one.
 */
export function registerInvoicePageRoutes(app: FastifyInstance, context: PageContext): void {
  const { deps } = context
  const handler = async (request: InvoicePageRequest, reply: FastifyReply) => {
    const segment = request.params.lang
    const named: PageLanguage | undefined = segment === undefined ? undefined : parseLanguageSegment(segment)
    const found = segment === undefined || named ? await loadInvoiceByKey(deps, request.params.invoiceKey) : undefined
    const methods = found ? offeredPaymentMethods(found.invoice) : undefined
    if (!found || !methods || found.merchant.country.toLowerCase() !== request.params.country.toLowerCase()) {
      return sendMessagePage(context, request, reply, named ?? 'EN', NOT_FOUND_PAGE)
    }
    const { invoice, merchant } = found
    const language: PageLanguage = named ?? (invoice.language === 'AR' ? 'AR' : 'EN')
    const refusal = paymentRefusal(invoice, merchantNow(deps.clock.now(), merchant))
    if (refusal) return sendMessagePage(context, request, reply, language, REFUSAL_PAGES[refusal])
    return sendLayoutPage(context, request, reply, {
      language,
      title: 'invoiceTitle',
      main: renderInvoicePage({
        language,
        summary: summarizeInvoice(invoice, merchant),
        methods: methods.map((method) => ({
          id: method.id,
          label: language === 'AR' ? method.nameAr : method.nameEn,
          url: checkoutUrl(deps.config, merchant, language, invoice.invoice_key, method.id),
        })),
        recurring: await recurringTermsOf(deps, invoice, merchant),
      }),
      formTargets: formTargetsOf(deps, invoice),
    })
  }
  app.get<{ Params: InvoicePageRequest['params'] }>('/:country/ie/:invoiceKey', { schema: { hide: true } }, handler)
  app.get<{ Params: InvoicePageRequest['params'] }>('/:lang/:country/ie/:invoiceKey', { schema: { hide: true } }, handler)
}
