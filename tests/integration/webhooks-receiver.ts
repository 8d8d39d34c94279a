import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

import { enqueuePaymentStatusChanged, enqueueRecurringUpdate } from '../../src/webhooks/outbox.js'
import type { Deps } from '../../src/deps.js'
import type { Executor } from '../../src/store/database.js'
import { insertInvoices, linkInvoiceToRecurrence } from '../../src/store/invoice.repository.js'
import { insertRecurrence as insertRecurrenceRow } from '../../src/store/recurrence.repository.js'
import { insertTransaction as storeTransaction, type NewTransaction } from '../../src/store/transaction.repository.js'

/**
 * A merchant's webhook endpoint on loopback, and fixtures that produce events. The receiver
 * checks every signature with its own implementation of reference §7.5, written from the
 * reference and not from src/webhooks/signature.ts, as a merchant's handler would be.
 */

// ---------------------------------------------------------------------------------------------
// Independent signature check (reference §7.5)
// ---------------------------------------------------------------------------------------------

const V2_FIELDS: Record<number, string[]> = {
  1: ['Invoice.Id', 'Invoice.Status', 'Transaction.Status', 'Transaction.PaymentId', 'Invoice.ExternalIdentifier'],
  2: ['Refund.Id', 'Refund.Status', 'Amount.ValueInBaseCurrency', 'ReferencedInvoice.Id'],
  5: ['Recurring.Id', 'Recurring.Status', 'Recurring.InitialInvoiceId'],
}

/** The signed text of a parsed body, as a merchant would build it. */
export function merchantSignedText(version: string, body: any): string {
  if (version === 'v1') {
    const data = body.Data as Record<string, unknown>
    // PHP's uksort(..., 'strcasecmp'): case-insensitive key order, nested objects left out.
    const keys = Object.keys(data)
      .filter((key) => typeof data[key] !== 'object' || data[key] === null)
      .sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0))
    return keys.map((key) => `${key}=${data[key] === null ? '' : String(data[key])}`).join(',')
  }
  const fields = V2_FIELDS[body.Event.Code as number] ?? []
  return fields
    .map((path) => {
      const [outer = '', inner = ''] = path.split('.')
      const value = body.Data?.[outer]?.[inner]
      return `${path}=${value === null || value === undefined ? '' : String(value)}`
    })
    .join(',')
}

