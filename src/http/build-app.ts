import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { createServer } from 'node:http'

import Fastify, { LogController, type FastifyInstance } from 'fastify'

import type { Deps } from '../deps.js'
import { makeAuthHook } from './api/auth.js'
import { installErrorHandler } from './api/error-handler.js'
import { installIdempotencyRecorder, makeIdempotencyHook } from './api/idempotency.js'
import { registerPaymentRoutes } from './api/routes.js'
import { loggerOptions } from './logger.js'
import { installRequestTelemetry, registerOperationsRoutes, requestIdOf } from './observability.js'
import { registerLandingPage } from './pages/landing.js'
import { parseQueryString, pathHoldsNul } from './query-string.js'
import { installRateLimits } from './rate-limit.js'

/** Largest accepted request body: 1 MiB, then 413. */
export const BODY_LIMIT = 1024 * 1024

/** Options for {@link buildApp}. */
export interface BuildAppOptions {
  /**
   * Routes of feature modules (pages, recurring, webhooks, sandbox), registered at the root;
   * API routes wrap themselves in {@link withMerchantAuth}.
   */
  readonly extraRoutes?: ReadonlyArray<(app: FastifyInstance, deps: Deps) => void | Promise<void>>
  /** Serve /openapi.json and /swagger. Default is true. */
  readonly documentation?: boolean
  /** Serve only /health, /ready and /metrics (the worker role). Default is false. */
  readonly operationsOnly?: boolean
  /** This process runs the billing loop, so /ready waits for its heartbeat. Default is false. */
  readonly billingHeartbeat?: boolean
}

/** Builds the HTTP application; it does not listen (the caller decides where). */
export async function buildApp(deps: Deps, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: BODY_LIMIT,
    // Fastify's two lines per request are replaced by one compact line (observability.ts).
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdOf,
    // Some clients post to /v2/getPaymentStatus.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, querystringParser: parseQueryString },
    // Forwarded headers count only from the proxies the operator named (DAWRI_TRUST_PROXY).
    trustProxy: deps.config.trustProxy.length > 0 ? deps.config.trustProxy.join(',') : false,
    // A client that stalls inside its headers or body is cut off, so sockets cannot pile up.
    serverFactory: (handler) => {
      const server = createServer(
        {
          requestTimeout: deps.config.requestTimeoutMs,
          headersTimeout: deps.config.headersTimeoutMs,
          keepAliveTimeout: deps.config.keepAliveTimeoutMs,
          // Node checks the two timeouts above on this interval (30 s by default).
          connectionsCheckingInterval: Math.min(1000, deps.config.headersTimeoutMs),
        },
        handler,
      )
      return server
    },
  })

  installErrorHandler(app)
  // One rule for every route on both databases, as for query values: a NUL in the path matches nothing.
  app.addHook('onRequest', (request, reply, done) => {
    if (pathHoldsNul(request.url)) reply.callNotFound()
    else done()
  })
  installRequestTelemetry(app, deps)
  installRateLimits(app, deps)
  registerOperationsRoutes(app, deps, { billingHeartbeat: options.billingHeartbeat ?? false })
  if (options.operationsOnly === true) return app
  installJsonParsing(app)
  installIdempotencyRecorder(app, deps)
  app.decorateRequest('merchant', null)

  // Bodies are bound by domain code (case-insensitive names, numeric strings); the schemas only
  // document the API, so they neither validate requests nor shape responses.
  app.setValidatorCompiler(() => () => true)
  app.setSerializerCompiler(() => (data) => JSON.stringify(data))

  if (options.documentation !== false) {
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'dawri — MyFatoorah v2 compatible API',
          version: '0.1.0',
          description: 'Recurring payments with MyFatoorah v2 wire compatibility. Amounts are decimals in the invoice currency.',
        },
        components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
      },
    })
    await app.register(swaggerUi, { routePrefix: '/swagger' })
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  }

  registerLandingPage(app, deps, { documentation: options.documentation !== false })

  await withMerchantAuth(app, deps, (v2) => registerPaymentRoutes(v2, deps))
  for (const register of options.extraRoutes ?? []) await register(app, deps)

  return app
}

/** Registers routes in a scope that requires a merchant's Bearer key and honours Idempotency-Key. */
export async function withMerchantAuth(
  app: FastifyInstance,
  deps: Deps,
  register: (scope: FastifyInstance) => void | Promise<void>,
): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('preHandler', makeAuthHook(deps))
    scope.addHook('preHandler', makeIdempotencyHook(deps))
    await register(scope)
  })
}

/**
 * MyFatoorah clients send empty bodies and the literal `null` with a JSON content type, and
 * some send JSON as text/plain (reference §11); all of them must parse.
 */
function installJsonParsing(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain'])
  const parse = (request: { rawBody: string | undefined }, body: string): unknown => {
    request.rawBody = body
    // Only a body that starts with white space can be blank: most bodies skip the copy trim makes.
    if (body.length === 0 || (body.charCodeAt(0) <= 0x20 && body.trim() === '')) return undefined
    return JSON.parse(body)
  }
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string' }, (request, body, done) => {
    try {
      done(null, parse(request, body as string))
    } catch {
      // A client error on every route, pages included; the message never quotes the body.
      done(Object.assign(new SyntaxError('The request body is not valid JSON'), { statusCode: 400 }), undefined)
    }
  })
}
