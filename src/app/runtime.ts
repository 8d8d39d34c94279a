import pino from 'pino'

import type { Config } from '../config.js'
import { systemClock, type Clock } from '../domain/clock.js'
import { makePublicIdKeys } from '../domain/public-ids.js'
import { loggerOptions } from '../http/logger.js'
import { createCardVault, loadVaultKey } from '../processor/card-vault.js'
import type { CardProcessor } from '../processor/card-processor.js'
import { TestProcessor } from '../processor/test-processor.js'
import type { Deps } from '../deps.js'
import { createStore, type Store } from '../store/create-database.js'
import { ensureSetting, migrateToLatest } from '../store/migrate.js'
import { createPrometheusTelemetry } from '../telemetry/prometheus-telemetry.js'

/** Options for {@link openRuntime}. */
export interface OpenRuntimeOptions {
  readonly clock?: Clock
  /** Migrate the schema before use. Default is true. */
  readonly migrate?: boolean
}

/** Connects the database (migrating it) and assembles the dependencies every role uses. */
export async function openRuntime(config: Config, options: OpenRuntimeOptions = {}): Promise<Deps> {
  const logger = pino(loggerOptions(config.logLevel))
  const store = createStore({ url: config.databaseUrl })
  try {
    if (options.migrate !== false) await migrateToLatest(store)
    const idKey = await ensureSetting(store, 'public_id_key', () => {
      throw new Error('The database is not migrated: run `dawri migrate` first')
    })
    const vault = createCardVault(loadVaultKey({ configuredKey: config.vaultKey, dataDir: config.dataDir, mode: config.mode }))
    const processor = processorOn(store, config)
    const clock = options.clock ?? systemClock
    const telemetry = createPrometheusTelemetry({ store, clock, logger })
    return { config, store, ids: makePublicIdKeys(idKey), clock, logger, processor, vault, telemetry }
  } catch (error) {
    await store.close()
    throw error
  }
}

/** Connections of the background pool {@link withBackgroundPool} opens. */
export const BACKGROUND_POOL_SIZE = 4

/**
 * Gives a serving process's background work (billing worker, webhook dispatcher, AdvanceClock)
 * a PostgreSQL pool of its own, of `poolSize` connections beside the API's. Without it a day's
 * billing (hundreds of charges in flight, each queuing its statements on the shared pool) puts
 * every API request behind that queue: the soak measured API p99 at 544 ms during such minutes.
 * Its connections show in pg_stat_activity as `dawri-background`. Returns `deps` itself on
 * SQLite, whose one connection cannot be split. Closing the returned store closes both pools.
 */
export function withBackgroundPool(deps: Deps, poolSize = BACKGROUND_POOL_SIZE): Deps {
  if (deps.store.native.dialect !== 'postgres') return deps
  const backgroundStore = createStore({ url: deps.store.url, poolSize, applicationName: 'dawri-background' })
  const mainStore = deps.store
  const background: Deps = {
    ...deps,
    store: { ...backgroundStore, merchants: mainStore.merchants },
    processor: processorOn(backgroundStore, deps.config),
  }
  const close = async () => {
    await backgroundStore.close()
    await mainStore.close()
  }
  return { ...deps, store: { ...mainStore, close }, background }
}

/** The card processor, its ledger written through `store`. Only the test processor exists so far; a real acquirer implements CardProcessor. */
function processorOn(store: Store, config: Config): CardProcessor {
  return new TestProcessor({ db: store.db, latencyMs: config.testProcessorLatencyMs, parallelWrites: store.adapter.parallelWrites })
}
