import { existsSync } from 'node:fs'
import { join } from 'node:path'

import { ConfigError, loadConfig, type Config } from '../config.js'
import { createCardVault, loadVaultKey, VAULT_KEY_FILE } from '../processor/card-vault.js'
import { createStore, type Store } from '../store/create-database.js'
import { explainDatabaseError } from '../store/database-errors.js'
import { pendingMigrations } from '../store/migrate.js'
import { findNewestCardCiphertext } from '../store/operator-lookup.repository.js'
import { DATABASE_FLAG, parseFlags } from './args.js'
import { printJson, printLines } from './output.js'

/** One line of the report. */
interface Check {
  readonly name: string
  readonly status: 'ok' | 'FAIL' | 'skip'
  readonly detail: string
}

const hidePassword = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@')

/** The SQLite file a URL names, or undefined for PostgreSQL and in-memory databases. */
function sqliteFile(url: string): string | undefined {
  if (!url.startsWith('sqlite:')) return undefined
  const path = url.slice('sqlite:'.length)
  return path === ':memory:' ? undefined : path
}

/** The checks of the database, and the store when it answered with at least the core tables. */
async function checkDatabase(config: Config): Promise<{ checks: Check[]; store: Store | undefined }> {
  const file = sqliteFile(config.databaseUrl)
  if (file !== undefined && !existsSync(file)) {
    return {
      store: undefined,
      checks: [
        { name: 'database', status: 'FAIL', detail: `${file} does not exist yet: \`dawri migrate\` (or \`dawri serve\`) creates it` },
        { name: 'migrations', status: 'skip', detail: 'no database' },
      ],
    }
  }
  let store: Store
  try {
    store = createStore({ url: config.databaseUrl, poolSize: 1 })
  } catch (error) {
    return { store: undefined, checks: [failed('database', error, config), { name: 'migrations', status: 'skip', detail: 'no database' }] }
  }
  try {
    const pending = await pendingMigrations(store)
    // Before the first migration there are no tables to read cards from.
    const hasTables = !pending.some((name) => name.startsWith('0001-'))
    if (!hasTables) await store.close()
    return {
      store: hasTables ? store : undefined,
      checks: [
        { name: 'database', status: 'ok', detail: `${store.adapter.dialect} at ${hidePassword(config.databaseUrl)} answers` },
        pending.length === 0
          ? { name: 'migrations', status: 'ok', detail: 'the schema is current' }
          : { name: 'migrations', status: 'FAIL', detail: `${pending.length} not applied (${pending.join(', ')}): run \`dawri migrate\`` },
      ],
    }
  } catch (error) {
    await store.close().catch(() => undefined)
    return { store: undefined, checks: [failed('database', error, config), { name: 'migrations', status: 'skip', detail: 'database not reachable' }] }
  }
}

function failed(name: string, error: unknown, config: Config): Check {
  const explained = explainDatabaseError(error, config.databaseUrl)
  const message = explained instanceof Error ? explained.message : String(explained)
  return { name, status: 'FAIL', detail: message.replace(config.databaseUrl, hidePassword(config.databaseUrl)) }
}

/** The vault key is there (or will be generated), well-formed, and reads the newest stored card. */
async function checkVault(config: Config, store: Store | undefined): Promise<Check> {
  const name = 'vault key'
  const file = join(config.dataDir, VAULT_KEY_FILE)
  const source = config.vaultKey !== undefined ? 'DAWRI_VAULT_KEY' : file
  const newestCard = store ? await findNewestCardCiphertext(store.db) : undefined
  if (config.vaultKey === undefined && config.mode === 'sandbox' && !existsSync(file)) {
    return newestCard === undefined
      ? { name, status: 'ok', detail: `not set; the sandbox generates ${file} on first start` }
      : { name, status: 'FAIL', detail: `DAWRI_VAULT_KEY is not set and ${file} is missing, but cards are stored: they cannot be read` }
  }
  let key: Buffer
  try {
    // Reads only: the key is configured, or the sandbox file exists, or production refuses.
    key = loadVaultKey({ configuredKey: config.vaultKey, dataDir: config.dataDir, mode: config.mode })
  } catch (error) {
    return { name, status: 'FAIL', detail: error instanceof Error ? error.message : String(error) }
  }
  if (newestCard === undefined) return { name, status: 'ok', detail: `${source} is a valid key (no stored card to read yet)` }
  try {
    createCardVault(key).decrypt(newestCard)
    return { name, status: 'ok', detail: `${source} reads the stored cards` }
  } catch {
    return { name, status: 'FAIL', detail: `${source} cannot read the stored cards: it is not the key they were stored with` }
  }
}

/** Runs every check; a check that cannot run because an earlier one failed is skipped. */
export async function runChecks(flags: { readonly database?: string | undefined }): Promise<Check[]> {
  let config: Config
  try {
    config = loadConfig({ database: flags.database })
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    return [
      { name: 'configuration', status: 'FAIL', detail: error.message },
      ...['database', 'migrations', 'vault key'].map((name): Check => ({ name, status: 'skip', detail: 'configuration not valid' })),
    ]
  }
  const checks: Check[] = [
    { name: 'configuration', status: 'ok', detail: `${config.mode} mode, role ${config.role}, data in ${config.dataDir}` },
  ]
  const database = await checkDatabase(config)
  checks.push(...database.checks)
  try {
    checks.push(await checkVault(config, database.store))
  } finally {
    await database.store?.close()
  }
  return checks
}

export async function doctorAction(args: readonly string[]): Promise<number> {
  const { values } = parseFlags(args, { ...DATABASE_FLAG, json: { type: 'boolean', default: false } })
  const checks = await runChecks(values)
  if (values.json) printJson(checks.map((check) => ({ Check: check.name, Status: check.status, Detail: check.detail })))
  else printLines(...checks.map((check) => `${check.status.padEnd(4)}  ${`${check.name}:`.padEnd(15)} ${check.detail}`))
  return checks.some((check) => check.status === 'FAIL') ? 1 : 0
}
