import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { setTimeout as delay } from 'node:timers/promises'
import { promisify } from 'node:util'

import { expect } from 'vitest'

import type { CardTokenRow } from '../../src/store/card-token.repository.js'
import type { Executor } from '../../src/store/database.js'
import { listRows } from '../../src/store/table-inspection.js'
import { csrfOf, getPage, postForm, submitCard, type PageResponse } from './checkout-support.js'

/** Shared steps of payment-crash.test.ts and payment-race.test.ts: customer payments over HTTP. */

export const CALLBACK = 'https://merchant.example.test/paid'
export const ERROR = 'https://merchant.example.test/failed'
export const APPROVED_CARDS = ['5123450000000008', '4508750015741019'] as const

/** A card as the API takes it. */
export const apiCard = (number: string) => ({ Number: number, ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100', HolderName: 'Test Holder' })

/** Masked as GetPaymentStatus prints it (first 6, last 4). */
export const masked = (number: string) => `${number.slice(0, 6)}${'x'.repeat(number.length - 10)}${number.slice(-4)}`

/** What the tests need of a running dawri: the in-process TestApp, or a child process. */
export interface Api {
  readonly baseUrl: string
  call(method: string, path: string, apiKey: string | null, body?: unknown): Promise<{ status: number; body: any }>
}

/** An {@link Api} over plain fetch. */
export function httpApi(baseUrl: string): Api {
  return {
    baseUrl,
    async call(method, path, apiKey, body) {
      const response = await fetch(new URL(path, baseUrl), {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(apiKey === null ? {} : { authorization: `Bearer ${apiKey}` }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      const text = await response.text()
      let parsed: unknown = text
      try {
        parsed = JSON.parse(text)
      } catch {
        // not JSON: kept as text
      }
      return { status: response.status, body: parsed }
    },
  }
}

/** ExecutePayment; its Data. */
export async function createInvoice(api: Api, key: string, body: Record<string, unknown>): Promise<{ InvoiceId: number; PaymentURL: string }> {
  const response = await api.call('POST', '/v2/ExecutePayment', key, { InvoiceValue: 2.5, CallBackUrl: CALLBACK, ErrorUrl: ERROR, ...body })
  expect(response.status, JSON.stringify(response.body)).toBe(200)
  return response.body.Data
}

/** POST to a DirectPayment URL (method 9's PaymentURL). */
export const directPay = (api: Api, key: string, paymentUrl: string, body: Record<string, unknown>) =>
  api.call('POST', new URL(paymentUrl).pathname, key, body)

/** GetPaymentStatus by InvoiceId, as the merchant sees it. */
export async function invoiceStatus(api: Api, key: string, invoiceId: number): Promise<any> {
  const response = await api.call('POST', '/v2/GetPaymentStatus', key, { Key: invoiceId, KeyType: 'InvoiceId' })
  expect(response.status, JSON.stringify(response.body)).toBe(200)
  return response.body.Data
}

/** An OTP page opened and ready to be posted: one POST away from the charge. */
export interface OtpForm {
  readonly url: string
  readonly csrf: string
}

export async function openOtp(url: string): Promise<OtpForm> {
  const page = await getPage(url)
  expect(page.status, page.html.slice(0, 300)).toBe(200)
  return { url, csrf: csrfOf(page.html) }
}

export const postOtp = (form: OtpForm, otp = '123456'): Promise<PageResponse> => postForm(form.url, { csrf: form.csrf, otp })

/** Hosted checkout of an invoice: the card form posted, the customer at the OTP step. */
export async function hostedAtOtp(checkoutUrl: string, number: string): Promise<OtpForm> {
  const submitted = await submitCard(checkoutUrl, { number })
  expect(submitted.status, submitted.html.slice(0, 300)).toBe(303)
  expect(submitted.location).toContain('/PayInvoice/MpgsAuthentication?paymentId=')
  return openOtp(submitted.location ?? '')
}

/** DirectPayment without Bypass3DS: the customer at the OTP step. */
export async function directAtOtp(api: Api, key: string, number: string): Promise<OtpForm & { InvoiceId: number }> {
  const { InvoiceId, PaymentURL } = await createInvoice(api, key, { PaymentMethodId: 9 })
  const response = await directPay(api, key, PaymentURL, { PaymentType: 'card', Card: apiCard(number) })
  expect(response.status, JSON.stringify(response.body)).toBe(200)
  return { InvoiceId, ...(await openOtp(response.body.Data.PaymentURL)) }
}

/** Card View: InitiateSession, the frame's submit, ExecutePayment with the SessionId; the customer at the OTP step. */
export async function cardViewAtOtp(
  api: Api,
  key: string,
  number: string,
  session: { CustomerIdentifier?: string; SaveToken?: boolean } = {},
): Promise<OtpForm & { InvoiceId: number }> {
  const initiated = await api.call('POST', '/v2/InitiateSession', key, session)
  expect(initiated.status, JSON.stringify(initiated.body)).toBe(200)
  const SessionId = initiated.body.Data.SessionId as string
  const submitted = await api.call('POST', '/cardview/submit', null, { SessionId, Card: apiCard(number) })
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(200)
  const { InvoiceId, PaymentURL } = await createInvoice(api, key, { SessionId })
  return { InvoiceId, ...(await openOtp(PaymentURL)) }
}

/** CustomerTokens of a new InitiateSession for the customer. */
export async function customerTokens(api: Api, key: string, customer: string): Promise<Array<{ Token: string; CardNumber: string }>> {
  const response = await api.call('POST', '/v2/InitiateSession', key, { CustomerIdentifier: customer })
  expect(response.status, JSON.stringify(response.body)).toBe(200)
  return response.body.Data.CustomerTokens
}

/** The page a customer who lost a race may see: the invoice is paid, or its payment is being processed. */
export function saysPaidOrProcessing(page: PageResponse): boolean {
  return (
    [200, 202, 409].includes(page.status) &&
    /This invoice is already paid|Your payment is being processed|A payment for this invoice is already in progress/.test(page.html)
  )
}

/** A merchant's live saved cards, whoever they belong to (DirectPayment's tokens have no customer). */
export async function savedCardTokens(db: Executor, merchantId: number): Promise<CardTokenRow[]> {
  const tokens = await listRows(db, 'card_tokens')
  return tokens.filter((t) => t.merchant_id === merchantId && t.purpose === 'saved' && t.deleted_at === null).sort((a, b) => a.id - b.id)
}

/** Polls `probe` until it returns true or the deadline passes; true when it did. */
export async function pollUntil(probe: () => Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await probe()) return true
    if (Date.now() >= deadline) return false
    await delay(intervalMs)
  }
}

// ---------------------------------------------------------------------------------------------
// A real server process (`node dist/cli/main.js serve`)
// ---------------------------------------------------------------------------------------------

/** A free TCP port on loopback (the server keeps it across restarts: handed-out URLs stay valid). */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** `dawri merchant create …` on a database; its JSON line. */
export async function createMerchantWithCli(
  databaseUrl: string,
  env: Record<string, string>,
  args: readonly string[],
): Promise<{ MerchantId: number; ApiKey: string; WebhookSecret: string }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['dist/cli/main.js', 'merchant', 'create', '--database', databaseUrl, ...args], {
    env: { ...process.env, ...env },
  })
  return JSON.parse(stdout.trim())
}

/** A `dawri serve` child process. */
export interface ServerProcess {
  readonly child: ChildProcess
  readonly baseUrl: string
  /** SIGKILL, and wait until it is gone. */
  kill(): Promise<void>
}

/** Starts `dawri serve` and waits until it answers HTTP. */
export async function startServer(port: number, databaseUrl: string, env: Record<string, string>, timeoutMs = 20_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['dist/cli/main.js', 'serve', '--role', 'all', '--host', '127.0.0.1', '--port', String(port), '--database', databaseUrl], {
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const server: ServerProcess = {
    child,
    baseUrl: `http://127.0.0.1:${port}`,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
  }
  const up = await pollUntil(async () => {
    if (child.exitCode !== null) throw new Error(`dawri serve exited with code ${child.exitCode}`)
    return fetch(`${server.baseUrl}/openapi.json`).then((r) => r.ok, () => false)
  }, timeoutMs)
  if (!up) {
    await server.kill()
    throw new Error(`dawri serve did not answer on port ${port} within ${timeoutMs} ms`)
  }
  return server
}

/** The settings of a server a crash test kills: its own data dir and vault key, a slow processor, short leases and polls. */
export function crashServerEnv(dataDir: string, timing: { readonly latencyMs: number; readonly leaseMs: number; readonly pollMs: number }): Record<string, string> {
  return {
    DAWRI_DATA_DIR: dataDir,
    DAWRI_VAULT_KEY: Buffer.alloc(32, 11).toString('base64'),
    DAWRI_TEST_PROCESSOR_LATENCY_MS: String(timing.latencyMs),
    DAWRI_BILLING_LEASE_MS: String(timing.leaseMs),
    DAWRI_POLL_INTERVAL_MS: String(timing.pollMs),
  }
}