/** True when the header is the Base64 HMAC-SHA256 of the signed text under the secret. */
export function merchantVerifies(version: string, body: any, secret: string, header: string | undefined): boolean {
  if (header === undefined) return false
  const expected = createHmac('sha256', secret).update(merchantSignedText(version, body), 'utf8').digest()
  const given = Buffer.from(header, 'base64')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

// ---------------------------------------------------------------------------------------------
// Receiver
// ---------------------------------------------------------------------------------------------

/** One request the receiver got. */
export interface ReceivedWebhook {
  readonly reference: string
  readonly version: string
  readonly body: any
  readonly headers: IncomingHttpHeaders
  readonly signatureValid: boolean
  /** Order of arrival, from 0. */
  readonly sequence: number
}

/** How the receiver answers a request: a status, or hang (never answer). */
export type Behaviour = (
  webhook: ReceivedWebhook,
) => number | 'hang' | { status: number; body?: string; headers?: Record<string, string>; delayMs?: number }

/** A local webhook endpoint. */
export interface Receiver {
  readonly url: string
  readonly received: ReceivedWebhook[]
  /** Signature secret to verify with (the merchant's). */
  secret: string
  behaviour: Behaviour
  /** Stops listening (connections refused) until {@link Receiver.up}. */
  down(): Promise<void>
  up(): Promise<void>
  /** Resolves once `count` requests have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

/** Starts a receiver on 127.0.0.1; it answers 200 until told otherwise. */
export async function startReceiver(secret = ''): Promise<Receiver> {
  const hanging = new Set<ServerResponse>()
  let sequence = 0
  const received: ReceivedWebhook[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const body = JSON.parse(text) as any
      const version = String(req.headers['myfatoorah-webhook-version'] ?? '')
      const reference = version === 'v2' ? String(body.Event.Reference) : String(req.headers['dawri-webhook-reference'] ?? '')
      const webhook: ReceivedWebhook = {
        reference,
        version,
        body,
        headers: req.headers,
        signatureValid: merchantVerifies(version, body, receiver.secret, req.headers['myfatoorah-signature'] as string | undefined),
        sequence: sequence++,
      }
      received.push(webhook)
      const answer = receiver.behaviour(webhook)
      if (answer === 'hang') {
        hanging.add(res)
        return
      }
      const { status, body: responseBody, headers, delayMs } =
        typeof answer === 'number' ? { status: answer, body: 'ok', headers: {}, delayMs: 0 } : answer
      const respond = () => res.writeHead(status, headers).end(responseBody ?? '')
      if (delayMs) setTimeout(respond, delayMs)
      else respond()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/webhook`,
    received,
    secret,
    behaviour: () => 200,
    async down() {
      for (const res of hanging) res.destroy()
      hanging.clear()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
    async up() {
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
    },
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`Receiver got ${received.length} of ${count} webhooks`)
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    },
    async close() {
      for (const res of hanging) res.destroy()
      hanging.clear()
      server.closeAllConnections()
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return receiver
}

// ---------------------------------------------------------------------------------------------
// Fixtures: invoices, transactions and recurrences written directly, events through the outbox
// ---------------------------------------------------------------------------------------------

let invoiceCounter = 0

/** Options for {@link insertInvoice}. */
export interface InvoiceOptions {
  readonly now: number
  readonly webhookUrl?: string | null
  readonly customerReference?: string | null
  readonly status?: 'Pending' | 'Paid' | 'Canceled'
  readonly recurrenceId?: number | null
}

/** Inserts an invoice of 10.000 KWD and returns its internal id. */
export async function insertInvoice(db: Executor, merchantId: number, options: InvoiceOptions): Promise<number> {
  invoiceCounter++
  const [row] = await insertInvoices(db, [
    {
      merchant_id: merchantId,
      invoice_key: `key-${process.pid}-${Date.now()}-${invoiceCounter}-${Math.random()}`,
      status: options.status ?? 'Pending',
      value_minor: 10_000,
      currency: 'KWD',
      display_currency: 'KWD',
      payment_method_id: 2,
      session_id: null,
      customer_name: 'Fatima Test',
      customer_mobile: '12345678',
      mobile_country_code: '965',
      customer_email: 'fatima@example.com',
      customer_reference: options.customerReference ?? null,
      customer_civil_id: null,
      user_defined_field: 'udf',
      language: 'EN',
      callback_url: null,
      error_url: null,
      webhook_url: options.webhookUrl ?? null,
      customer_address: null,
      items: '[]',
      shipping_method: null,
      shipping_consignee: null,
      suppliers: '[]',
      processing_details: null,
      recurrence_id: options.recurrenceId ?? null,
      recurrence_cycle: options.recurrenceId ? 0 : null,
      expires_at: options.now + 3 * 86_400_000,
      created_at: options.now,
      paid_at: options.status === 'Paid' ? options.now : null,
    },
  ])
  if (!row) throw new Error('The invoice was not inserted')
  return row.id
}

/** The id of a stored transaction row. */
const insertTransactionRow = async (db: Executor, row: NewTransaction): Promise<number> => (await storeTransaction(db, row)).id

/** Inserts a transaction on an invoice and returns its internal id. */
export async function insertTransaction(
  db: Executor,
  merchantId: number,
  invoiceId: number,
  options: { now: number; status?: 'InProgress' | 'Succss' | 'Failed' | 'Canceled' | 'Authorize' },
): Promise<number> {
  const status = options.status ?? 'Succss'
  return insertTransactionRow(db, {
    invoice_id: invoiceId,
    merchant_id: merchantId,
    status,
    channel: 'hosted',
    payment_method_id: 2,
    gateway: 'VISA/MASTER',
    amount_minor: 10_000,
    currency: 'KWD',
    card_token_id: null,
    error_code: status === 'Failed' ? 'MF002' : null,
    error_message: status === 'Failed' ? 'Declined' : null,
    reference_id: '504001121797',
    track_id: null,
    authorization_id: status === 'Succss' ? '262890' : null,
    ip_address: '10.1.2.3',
    attempt_id: null,
    created_at: options.now,
    updated_at: options.now,
  })
}

/** Records a payment attempt outcome and its event in one transaction, as services do. */
export async function emitPayment(
  deps: Deps,
  merchantId: number,
  invoiceId: number,
  options: { now: number; status?: 'InProgress' | 'Succss' | 'Failed' },
): Promise<number> {
  return deps.store.db.transaction().execute(async (trx) => {
    const transactionId = await insertTransaction(trx, merchantId, invoiceId, options)
    await enqueuePaymentStatusChanged(trx, deps, { transactionId, now: options.now })
    return transactionId
  })
}

/** Inserts an Active monthly recurrence with its initial invoice; returns both internal ids. */
export async function insertRecurrence(
  db: Executor,
  merchantId: number,
  options: { now: number; webhookUrl?: string | null; status?: 'Draft' | 'Active' | 'Completed' | 'Uncompleted' | 'Canceled' },
): Promise<{ recurrenceId: number; initialInvoiceId: number }> {
  const initialInvoiceId = await insertInvoice(db, merchantId, { now: options.now, webhookUrl: options.webhookUrl ?? null, status: 'Paid' })
  const recurrenceId = await insertRecurrenceRow(db, {
    merchant_id: merchantId,
    initial_invoice_id: initialInvoiceId,
    status: options.status ?? 'Active',
    recurring_type: 'Monthly',
    interval_days: null,
    iteration: 12,
    retry_count: 2,
    amount_minor: 10_000,
    currency: 'KWD',
    anchor_date: '2026-01-10',
    card_token_id: null,
    executed_times: 0,
    next_cycle: 1,
    failed_attempts: 0,
    next_attempt_at: null,
    last_pay_at: options.now,
    lease_until: null,
    created_at: options.now,
    updated_at: options.now,
  })
  await linkInvoiceToRecurrence(db, initialInvoiceId, recurrenceId, 0)
  return { recurrenceId, initialInvoiceId }
}

/** Writes a recurring update (optionally about a new automatic charge) in one transaction. */
export async function emitRecurring(
  deps: Deps,
  merchantId: number,
  recurrenceId: number,
  options: { now: number; charge?: 'Succss' | 'Failed' },
): Promise<void> {
  await deps.store.db.transaction().execute(async (trx) => {
    let transactionId: number | null = null
    if (options.charge) {
      const invoiceId = await insertInvoice(trx, merchantId, { now: options.now, recurrenceId, status: options.charge === 'Succss' ? 'Paid' : 'Pending' })
      transactionId = await insertTransaction(trx, merchantId, invoiceId, { now: options.now, status: options.charge })
    }
    await enqueueRecurringUpdate(trx, deps, { recurrenceId, transactionId, now: options.now })
  })
}
