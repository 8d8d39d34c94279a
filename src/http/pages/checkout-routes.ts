import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

import { merchantNow } from '../../domain/merchant.js'
import { checkoutPaymentMethod, offeredPaymentMethods } from '../../domain/invoice-link.js'
import { toPaymentId } from '../../domain/public-ids.js'
import { CARD_PROBLEM_FIELDS, checkRawCard } from '../../services/card-input.js'
import { paymentRefusal } from '../../domain/invoice.js'
import { payWithKnet } from '../../services/pay-with-knet.js'
import { invoicePageUrl } from '../../services/public-urls.js'
import { startCardPayment } from '../../services/start-card-payment.js'
import { parseLanguageSegment, type MessageKey, type PageLanguage } from './i18n.js'
import {
  finalRedirectUrl,
  formField,
  formTargetsOf,
  isSameOriginPost,
  loadInvoiceByKey,
  NOT_FOUND_PAGE,
  recurringTermsOf,
  REFUSAL_PAGES,
  sendLayoutPage,
  sendMessagePage,
  summarizeInvoice,
  type InvoiceWithMerchant,
  type PageContext,
} from './page-context.js'
import type { PageSecurity } from './page-security.js'
import { redirectSeeOther } from './respond.js'
import { renderCheckout, type CheckoutField, type CheckoutView } from './views/checkout-view.js'
import { renderSandboxBanner } from './views/sandbox-banner.js'

/** KNET's method id: a PIN page of its own instead of a card form and OTP (docs/checkout.md). */
const KNET_METHOD_ID = 1

type CheckoutRequest = FastifyRequest<{ Params: { lang: string; country: string }; Querystring: { invoiceKey?: string; paymentGatewayId?: string } }>

/**
 * The hosted checkout, `/{En|Ar}/{country}/PayInvoice/Checkout?invoiceKey=…&paymentGatewayId=…`
 * (reference §2.2): the invoice summary and the card form; the POST tokenises the card, creates
 * the transaction and sends the customer to the OTP step with a 303.
 */
export function registerCheckoutRoutes(app: FastifyInstance, context: PageContext, security: PageSecurity): void {
  const { deps } = context
  app.route({
    method: ['GET', 'POST'],
    url: '/:lang/:country/PayInvoice/Checkout',
    schema: { hide: true },
    handler: async (request: CheckoutRequest, reply) => {
      const language = parseLanguageSegment(request.params.lang)
      const found = language ? await loadInvoiceByKey(deps, request.query.invoiceKey) : undefined
      if (!language || !found) return sendMessagePage(context, request, reply, language ?? 'EN', NOT_FOUND_PAGE)
      const { invoice, merchant } = found
      const refusal = paymentRefusal(invoice, merchantNow(deps.clock.now(), merchant))
      if (refusal) return sendMessagePage(context, request, reply, language, REFUSAL_PAGES[refusal])
      // A SendPayment invoice is paid with the method chosen on its invoice page, if it offers it.
      const method = checkoutPaymentMethod(invoice, request.query.paymentGatewayId)
      if (!method) return sendMessagePage(context, request, reply, language, NOT_FOUND_PAGE)
      const kind = method.id === KNET_METHOD_ID ? 'knet' : 'card'
      const subject = `checkout\n${invoice.invoice_key}`
      const form = async (overrides: Partial<CheckoutView> = {}, status = 200) =>
        sendForm(context, request, reply, found, language, status, {
          language,
          kind,
          summary: summarizeInvoice(invoice, merchant),
          actionUrl: request.url,
          csrf: security.csrfToken(subject, deps.clock.now()),
          values: {},
          errors: {},
          // KNET cards cannot recur (ExecutePayment refuses a RecurringModel with them).
          recurring: kind === 'card' ? await recurringTermsOf(deps, invoice, merchant) : undefined,
          // A SendPayment invoice's checkout links back to its invoice page.
          invoicePageUrl: offeredPaymentMethods(invoice) ? invoicePageUrl(deps.config, merchant, invoice.invoice_key, language) : undefined,
          ...overrides,
        })
      if (request.method === 'GET') return form()

      const body = request.body
      const values = { holderName: formField(body, 'holderName').trim(), expiryMonth: formField(body, 'expiryMonth').trim(), expiryYear: formField(body, 'expiryYear').trim() }
      if (!isSameOriginPost(deps, request) || !security.checkCsrf(subject, formField(body, 'csrf'), deps.clock.now())) {
        return form({ values, formError: 'formExpired' }, 403)
      }
      if (kind === 'knet') {
        const paid = await payWithKnet(deps, {
          merchant,
          invoice,
          method,
          input: { number: formField(body, 'number'), expiryMonth: values.expiryMonth, expiryYear: values.expiryYear, pin: formField(body, 'pin') },
          ipAddress: request.ip,
        })
        if (paid.kind === 'invalid') return form({ values, errors: knetErrors(paid.problems) }, 400)
        if (paid.kind === 'refused') return sendMessagePage(context, request, reply, language, REFUSAL_PAGES[paid.reason])
        return redirectSeeOther(reply, finalRedirectUrl(context, { ...found, transaction: paid.transaction }, language))
      }

      const checked = checkRawCard({
        number: formField(body, 'number'),
        expiryMonth: values.expiryMonth,
        expiryYear: values.expiryYear,
        securityCode: formField(body, 'securityCode'),
        holderName: values.holderName || null,
      })
      if (!checked.ok) {
        const errors: Partial<Record<CheckoutField, MessageKey>> = {}
        for (const problem of checked.problems) errors[CARD_PROBLEM_FIELDS[problem].field as CheckoutField] ??= problem
        return form({ values, errors }, 400)
      }
      const started = await startCardPayment(deps, invoice.id, {
        merchant,
        method,
        channel: 'hosted',
        source: { kind: 'card', card: checked.card, holderName: values.holderName || null, save: false, customerIdentifier: null },
        ipAddress: request.ip,
      })
      if (started.kind === 'refused') return sendMessagePage(context, request, reply, language, REFUSAL_PAGES[started.reason])
      return redirectSeeOther(reply, context.links.otpUrl(merchant, language, toPaymentId(started.transaction.id, deps.ids)))
    },
  })
}

function knetErrors(problems: readonly string[]): Partial<Record<CheckoutField, MessageKey>> {
  const errors: Partial<Record<CheckoutField, MessageKey>> = {}
  for (const problem of problems) {
    if (problem === 'knet-number-malformed') errors.number = 'knet-number-malformed'
    if (problem === 'expiry-month-malformed') errors.expiryMonth = 'expiry-month-malformed'
    if (problem === 'expiry-year-malformed') errors.expiryYear = 'expiry-year-malformed'
    if (problem === 'pin-malformed') errors.pin = 'pin-malformed'
  }
  return errors
}

function sendForm(
  context: PageContext,
  request: FastifyRequest,
  reply: FastifyReply,
  found: InvoiceWithMerchant,
  language: PageLanguage,
  status: number,
  view: CheckoutView,
): FastifyReply {
  return sendLayoutPage(context, request, reply, {
    language,
    title: view.kind === 'knet' ? 'knetTitle' : 'payInvoice',
    main: renderCheckout(view),
    banner: context.deps.config.mode === 'sandbox' ? renderSandboxBanner(language, view.kind === 'knet' ? 'knet' : 'cards') : null,
    status,
    formTargets: formTargetsOf(context.deps, found.invoice),
  })
}
