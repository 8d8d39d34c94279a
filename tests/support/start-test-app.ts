import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import type { FastifyInstance } from 'fastify'
import pino from 'pino'

import { loadConfig, type Config } from '../../src/config.js'
import type { Clock } from '../../src/domain/clock.js'
import type { CountryCode } from '../../src/domain/countries.js'
import { makePublicIdKeys } from '../../src/domain/public-ids.js'
import { buildApp } from '../../src/http/build-app.js'
import { loggerOptions } from '../../src/http/logger.js'
import { routeModules } from '../../src/app/modules.js'
import { withBackgroundPool } from '../../src/app/runtime.js'
import { createCardVault } from '../../src/processor/card-vault.js'
import { TestProcessor } from '../../src/processor/test-processor.js'
import type { Deps } from '../../src/deps.js'
import { createMerchant, type CreatedMerchant } from '../../src/services/create-merchant.js'
import type { DialectName } from '../../src/store/adapter.js'
import { ensureSetting } from '../../src/store/migrate.js'
import { createPrometheusTelemetry } from '../../src/telemetry/prometheus-telemetry.js'
import { createTestDatabase, type TestDatabase } from './test-database.js'

/** A running dawri on loopback with its own fresh database. */
export interface TestApp {
  /** `http://127.0.0.1:<port>` — also the public URL the server hands out. */
  readonly baseUrl: string
  readonly deps: Deps
  readonly app: FastifyInstance
  readonly database: TestDatabase
  /** Creates a merchant; recurring enabled unless said otherwise. */
  createMerchant(options?: { name?: string; country?: CountryCode; recurring?: boolean; bypass3ds?: boolean; authorizeCapture?: boolean; webhookUrl?: string; webhookVersion?: 'v1' | 'v2' }): Promise<CreatedMerchant>
  /** Calls the API as a client would: JSON body, Bearer key; returns status and parsed body. */
  call(method: string, path: string, apiKey: string | null, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>
  close(): Promise<void>
}

/** Options for {@link startTestApp}. */
export interface StartTestAppOptions {
  readonly env?: Record<string, string>
  readonly clock?: Clock
  /** Background work on a pool of its own, as `serve --role all` assembles it (app/runtime.ts withBackgroundPool). */
  readonly backgroundPool?: boolean
}

/** Starts the real HTTP app on 127.0.0.1 with a fresh database of the dialect. */
export async function startTestApp(dialect: DialectName, options: StartTestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase(dialect)
  const dataDir = mkdtempSync(join(tmpdir(), 'dawri-data-'))
  // Port 0 picks a free port; the public URL is fixed up once it is known.
  let config: Config = loadConfig({}, {
    DATABASE_URL: database.url,
    DAWRI_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    PORT: '0',
    ...options.env,
  })
  const idKey = await ensureSetting(database.store, 'public_id_key', () => 'unused')
  const logger = pino(loggerOptions(config.logLevel))
  const clock = options.clock ?? { now: () => Date.now() }
  const mutableDeps = {
    config,
    store: database.store,
    ids: makePublicIdKeys(idKey),
    clock,
    logger,
    telemetry: createPrometheusTelemetry({ store: database.store, clock, logger }),
    processor: new TestProcessor({
      db: database.store.db,
      latencyMs: config.testProcessorLatencyMs,
      parallelWrites: database.store.adapter.parallelWrites,
    }),
    vault: createCardVault(Buffer.alloc(32, 7)),
    background: undefined as Deps | undefined,
  }
  const app = await buildApp(mutableDeps, { extraRoutes: routeModules })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  const baseUrl = `http://127.0.0.1:${port}`
  config = Object.freeze({ ...config, port, publicUrl: options.env?.DAWRI_PUBLIC_URL ?? baseUrl })
  mutableDeps.config = config
  // After the config is final: the background deps copy it.
  const background = options.backgroundPool === true ? withBackgroundPool(mutableDeps).background : undefined
  mutableDeps.background = background
  const deps: Deps = mutableDeps

  return {
    baseUrl,
    deps,
    app,
    database,
    createMerchant: (merchant = {}) =>
      createMerchant(database.store, {
        name: merchant.name ?? 'Test Merchant',
        country: merchant.country ?? 'KWT',
        recurringEnabled: merchant.recurring ?? true,
        bypass3dsEnabled: merchant.bypass3ds ?? false,
        authorizeCaptureEnabled: merchant.authorizeCapture ?? false,
        webhookUrl: merchant.webhookUrl ?? null,
        webhookVersion: merchant.webhookVersion ?? 'v2',
        now: Date.now(),
      }),
    async call(method, path, apiKey, body, headers = {}) {
      const response = await fetch(baseUrl + path, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(apiKey === null ? {} : { authorization: `Bearer ${apiKey}` }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      })
      const text = await response.text()
      let parsed: unknown = text
      try {
        parsed = JSON.parse(text)
      } catch {
        // Not JSON: tests assert on the text.
      }
      return { status: response.status, body: parsed, headers: response.headers }
    },
    async close() {
      await app.close()
      await background?.store.close()
      await database.drop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
