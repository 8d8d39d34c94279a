import formbody from '@fastify/formbody'
import type { FastifyInstance } from 'fastify'

import { AppError, coerceError } from '../../domain/errors.js'
import type { Deps } from '../../deps.js'
import { ERROR_STATUS } from '../api/error-handler.js'
import { html } from '../pages/html.js'
import { consoleText } from './console-i18n.js'
import { consoleLanguage, sendConsolePage, type ConsoleContext } from './console-context.js'
import { registerInvoiceRoutes } from './invoice-routes.js'
import { registerOverviewRoutes } from './overview-routes.js'
import { registerRecurrenceRoutes } from './recurrence-routes.js'
import { registerConsoleSandboxRoutes } from './sandbox-routes.js'
import { loadConsoleSecurity, SignInThrottle } from './session.js'
import { registerSignInRoutes } from './sign-in-routes.js'
import { CONSOLE_STYLESHEET } from './views/layout.js'
import { CONSOLE_CSS } from './views/styles.js'
import { registerConsoleWebhookRoutes } from './webhook-routes.js'

/** Largest accepted console form: a few short fields. */
const FORM_BODY_LIMIT = 16 * 1024

/**
 * The operators' console at /console (docs/console.md): server-rendered pages, no script,
 * signed in with an API key (one merchant) or DAWRI_ADMIN_TOKEN (every merchant). Every action
 * calls the same service as its API endpoint. Added to `routeModules` in app/modules.ts.
 */
export async function registerConsole(app: FastifyInstance, deps: Deps): Promise<void> {
  const context: ConsoleContext = { deps, security: await loadConsoleSecurity(deps.store), throttle: new SignInThrottle() }
  await app.register(async (consoleScope) => {
    await consoleScope.register(formbody, { bodyLimit: FORM_BODY_LIMIT })
    // Pages, not API: kept out of the OpenAPI document.
    consoleScope.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, hide: true }
    })
    // An operator sees a page, never JSON or a stack trace.
    consoleScope.setErrorHandler((thrown, request, reply) => {
      const error = coerceError(thrown)
      const status = thrown instanceof AppError ? ERROR_STATUS[thrown.code] : (thrown as { statusCode?: number }).statusCode
      const clientError = status !== undefined && status >= 400 && status < 500
      if (!clientError) request.log.error({ err: error }, 'console page failed')
      const language = consoleLanguage(request)
      return sendConsolePage(context, request, reply, undefined, {
        title: 'errorTitle',
        main: html`<div class="panel"><h1>${consoleText(language, 'errorTitle')}</h1><p>${consoleText(language, 'errorBody')}</p><p><a href="/console">${consoleText(language, 'back')}</a></p></div>`,
        status: clientError ? status : 500,
      })
    })
    consoleScope.get(CONSOLE_STYLESHEET, { schema: { hide: true } }, async (_request, reply) =>
      reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=300').header('x-content-type-options', 'nosniff').send(CONSOLE_CSS),
    )
    registerSignInRoutes(consoleScope, context)
    registerOverviewRoutes(consoleScope, context)
    registerRecurrenceRoutes(consoleScope, context)
    registerInvoiceRoutes(consoleScope, context)
    registerConsoleWebhookRoutes(consoleScope, context)
    registerConsoleSandboxRoutes(consoleScope, context)
  })
}
