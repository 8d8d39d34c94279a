import type { Mode } from '../config.js'
import { COUNTRY_CODES, isCountryCode } from '../domain/countries.js'
import { formatLocalIso } from '../domain/local-time.js'
import { merchantNow, WEBHOOK_VERSIONS, type Merchant, type WebhookVersion } from '../domain/merchant.js'
import { checkMerchantUrl } from '../domain/urls.js'
import { createMerchant } from '../services/create-merchant.js'
import { changeMerchantSettings } from '../services/update-merchant-settings.js'
import { listApiKeys, listMerchants, type MerchantSettingsChange } from '../store/merchant.repository.js'
import { createStore } from '../store/create-database.js'
import { migrateToLatest } from '../store/migrate.js'
import { DATABASE_FLAG, OUTPUT_FLAGS, parseFlags, readId, readSwitch, UsageError } from './args.js'
import { printFields, printJson, printLines, printTable } from './output.js'
import { CommandFailure, commandConfig, requireMerchant, service, withDeps } from './session.js'

/** A merchant as `--json` prints it (PascalCase, as the API names things). */
export function merchantJson(merchant: Merchant, now: number) {
  return {
    MerchantId: merchant.id,
    Name: merchant.name,
    Country: merchant.country,
    Currency: merchant.currency,
    RecurringEnabled: merchant.recurringEnabled,
    Bypass3DS: merchant.bypass3dsEnabled,
    AuthorizeCapture: merchant.authorizeCaptureEnabled,
    WebhookUrl: merchant.webhookUrl,
    WebhookVersion: merchant.webhookVersion,
    /** The merchant's sandbox clock, local time of its country. */
    Clock: formatLocalIso(merchantNow(now, merchant), merchant.timeZone),
    ClockOffsetDays: Math.floor(merchant.clockOffsetMs / 86_400_000),
  }
}

function readWebhookVersion(raw: string | undefined): WebhookVersion | undefined {
  if (raw === undefined) return undefined
  if (raw !== 'v1' && raw !== 'v2') throw new UsageError(`--webhook-version must be one of ${WEBHOOK_VERSIONS.join(', ')}, got "${raw}"`)
  return raw
}

/** A webhook URL follows the API's rules for merchants' URLs: https and not this machine in production. */
function checkWebhookUrl(url: string, mode: Mode): void {
  const problem = checkMerchantUrl('--webhook-url', url, { forbidLocalhost: mode === 'production', requireHttps: mode === 'production' })
  if (problem) throw new UsageError(problem)
}

export async function createMerchantAction(args: readonly string[]): Promise<number> {
  const { values } = parseFlags(args, {
    name: { type: 'string' },
    country: { type: 'string', default: 'KWT' },
    recurring: { type: 'boolean', default: false },
    'bypass-3ds': { type: 'boolean', default: false },
    'authorize-capture': { type: 'boolean', default: false },
    'webhook-url': { type: 'string' },
    'webhook-version': { type: 'string', default: 'v2' },
    ...DATABASE_FLAG,
  })
  const name = values.name?.trim()
  if (!name) throw new UsageError('--name is required')
  const country = values.country.toUpperCase()
  if (!isCountryCode(country)) throw new UsageError(`--country must be one of ${COUNTRY_CODES.join(', ')}`)
  const version = readWebhookVersion(values['webhook-version']) ?? 'v2'
  const config = commandConfig(values)
  const webhookUrl = values['webhook-url']
  if (webhookUrl !== undefined) checkWebhookUrl(webhookUrl, config.mode)
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

export async function listMerchantsAction(args: readonly string[]): Promise<number> {
  const { values } = parseFlags(args, OUTPUT_FLAGS)
  return withDeps(commandConfig(values), async (deps) => {
    const merchants = await listMerchants(deps.store.db)
    const now = deps.clock.now()
    if (values.json) printJson(merchants.map((merchant) => merchantJson(merchant, now)))
    else {
      printTable(
        ['ID', 'NAME', 'COUNTRY', 'RECURRING', 'BYPASS3DS', 'AUTH/CAPTURE', 'WEBHOOK'],
        merchants.map((m) => [m.id, m.name, m.country, m.recurringEnabled, m.bypass3dsEnabled, m.authorizeCaptureEnabled, m.webhookUrl ? `${m.webhookVersion} ${m.webhookUrl}` : null]),
        'No merchants yet: `dawri merchant create --name NAME` makes one (`dawri serve` makes a demo merchant on an empty database).',
      )
    }
    return 0
  })
}

export async function showMerchantAction(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, OUTPUT_FLAGS, { min: 1, max: 1, names: 'ID' })
  const id = readId('ID', positionals[0])
  return withDeps(commandConfig(values), async (deps) => {
    const merchant = await requireMerchant(deps, id)
    const keys = await listApiKeys(deps.store.db, merchant.id)
    const view = {
      ...merchantJson(merchant, deps.clock.now()),
      WebhookSecret: merchant.webhookSecret,
      ApiKeys: keys.map((key) => ({
        Prefix: key.key_prefix,
        CreatedDate: formatLocalIso(key.created_at, merchant.timeZone),
        RevokedDate: key.revoked_at === null ? null : formatLocalIso(key.revoked_at, merchant.timeZone),
      })),
    }
    if (values.json) {
      printJson(view)
      return 0
    }
    printFields([
      ['Merchant', `${view.MerchantId} ${view.Name}`],
      ['Country', `${view.Country} (${view.Currency})`],
      ['Recurring', view.RecurringEnabled],
      ['Bypass3DS', view.Bypass3DS],
      ['Authorize/capture', view.AuthorizeCapture],
      ['Webhook URL', view.WebhookUrl],
      ['Webhook version', view.WebhookVersion],
      ['Webhook secret', view.WebhookSecret],
      ['Sandbox clock', `${view.Clock} (+${view.ClockOffsetDays} days)`],
    ])
    printLines('', 'API keys:')
    printTable(['PREFIX', 'CREATED', 'REVOKED'], view.ApiKeys.map((key) => [`${key.Prefix}…`, key.CreatedDate, key.RevokedDate]))
    return 0
  })
}

