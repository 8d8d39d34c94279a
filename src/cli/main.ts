#!/usr/bin/env node
import { parseArgs } from 'node:util'

import { ConfigError, loadConfig, parseServeFlags } from '../config.js'
import { COUNTRY_CODES, isCountryCode } from '../domain/countries.js'
import { WEBHOOK_VERSIONS } from '../domain/merchant.js'
import { checkMerchantUrl } from '../domain/urls.js'
import { createMerchant } from '../services/create-merchant.js'
import { createStore } from '../store/create-database.js'
import { migrateToLatest } from '../store/migrate.js'
import { DatabaseUnavailableError } from '../store/database-errors.js'
import { serve, StartupError } from './serve.js'

const COMMANDS = {
  serve: 'dawri serve [--port 8080] [--host 127.0.0.1] [--database URL] [--role all|api|worker]',
  migrate: 'dawri migrate [--database URL]',
  merchant:
    'dawri merchant create --name NAME [--country KWT] [--recurring] [--bypass-3ds] [--authorize-capture] [--webhook-url URL] [--webhook-version v1|v2]',
} as const

const USAGE = `Usage:
  ${COMMANDS.serve}
  ${COMMANDS.migrate}
  ${COMMANDS.merchant}
  dawri <command> --help

Settings (environment; flags win where both exist; README, "Configuration", says what each does):
  DATABASE_URL, PORT, HOST, DAWRI_ROLE, DAWRI_MODE, DAWRI_PUBLIC_URL, DAWRI_DATA_DIR,
  DAWRI_DEMO_API_KEY, DAWRI_VAULT_KEY, DAWRI_TEST_PROCESSOR_LATENCY_MS, DAWRI_CHARGE_HOUR,
  DAWRI_WEBHOOK_RETRY_HOURS, DAWRI_WEBHOOK_TIMEOUT_MS, DAWRI_POLL_INTERVAL_MS,
  DAWRI_BILLING_LEASE_MS, DAWRI_REQUEST_TIMEOUT_MS, DAWRI_HEADERS_TIMEOUT_MS,
  DAWRI_KEEP_ALIVE_TIMEOUT_MS, DAWRI_TRUST_PROXY, LOG_LEVEL`

/** What `dawri <command> --help` prints. */
const COMMAND_HELP: Readonly<Record<keyof typeof COMMANDS, string>> = {
  serve: `Usage: ${COMMANDS.serve}

Runs the HTTP API and hosted pages (role api), the billing and webhook workers (role worker),
or both (all, the default). Migrates the database first; on an empty one it creates a demo
merchant and prints its API key.`,
  migrate: `Usage: ${COMMANDS.migrate}

Brings the database schema to the latest version, then exits.`,
  merchant: `Usage: ${COMMANDS.merchant}

Creates a merchant and prints one JSON object: {"MerchantId": …, "ApiKey": "…", "WebhookSecret": "…"}.
The API key is shown once and stored only as a hash.`,
}

const wantsHelp = (args: readonly string[]) => args.includes('--help') || args.includes('-h')

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv
  if ((command === 'serve' || command === 'migrate' || command === 'merchant') && wantsHelp(rest)) {
    process.stdout.write(`${COMMAND_HELP[command]}\n\nSettings: see \`dawri --help\`.\n`)
    return 0
  }
  switch (command) {
    case 'serve':
      await serve(loadConfig(parseServeFlags(rest)))
      return -1 // keeps running
    case 'migrate': {
      const config = loadConfig(parseServeFlags(rest))
      const store = createStore({ url: config.databaseUrl })
      try {
        const { applied } = await migrateToLatest(store)
        process.stdout.write(applied.length > 0 ? `Applied: ${applied.join(', ')}\n` : 'Already up to date\n')
      } finally {
        await store.close()
      }
      return 0
    }
    case 'merchant':
      return merchantCommand(rest)
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`)
      return command === undefined ? 2 : 0
    default:
      throw new ConfigError(`Unknown command "${command}"`)
  }
}

async function merchantCommand(args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args
  if (sub !== 'create') throw new ConfigError(`Unknown merchant command "${sub ?? ''}": use merchant create`)
  let values
  try {
    values = parseArgs({
      args: [...rest],
      options: {
        name: { type: 'string' },
        country: { type: 'string', default: 'KWT' },
        recurring: { type: 'boolean', default: false },
        'bypass-3ds': { type: 'boolean', default: false },
        'authorize-capture': { type: 'boolean', default: false },
        'webhook-url': { type: 'string' },
        'webhook-version': { type: 'string', default: 'v2' },
        database: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error))
  }
  const name = values.name?.trim()
  if (!name) throw new ConfigError('--name is required')
  const country = values.country.toUpperCase()
  if (!isCountryCode(country)) throw new ConfigError(`--country must be one of ${COUNTRY_CODES.join(', ')}`)
  const version = values['webhook-version']
  if (version !== 'v1' && version !== 'v2') throw new ConfigError(`--webhook-version must be one of ${WEBHOOK_VERSIONS.join(', ')}`)
  const config = loadConfig({ database: values.database })
  const webhookUrl = values['webhook-url']
  if (webhookUrl !== undefined) {
    const problem = checkMerchantUrl('--webhook-url', webhookUrl, {
      forbidLocalhost: config.mode === 'production',
      requireHttps: config.mode === 'production',
    })
    if (problem) throw new ConfigError(problem)
  }
  const store = createStore({ url: config.databaseUrl })
  try {
    await migrateToLatest(store)
    const { merchant, apiKey } = await createMerchant(store, {
      name,
      country,
      recurringEnabled: values.recurring,
      bypass3dsEnabled: values['bypass-3ds'],
      authorizeCaptureEnabled: values['authorize-capture'],
      webhookUrl: webhookUrl ?? null,
      webhookVersion: version,
      now: Date.now(),
    })
    process.stdout.write(`${JSON.stringify({ MerchantId: merchant.id, ApiKey: apiKey, WebhookSecret: merchant.webhookSecret })}\n`)
  } finally {
    await store.close()
  }
  return 0
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`dawri: ${error.message}\n\n${USAGE}\n`)
      process.exitCode = 2
    } else if (error instanceof StartupError || error instanceof DatabaseUnavailableError) {
      process.stderr.write(`dawri: ${error.message}\n`)
      process.exitCode = 2
    } else {
      process.stderr.write(`dawri: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
      process.exitCode = 1
    }
  },
)
