import type { Deps } from '../deps.js'
import { AppError } from '../domain/errors.js'
import type { Merchant } from '../domain/merchant.js'
import { getWebhooks, WEBHOOK_LOG_STATUSES, WEBHOOK_PAGE_SIZE, type WebhookLogItem, type WebhookLogStatus } from '../services/get-webhooks.js'
import { resendWebhook } from '../services/resend-webhook.js'
import { listMerchants } from '../store/merchant.repository.js'
import { findWebhookEventOwners } from '../store/operator-lookup.repository.js'
import { parseWebhookReference } from '../webhooks/outbox.js'
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, OUTPUT_FLAGS, parseFlags, readCount, readId, UsageError } from './args.js'
import { printJson, printLines, printTable } from './output.js'
import { CommandFailure, commandConfig, requireMerchant, service, withDeps } from './session.js'


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

export async function listWebhooksAction(args: readonly string[]): Promise<number> {
  const { values } = parseFlags(args, { merchant: { type: 'string' }, status: { type: 'string' }, limit: { type: 'string' }, ...OUTPUT_FLAGS })
  const merchantId = values.merchant === undefined ? undefined : readId('--merchant', values.merchant)
  const status = readStatus(values.status)
  const limit = readCount('--limit', values.limit, DEFAULT_LIST_LIMIT, 1, MAX_LIST_LIMIT)
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
}

export async function resendWebhookAction(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, { merchant: { type: 'string' }, ...OUTPUT_FLAGS }, { min: 1, max: 1, names: 'REFERENCE' })
  const reference = positionals[0] ?? ''
  const referenceNumber = parseWebhookReference(reference)
  if (referenceNumber === undefined) throw new UsageError(`REFERENCE must be a webhook reference such as WH-42, got "${reference}"`)
  const merchantId = values.merchant === undefined ? undefined : readId('--merchant', values.merchant)
  return withDeps(commandConfig(values), async (deps) => {
    const merchant = await requireMerchant(deps, merchantId ?? (await soleOwner(deps, referenceNumber, reference)))
    const item = await service(async () => {
      try {
        return await resendWebhook(deps, merchant, { Reference: reference })
      } catch (error) {
        if (error instanceof AppError && error.code === 'NOT_FOUND') throw new CommandFailure(`No webhook event ${reference}`)
        throw error
      }
    })
    const last = item.Attempts[item.Attempts.length - 1]
    const delivered = last !== undefined && last.Status !== null && last.Status >= 200 && last.Status < 300
    if (values.json) printJson({ MerchantId: merchant.id, ...item })
    else printLines(`${item.WebhookReference} ${delivered ? 'delivered' : 'not delivered'} to ${item.EndPoint ?? '-'}: ${lastOutcome(item) ?? 'no attempt'}; status ${item.Status}.`)
    return delivered ? 0 : 1
  })
}

/** Most owners of one reference named in the error asking for --merchant. */
const OWNERS_NAMED = 10

/**
 * The merchant whose event `WH-<n>` is, when --merchant is not given: references count each
 * merchant's own events, so one names an event of every merchant that has n events or more.
 * Several owners is a usage error asking for --merchant; none, a failure.
 */
async function soleOwner(deps: Deps, referenceNumber: number, reference: string): Promise<number> {
  const owners = await findWebhookEventOwners(deps.store.db, referenceNumber, OWNERS_NAMED + 1)
  const [owner] = owners
  if (owner === undefined) throw new CommandFailure(`No webhook event ${reference}`)
  if (owners.length === 1) return owner
  const named = owners.length > OWNERS_NAMED ? `${owners.slice(0, OWNERS_NAMED).join(', ')}…` : owners.join(', ')
  throw new UsageError(`${reference} names an event of several merchants (${named}): say whose with --merchant ID`)
}
