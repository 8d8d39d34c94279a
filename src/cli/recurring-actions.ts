import type { Deps } from '../deps.js'
import type { Merchant } from '../domain/merchant.js'
import { fromRecurringId } from '../domain/public-ids.js'
import { RECURRENCE_STATUSES, type RecurrenceStatus } from '../domain/recurrence.js'
import { cancelRecurringPayment } from '../services/cancel-recurring-payment.js'
import { getRecurringPayment, streamRecurringPayments, type RecurringPaymentView } from '../services/get-recurring-payment.js'
import { resumeRecurringPayment } from '../services/resume-recurring-payment.js'
import { listMerchants } from '../store/merchant.repository.js'
import { findRecurrenceOwner } from '../store/operator-lookup.repository.js'
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, OUTPUT_FLAGS, parseFlags, readCount, readId, UsageError } from './args.js'
import { printFields, printJson, printLines, printTable } from './output.js'
import { CommandFailure, commandConfig, requireMerchant, service, withDeps } from './session.js'


function readStatus(raw: string | undefined): RecurrenceStatus | undefined {
  if (raw === undefined) return undefined
  const status = RECURRENCE_STATUSES.find((name) => name.toLowerCase() === raw.toLowerCase())
  if (!status) throw new UsageError(`--status must be one of ${RECURRENCE_STATUSES.join(', ')}, got "${raw}"`)
  return status
}

function readRecurringId(raw: string | undefined): string {
  if (raw === undefined || !/^RECUR\d{1,10}$/i.test(raw.trim())) throw new UsageError(`RECURRING_ID must look like RECUR123, got "${raw ?? ''}"`)
  return raw.trim().toUpperCase()
}

/** The recurrence's merchant (checked against `--merchant` when given), or a failure saying none matches. */
async function ownerOf(deps: Deps, recurringId: string, merchantId: number | undefined): Promise<Merchant> {
  const id = fromRecurringId(recurringId, deps.ids)
  const owner = id === undefined ? undefined : await findRecurrenceOwner(deps.store.db, id)
  if (owner === undefined || (merchantId !== undefined && owner !== merchantId)) {
    throw new CommandFailure(`No recurring payment ${recurringId}${merchantId === undefined ? '' : ` for merchant ${merchantId}`}`)
  }
  return requireMerchant(deps, owner)
}

function amount(view: RecurringPaymentView, merchant: Merchant): string {
  return `${view.RecurringValue} ${merchant.currency}`
}


export async function listRecurringAction(args: readonly string[]): Promise<number> {
  const { values } = parseFlags(args, { merchant: { type: 'string' }, status: { type: 'string' }, limit: { type: 'string' }, ...OUTPUT_FLAGS })
  const merchantId = values.merchant === undefined ? undefined : readId('--merchant', values.merchant)
  const status = readStatus(values.status)
  const limit = readCount('--limit', values.limit, DEFAULT_LIST_LIMIT, 1, MAX_LIST_LIMIT)
  return withDeps(commandConfig(values), async (deps) => {
    const merchants = merchantId === undefined ? await listMerchants(deps.store.db) : [await requireMerchant(deps, merchantId)]
    const found: Array<{ merchant: Merchant; view: RecurringPaymentView }> = []
    let more = false
    outer: for (const merchant of merchants) {
      for await (const chunk of streamRecurringPayments(deps, merchant, status === undefined ? {} : { status })) {
        for (const view of chunk) {
          if (found.length === limit) {
            more = true
            break outer
          }
          found.push({ merchant, view })
        }
      }
    }
    if (values.json) printJson(found.map(({ merchant, view }) => ({ MerchantId: merchant.id, ...view })))
    else {
      printTable(
        ['MERCHANT', 'RECURRING_ID', 'STATUS', 'TYPE', 'AMOUNT', 'EXECUTED', 'LAST_PAY', 'NEXT_PAY'],
        found.map(({ merchant, view }) => [
          merchant.id,
          view.RecurringId,
          view.RecurringStatus,
          view.RecurringType === 'Custom' && view.IntervalDays !== null ? `every ${view.IntervalDays} days` : view.RecurringType,
          amount(view, merchant),
          view.ExecutedTimes,
          view.LastPayDate,
          view.NextPayDate,
        ]),
        'No recurring payments match.',
      )
    }
    if (more) process.stderr.write(`dawri: showing the first ${limit}; --limit shows more\n`)
    return 0
  })
}

export async function showRecurringAction(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, { merchant: { type: 'string' }, ...OUTPUT_FLAGS }, { min: 1, max: 1, names: 'RECURRING_ID' })
  const recurringId = readRecurringId(positionals[0])
  const merchantId = values.merchant === undefined ? undefined : readId('--merchant', values.merchant)
  return withDeps(commandConfig(values), async (deps) => {
    const merchant = await ownerOf(deps, recurringId, merchantId)
    const { RecurringPayment } = await getRecurringPayment(deps, merchant, { recurrenceId: fromRecurringId(recurringId, deps.ids) ?? null })
    const view = RecurringPayment[0]
    if (!view) throw new CommandFailure(`No recurring payment ${recurringId}`)
    if (values.json) {
      printJson({ MerchantId: merchant.id, ...view })
      return 0
    }
    printFields([
      ['Recurring payment', view.RecurringId],
      ['Merchant', `${merchant.id} ${merchant.name}`],
      ['Status', view.RecurringStatus],
      ['Type', view.IntervalDays === null ? view.RecurringType : `${view.RecurringType} (${view.IntervalDays} days)`],
      ['Amount', amount(view, merchant)],
      ['Executed', view.ExecutedTimes],
      ['Created', view.CreationDate],
      ['Last pay date', view.LastPayDate],
      ['Next pay date', view.NextPayDate],
    ])
    printLines('', 'Invoices:')
    printTable(
      ['INVOICE_ID', 'STATUS', 'CREATED', 'CUSTOMER'],
      (view.RecurringInvoices ?? []).map((invoice) => [invoice.InvoiceId, invoice.InvoiceStatus, invoice.CreatedDate, invoice.CustomerName]),
      'None yet (automatic charges create them).',
    )
    return 0
  })
}

export async function changeRecurringAction(action: 'cancel' | 'resume', args: readonly string[]): Promise<number> {
  const cancel = action === 'cancel'
  const { values, positionals } = parseFlags(args, { merchant: { type: 'string' }, database: { type: 'string' } }, { min: 1, max: 1, names: 'RECURRING_ID' })
  const recurringId = readRecurringId(positionals[0])
  const merchantId = values.merchant === undefined ? undefined : readId('--merchant', values.merchant)
  return withDeps(commandConfig(values), async (deps) => {
    const merchant = await ownerOf(deps, recurringId, merchantId)
    if (cancel) {
      await service(() => cancelRecurringPayment(deps, merchant, recurringId))
      printLines(`${recurringId} canceled.`)
    } else {
      const outcome = await service(() => resumeRecurringPayment(deps, merchant, recurringId))
      printLines(`${recurringId} resumed: the charge was approved; status ${outcome.status}.`)
    }
    return 0
  })
}
