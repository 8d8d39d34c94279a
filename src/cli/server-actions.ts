import { ConfigError, loadConfig, parseServeFlags } from '../config.js'
import { createStore } from '../store/create-database.js'
import { migrateToLatest } from '../store/migrate.js'
import { DATABASE_FLAG, parseFlags } from './args.js'
import { printLines, withProgress } from './output.js'
import { serve, StartupError } from './serve.js'

export async function serveAction(args: readonly string[]): Promise<number> {
  try {
    await serve(loadConfig(parseServeFlags(args)))
  } catch (error) {
    // A port that cannot be bound is a setting to change (PORT, HOST): exit code 2, one line.
    if (error instanceof StartupError) throw new ConfigError(error.message)
    throw error
  }
  return -1 // keeps running
}

export async function migrateAction(args: readonly string[]): Promise<number> {
  const { values } = parseFlags(args, DATABASE_FLAG)
  const config = loadConfig({ database: values.database })
  const store = createStore({ url: config.databaseUrl })
  try {
    const { applied } = await withProgress('Migrating the database…', () => migrateToLatest(store))
    printLines(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Already up to date')
  } finally {
    await store.close()
  }
  return 0
}