export async function updateMerchantAction(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      'webhook-url': { type: 'string' },
      'no-webhook-url': { type: 'boolean' },
      'webhook-version': { type: 'string' },
      recurring: { type: 'boolean' },
      'no-recurring': { type: 'boolean' },
      'bypass-3ds': { type: 'boolean' },
      'no-bypass-3ds': { type: 'boolean' },
      'authorize-capture': { type: 'boolean' },
      'no-authorize-capture': { type: 'boolean' },
      ...OUTPUT_FLAGS,
    },
    { min: 1, max: 1, names: 'ID' },
  )
  const id = readId('ID', positionals[0])
  if (values['webhook-url'] !== undefined && values['no-webhook-url']) throw new UsageError('Give --webhook-url or --no-webhook-url, not both')
  const webhookVersion = readWebhookVersion(values['webhook-version'])
  const recurringEnabled = readSwitch('recurring', values.recurring, values['no-recurring'])
  const bypass3dsEnabled = readSwitch('bypass-3ds', values['bypass-3ds'], values['no-bypass-3ds'])
  const authorizeCaptureEnabled = readSwitch('authorize-capture', values['authorize-capture'], values['no-authorize-capture'])
  const change: MerchantSettingsChange = {
    ...(values['no-webhook-url'] ? { webhookUrl: null } : values['webhook-url'] === undefined ? {} : { webhookUrl: values['webhook-url'] }),
    ...(webhookVersion === undefined ? {} : { webhookVersion }),
    ...(recurringEnabled === undefined ? {} : { recurringEnabled }),
    ...(bypass3dsEnabled === undefined ? {} : { bypass3dsEnabled }),
    ...(authorizeCaptureEnabled === undefined ? {} : { authorizeCaptureEnabled }),
  }
  if (Object.keys(change).length === 0) throw new UsageError('Nothing to change: give at least one setting flag (see `dawri merchant update --help`)')
  const config = commandConfig(values)
  if (typeof change.webhookUrl === 'string') checkWebhookUrl(change.webhookUrl, config.mode)
  return withDeps(config, async (deps) => {
    const merchant = await service(() => changeMerchantSettings(deps.store, config.mode, id, change))
    if (!merchant) throw new CommandFailure(`No merchant has id ${id} (see \`dawri merchant list\`)`)
    if (values.json) printJson(merchantJson(merchant, deps.clock.now()))
    else {
      printLines(`Merchant ${merchant.id} updated:`)
      printFields([
        ['Recurring', merchant.recurringEnabled],
        ['Bypass3DS', merchant.bypass3dsEnabled],
        ['Authorize/capture', merchant.authorizeCaptureEnabled],
        ['Webhook URL', merchant.webhookUrl],
        ['Webhook version', merchant.webhookVersion],
      ])
    }
    return 0
  })
}
