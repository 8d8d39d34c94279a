import formbody from '@fastify/formbody'
import type { FastifyInstance } from 'fastify'

import { AppError, coerceError } from '../../domain/errors.js'
import type { Deps } from '../../deps.js'
import { registerDirectPaymentRoute } from '../api/direct-payment.js'
import { ERROR_STATUS } from '../api/error-handler.js'
import { withMerchantAuth } from '../build-app.js'
import { CHECKOUT_CSS } from './assets/styles.js'
import { registerCardViewPageRoutes, registerCardViewSubmitRoute } from './card-view-routes.js'
import { registerCheckoutRoutes } from './checkout-routes.js'
import { registerInvoicePageRoutes } from './invoice-page-routes.js'
import { parseLanguageSegment } from './i18n.js'
import { registerOtpRoutes } from './otp-routes.js'
import { sendMessagePage, type PageContext } from './page-context.js'
import { createPageLinks } from './page-links.js'
import { loadPageSecurity } from './page-security.js'
import { PAGE_STYLESHEET } from './views/layout.js'

/** Largest accepted form body: card forms are tiny. */
const FORM_BODY_LIMIT = 16 * 1024

/**
 * Registers the customer-facing side: hosted checkout, OTP and result pages (HTML, with their
 * own error page), the Card View (library, frame, JSON submit) and `POST /v2/DirectPayment`
 * (authenticated). Added to `routeModules` in src/modules.ts.
 */
export async function registerCheckoutPages(app: FastifyInstance, deps: Deps): Promise<void> {
  const security = await loadPageSecurity(deps.store)
  const context: PageContext = { deps, links: createPageLinks(deps, security) }

  await app.register(async (pages) => {
    await pages.register(formbody, { bodyLimit: FORM_BODY_LIMIT })
    // A customer never sees JSON or a stack trace: unexpected errors become the error page.
    pages.setErrorHandler((thrown, request, reply) => {
      const error = coerceError(thrown)
      const status = thrown instanceof AppError ? ERROR_STATUS[thrown.code] : (thrown as { statusCode?: number }).statusCode
      const clientError = status !== undefined && status >= 400 && status < 500
      if (!clientError) request.log.error({ err: error }, 'checkout page failed')
      const segment = /^\/([^/]+)\//.exec(request.url)?.[1] ?? ''
      return sendMessagePage(context, request, reply, parseLanguageSegment(segment) ?? 'EN', {
        title: 'errorTitle',
        body: 'errorBody',
        status: clientError ? status : 500,
      })
    })
    pages.get(PAGE_STYLESHEET, { schema: { hide: true } }, async (_request, reply) =>
      reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=300').header('x-content-type-options', 'nosniff').send(CHECKOUT_CSS),
    )
    registerCheckoutRoutes(pages, context, security)
    registerInvoicePageRoutes(pages, context)
    registerOtpRoutes(pages, context, security)
    registerCardViewPageRoutes(pages, deps)
  })
  await app.register(async (cardView) => registerCardViewSubmitRoute(cardView, deps))
  await withMerchantAuth(app, deps, (v2) => registerDirectPaymentRoute(v2, deps, context.links))
}
