import type { Config } from '../config.js'
import { buildApp } from '../http/build-app.js'
import { openRuntime, withBackgroundPool } from '../app/runtime.js'
import { ensureDemoMerchant } from '../services/create-merchant.js'
import { findMerchantByApiKey } from '../store/merchant.repository.js'
import { routeModules, workerModules } from '../app/modules.js'

/** The server could not start where it was told to (port taken, address not ours): exit code 2, one line. */
export class StartupError extends Error {
  override readonly name = 'StartupError'
}

/**
 * `dawri serve`: migrates, seeds the demo merchant on an empty database, then binds its port
 * BEFORE any worker starts, so a server that cannot listen stops at once instead of running
 * billing and webhook workers without an HTTP server; signal handlers come next, then workers.
 * The worker role listens too, for /health, /ready and /metrics only.
 */
export async function serve(config: Config): Promise<void> {
  const runtime = await openRuntime(config)
  // Serving and billing in one process: billing and deliveries on a pool of their own (PostgreSQL).
  const deps = config.role === 'all' ? withBackgroundPool(runtime) : runtime
  const demo = await ensureDemoMerchant(deps.store, config.demoApiKey, deps.clock.now())
  const stoppers: Array<() => Promise<void>> = []

  const runsWorkers = config.role === 'all' || config.role === 'worker'
  // A worker serves only what operators probe; its /ready waits for the billing heartbeat.
  const app =
    config.role === 'worker'
      ? await buildApp(deps, { operationsOnly: true, billingHeartbeat: true })
      : await buildApp(deps, { extraRoutes: routeModules, billingHeartbeat: runsWorkers })
  // Fastify logs "Server listening at …" as a JSON line; the banner below says it in words.
  const level = app.log.level
  if (['trace', 'debug', 'info'].includes(level)) app.log.level = 'warn'
  try {
    await app.listen({ port: config.port, host: config.host })
  } catch (error) {
    await app.close().catch(() => undefined)
    await deps.store.close()
    const code = (error as NodeJS.ErrnoException).code ?? 'error'
    const reason = code === 'EADDRINUSE' ? 'the port is in use' : code === 'EADDRNOTAVAIL' ? 'the address is not on this machine' : code === 'EACCES' ? 'permission denied' : code
    throw new StartupError(`cannot listen on ${config.host}:${config.port}: ${reason} (set PORT/--port or HOST/--host)`)
  }
  app.log.level = level
  stoppers.push(() => app.close())

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    deps.logger.info({ signal }, 'stopping')
    for (const stopper of stoppers.reverse()) await stopper().catch(() => undefined)
    await deps.store.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))

  if (runsWorkers) {
    for (const start of workerModules) stoppers.push(await start(deps.background ?? deps))
  }

  const lines = [
    `dawri ${config.mode} (${config.role}) on ${config.databaseUrl.replace(/\/\/[^@/]*@/, '//***@')}`,
    config.role === 'worker'
      ? `Worker running; /health, /ready and /metrics on http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`
      : `Base URL:       ${config.publicUrl}`,
  ]
  if (demo) {
    lines.push(
      'Demo merchant created (country KWT, recurring enabled):',
      `  API key:        ${demo.apiKey}`,
      `  Webhook secret: ${demo.merchant.webhookSecret}`,
    )
  } else if (config.role !== 'worker') {
    // Keys are stored hashed, so a key shown once cannot be shown again: say how to get one.
    const configured = config.demoApiKey !== undefined && (await findMerchantByApiKey(deps.store.db, config.demoApiKey)) !== undefined
    lines.push(
      configured
        ? `API key:        ${config.demoApiKey} (DAWRI_DEMO_API_KEY)`
        : 'API keys:       shown once when created; make another with `node bin/dawri.js merchant create --name NAME`',
    )
  }
  if (config.role !== 'worker') lines.push(`API docs:       ${config.publicUrl}/swagger`)
  process.stdout.write(`${lines.join('\n')}\n`)
}
