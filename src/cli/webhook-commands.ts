import type { Merchant } from '../domain/merchant.js'
import { getWebhooks, WEBHOOK_LOG_STATUSES, WEBHOOK_PAGE_SIZE, type WebhookLogItem, type WebhookLogStatus } from '../services/get-webhooks.js'
import { resendWebhook } from '../services/resend-webhook.js'
import { listMerchants } from '../store/merchant.repository.js'
import { findWebhookEventOwner } from '../store/operator-lookup.repository.js'
import { parseWebhookReference } from '../webhooks/outbox.js'
import { OUTPUT_FLAGS, parseFlags, readCount, readId, UsageError } from './args.js'
import type { Command } from './command.js'
import { printJson, printLines, printTable } from './output.js'
import { CommandFailure, commandConfig, requireMerchant, service, withDeps } from './session.js'

const DEFAULT_LIMIT = 100
const MAX_LIMIT = 1_000_000

function readStatus(raw: string | undefined): WebhookLogStatus | undefined {
  if (raw === undefined) return undefined
  const status = WEBHOOK_LOG_STATUSES.find((name) => name.toLowerCase() === raw.toLowerCase())
  if (!status) throw new UsageError(`--status must be one of ${WEBHOOK_LOG_STATUSES.join(', ')}, got "${raw}"`)
  return status
}

/** The last attempt's HTTP status or error, for the table. */
function lastOutcome(item: WebhookLogItem): string | null {
  const last = item.Attempts[item.Attempts.length - 1]
  if (!last) return null
  return last.Status !== null ? String(last.Status) : (last.ResponseMessage ?? 'error')
}

const list: Command = {
  name: 'webhooks list',
  usage: `dawri webhooks list [--merchant ID] [--status ${WEBHOOK_LOG_STATUSES.join('|')}] [--limit ${DEFAULT_LIMIT}] [--json] [--database URL]`,
  summary: 'Lists webhook events, oldest first, with their delivery status, of one merchant or of all.',
  details:
    'Statuses: Waiting (not attempted yet), Running (retries continue), Succeeded, Failed (retries over),\n' +
    `Skipped (no webhook URL when it happened). At most --limit rows (default ${DEFAULT_LIMIT}).\n` +
    "With --json: GetWebhooks' items (body, signature and attempts), each with its MerchantId.",
  examples: ['dawri webhooks list --merchant 1', 'dawri webhooks list --status Failed', 'dawri webhooks list --json | jq ".[].WebhookReference"'],
  async run(args) {
    const { values } = parseFlags(args, { merchant: { type: 'string' }, status: { type: 'string' }, limit: { type: 'string' }, ...OUTPUT_FLAGS })
    const merchantId = values.merchant === undefined ? undefined : readId('--merchant', values.merchant)
    const status = readStatus(values.status)
    const limit = readCount('--limit', values.limit, DEFAULT_LIMIT, 1, MAX_LIMIT)
    return withDeps(commandConfig(values), async (deps) => {
      const merchants = merchantId === undefined ? await listMerchants(deps.store.db) : [await requireMerchant(deps, merchantId)]
      const found: Array<{ merchant: Merchant; item: WebhookLogItem }> = []
      let more = false
      for (const merchant of merchants) {
        for (let page = 1; !more; page++) {
          const { Items, Pagination } = await getWebhooks(deps, merchant, { Page: page, PageSize: WEBHOOK_PAGE_SIZE, ...(status === undefined ? {} : { Status: status }) })
          for (const item of Items) {
            if (found.length === limit) more = true
            else found.push({ merchant, item })
          }
          if (page >= Pagination.PagesCount) break
        }
        if (more) break
      }
      if (values.json) printJson(found.map(({ merchant, item }) => ({ MerchantId: merchant.id, ...item })))
      else {
        printTable(
          ['MERCHANT', 'REFERENCE', 'EVENT', 'ABOUT', 'STATUS', 'ATTEMPTS', 'LAST', 'CREATED'],
          found.map(({ merchant, item }) => [merchant.id, item.WebhookReference, item.EventName, item.EventEntityId, item.Status, item.Attempts.length, lastOutcome(item), item.CreationDate]),
          'No webhook events match.',
        )
      }
      if (more) process.stderr.write(`dawri: showing the first ${limit}; --limit shows more\n`)
      return 0
    })
  },
}

const resend: Command = {
  name: 'webhooks resend',
  usage: 'dawri webhooks resend REFERENCE [--merchant ID] [--json] [--database URL]',
  summary: "Delivers one webhook event again now, with the same body and reference, to the merchant's URL.",
  details:
    'Exit code 0 when the merchant answered 2xx, 1 when this delivery failed too (its status and any retry\n' +
    'stay as ResendWebhook leaves them). With --json: the event as GetWebhooks lists it.',
  examples: ['dawri webhooks resend WH-42', 'dawri webhooks resend WH-42 --json'],
  async run(args) {
    const { values, positionals } = parseFlags(args, { merchant: { type: 'string' }, ...OUTPUT_FLAGS }, { min: 1, max: 1, names: 'REFERENCE' })
    const reference = positionals[0] ?? ''
    const eventId = parseWebhookReference(reference)
    if (eventId === undefined) throw new UsageError(`REFERENCE must be a webhook reference such as WH-42, got "${reference}"`)
    const merchantId = values.merchant === undefined ? undefined : readId('--merchant', values.merchant)
    return withDeps(commandConfig(values), async (deps) => {
      const owner = await findWebhookEventOwner(deps.store.db, eventId)
      if (owner === undefined || (merchantId !== undefined && owner !== merchantId)) throw new CommandFailure(`No webhook event ${reference}`)
      const merchant = await requireMerchant(deps, owner)
      const item = await service(() => resendWebhook(deps, merchant, { Reference: reference }))
      const last = item.Attempts[item.Attempts.length - 1]
      const delivered = last !== undefined && last.Status !== null && last.Status >= 200 && last.Status < 300
      if (values.json) printJson({ MerchantId: merchant.id, ...item })
      else printLines(`${item.WebhookReference} ${delivered ? 'delivered' : 'not delivered'} to ${item.EndPoint ?? '-'}: ${lastOutcome(item) ?? 'no attempt'}; status ${item.Status}.`)
      return delivered ? 0 : 1
    })
  },
}

/** `dawri webhooks …` */
export const WEBHOOK_COMMANDS: readonly Command[] = [list, resend]
