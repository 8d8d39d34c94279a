import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

import { paymentRefusal } from '../../domain/invoice.js'
import { merchantNow } from '../../domain/merchant.js'
import { fromPaymentId } from '../../domain/public-ids.js'
import { completeOtp, settleIfAbandoned } from '../../services/complete-otp.js'
import { findCardTokenById } from '../../store/card-token.repository.js'
import { paymentErrorText, parseLanguageSegment, type MessageKey } from './i18n.js'
import {
  finalRedirectUrl,
  formatMoney,
  formField,
  formTargetsOf,
  isSameOriginPost,
  loadTransaction,
  NOT_FOUND_PAGE,
  recurringTermsOf,
  REFUSAL_PAGES,
  sendLayoutPage,
  sendMessagePage,
  summarizeInvoice,
  type PageContext,
} from './page-context.js'
import { equalText, type PageSecurity } from './page-security.js'
import { redirectSeeOther } from './respond.js'
import { renderOtp } from './views/otp-view.js'
import { renderResult } from './views/result-view.js'
import { renderSandboxBanner } from './views/sandbox-banner.js'

type PaymentRequest = FastifyRequest<{
  Params: { lang: string; country: string }
  Querystring: { paymentId?: string; sessionId?: string }
}>

type Loaded = NonNullable<Awaited<ReturnType<typeof loadTransaction>>>

/**
 * The OTP (3-D Secure) step, `/{En|Ar}/{country}/PayInvoice/MpgsAuthentication?paymentId=…&
 * sessionId=…` (reference §2.2), and our result page `…/PayInvoice/Result?paymentId=…`.
 * The OTP URL opens with the embedded session's id, or with the access key of a hosted or
 * direct payment (page-security.ts); anything else is a 404, so PaymentIds cannot be probed.
 */
export function registerOtpRoutes(app: FastifyInstance, context: PageContext, security: PageSecurity): void {
  const { deps } = context

  const load = async (request: PaymentRequest): Promise<Loaded | undefined> => {
    const paymentId = request.query.paymentId
    if (typeof paymentId !== 'string') return undefined
    const transactionId = fromPaymentId(paymentId, deps.ids)
    return transactionId === undefined ? undefined : loadTransaction(deps, transactionId)
  }

  app.route({
    method: ['GET', 'POST'],
    url: '/:lang/:country/PayInvoice/MpgsAuthentication',
    schema: { hide: true },
    handler: async (request: PaymentRequest, reply) => {
      const language = parseLanguageSegment(request.params.lang)
      const found = language ? await load(request) : undefined
      const paymentId = request.query.paymentId ?? ''
      if (!language || !found || !canOpen(found, paymentId, request.query.sessionId, security)) {
        return sendMessagePage(context, request, reply, language ?? 'EN', NOT_FOUND_PAGE)
      }
      const { transaction, invoice, merchant } = found
      if (transaction.status !== 'InProgress') return redirectSeeOther(reply, finalRedirectUrl(context, found, language))
      if (transaction.attempt_id !== null) {
        // A charge is under way; if its process died (its lease ran out), settle it and look again.
        if ((await settleIfAbandoned(deps, transaction.attempt_id)) === 'in-flight') {
          return sendMessagePage(context, request, reply, language, { title: 'processingTitle', body: 'processingBody', status: 202, refreshUrl: getUrl(request) })
        }
        return redirectSeeOther(reply, getUrl(request))
      }
      const refusal = paymentRefusal(invoice, merchantNow(deps.clock.now(), merchant))
      if (refusal) return sendMessagePage(context, request, reply, language, REFUSAL_PAGES[refusal])

      const subject = `otp\n${paymentId}`
      const form = async (status: number, error?: MessageKey, formError?: MessageKey) => {
        const token = transaction.card_token_id === null ? undefined : await findCardTokenById(deps.store.db, merchant.id, transaction.card_token_id)
        const recurring = await recurringTermsOf(deps, invoice, merchant)
        return sendLayoutPage(context, request, reply, {
          language,
          title: 'otpTitle',
          main: renderOtp({
            language,
            summary: summarizeInvoice(invoice, merchant),
            maskedCard: token?.masked_number ?? '',
            actionUrl: request.url,
            csrf: security.csrfToken(subject, deps.clock.now()),
            error,
            formError,
            recurring,
          }),
          banner: deps.config.mode === 'sandbox' ? renderSandboxBanner(language, 'otp') : null,
          status,
          formTargets: formTargetsOf(deps, invoice),
        })
      }
      if (request.method === 'GET') return form(200)
      if (!isSameOriginPost(deps, request) || !security.checkCsrf(subject, formField(request.body, 'csrf'), deps.clock.now())) {
        return form(403, undefined, 'formExpired')
      }
      const otp = formField(request.body, 'otp')
      if (otp.trim() === '') return form(400, 'otp-missing')
      const completed = await completeOtp(deps, { merchant, transactionId: transaction.id, otp })
      if (completed.kind === 'gone') return sendMessagePage(context, request, reply, language, NOT_FOUND_PAGE)
      if (completed.kind === 'refused') {
        if (completed.reason === 'busy') {
          return sendMessagePage(context, request, reply, language, { title: 'processingTitle', body: 'processingBody', status: 202, refreshUrl: getUrl(request) })
        }
        return sendMessagePage(context, request, reply, language, REFUSAL_PAGES[completed.reason])
      }
      return redirectSeeOther(reply, finalRedirectUrl(context, { ...found, transaction: completed.transaction }, language))
    },
  })

  app.get('/:lang/:country/PayInvoice/Result', { schema: { hide: true } }, async (request: PaymentRequest, reply: FastifyReply) => {
    const language = parseLanguageSegment(request.params.lang)
    const found = language ? await load(request) : undefined
    if (!language || !found) return sendMessagePage(context, request, reply, language ?? 'EN', NOT_FOUND_PAGE)
    const { transaction, invoice, merchant } = found
    const outcome = transaction.status === 'Succss' || transaction.status === 'Authorize' ? 'success' : transaction.status === 'Failed' ? 'failed' : 'pending'
    return sendLayoutPage(context, request, reply, {
      language,
      title: outcome === 'success' ? 'successTitle' : outcome === 'failed' ? 'failedTitle' : 'pendingTitle',
      main: renderResult({
        language,
        outcome,
        merchantName: merchant.name,
        amount: formatMoney(invoice.value_minor, invoice.currency),
        paymentId: request.query.paymentId ?? '',
        reason: transaction.error_code ? `${transaction.error_code}: ${paymentErrorText(language, transaction.error_code, transaction.error_message)}` : null,
      }),
    })
  })
}

/** Whether the URL's `sessionId` opens this payment's OTP step. */
function canOpen(found: Loaded, paymentId: string, sessionId: string | undefined, security: PageSecurity): boolean {
  if (typeof sessionId !== 'string' || sessionId === '') return false
  if (found.transaction.channel === 'embedded' && found.invoice.session_id !== null) {
    return equalText(sessionId.toLowerCase(), found.invoice.session_id.toLowerCase())
  }
  return equalText(sessionId, security.otpAccessKey(paymentId))
}

/** The URL of this request, as a GET (for refreshes after a POST). */
function getUrl(request: FastifyRequest): string {
  return request.url
}

