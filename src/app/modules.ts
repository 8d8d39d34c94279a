import type { FastifyInstance } from 'fastify'

import { startBillingWorker } from '../billing/billing-worker.js'
import { registerAccountRoutes } from '../http/api/account-routes.js'
import { registerCaptureRoutes } from '../http/api/capture-routes.js'
import { registerRecurringRoutes } from '../http/api/recurring-routes.js'
import { registerRefundRoutes } from '../http/api/refund-routes.js'
import { registerSandboxRoutes } from '../http/api/sandbox-routes.js'
import { registerSendPaymentRoutes } from '../http/api/send-payment-routes.js'
import { registerWebhookRoutes } from '../http/api/webhook-routes.js'
import { registerCheckoutPages } from '../http/pages/register-pages.js'
import { registerConsole } from '../http/console/register-console.js'
import type { Deps } from '../deps.js'
import { startWebhookDispatcher } from '../webhooks/dispatcher.js'

/** Route registrations of feature modules, added inside the authenticated /v2 scope. */
export const routeModules: ReadonlyArray<(app: FastifyInstance, deps: Deps) => void | Promise<void>> = [
  registerRecurringRoutes,
  registerSandboxRoutes,
  registerCheckoutPages,
  registerWebhookRoutes,
  registerRefundRoutes,
  registerAccountRoutes,
  registerCaptureRoutes,
  registerSendPaymentRoutes,
  registerConsole,
]

/** Background loops (billing worker, webhook dispatcher); each returns its stop function. */
export const workerModules: ReadonlyArray<(deps: Deps) => Promise<() => Promise<void>>> = [
  (deps) => startBillingWorker(deps),
  (deps) => startWebhookDispatcher(deps),
]
