import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { listAttempts } from '../../src/store/charge-attempt.repository.js'
import { listLedger } from '../../src/store/processor-ledger.repository.js'
import { DIALECTS } from '../support/dialects.js'
import { createTestDatabase, type TestDatabase } from '../support/test-database.js'
import {
  APPROVED_CARDS,
  apiCard,
  createInvoice,
  crashServerEnv,
  createMerchantWithCli,
  directPay,
  freePort,
  httpApi,
  invoiceStatus,
  pollUntil,
  startServer,
  type Api,
  type ServerProcess,
} from './payment-support.js'

/**
 * Refunds, captures and releases are charging-engine attempts too: the real server is killed
 * with SIGKILL once the processor has recorded them (half its latency) and before it replies,
 * then started again; with nobody asking, each is recorded exactly once — refunds Refunded,
 * captures Paid, releases back to Pending — and the processor's ledger holds one entry each.
 */

const LATENCY_MS = 6000
const LEASE_MS = 1500
const POLL_MS = 100
const EACH = 3

for (const dialect of DIALECTS) {
  describe(`${dialect}: refunds and captures survive a crash`, () => {
    let database: TestDatabase
    let dataDir: string
    let server: ServerProcess | undefined

    beforeAll(async () => {
      database = await createTestDatabase(dialect)
      dataDir = mkdtempSync(join(tmpdir(), 'dawri-refund-crash-'))
    })
    afterAll(async () => {
      await server?.kill()
      await database?.drop()
      if (dataDir) rmSync(dataDir, { recursive: true, force: true })
    })

    it('SIGKILL while refunds, captures and releases are at the processor: each recorded once after restart', async () => {
      const db = database.store.db
      const env = crashServerEnv(dataDir, { latencyMs: LATENCY_MS, leaseMs: LEASE_MS, pollMs: POLL_MS })
      const shop = (await createMerchantWithCli(database.url, env, ['--name', 'Crash shop', '--bypass-3ds', '--authorize-capture'])).ApiKey
      const port = await freePort()
      server = await startServer(port, database.url, env)
      const api: Api = httpApi(server.baseUrl)

      // Paid and authorised invoices, before the crash.
      const pay = async (i: number, processing: Record<string, unknown>) => {
        const { PaymentURL, InvoiceId } = await createInvoice(api, shop, { PaymentMethodId: 9, InvoiceValue: 10, ...processing })
        const paid = await directPay(api, shop, PaymentURL, { PaymentType: 'card', Bypass3DS: true, Card: apiCard(APPROVED_CARDS[i % APPROVED_CARDS.length] ?? '5123450000000008') })
        expect(paid.body?.Data?.Status, JSON.stringify(paid.body)).toBe('SUCCESS')
        return InvoiceId
      }
      const range = Array.from({ length: EACH }, (_, i) => i)
      const [paid, toCapture, toRelease] = await Promise.all([
        Promise.all(range.map((i) => pay(i, {}))),
        Promise.all(range.map((i) => pay(i, { ProcessingDetails: { AutoCapture: false } }))),
        Promise.all(range.map((i) => pay(i, { ProcessingDetails: { AutoCapture: false } }))),
      ])
      const followUps = () => listLedger(db, { outcome: 'approved' }).then((entries) => entries.filter((e) => e.operation !== 'charge' && e.operation !== 'authorize'))
      expect(await followUps()).toEqual([])

      // All at once; kill once the processor has recorded every one and before it replies.
      const answered: string[] = []
      const fire = (path: string, body: Record<string, unknown>, label: string) =>
        api.call('POST', path, shop, body).then(() => answered.push(label), () => undefined)
      const inFlight = [
        ...paid.map((Key) => fire('/v2/MakeRefund', { KeyType: 'InvoiceId', Key, Amount: 4 }, `refund ${Key}`)),
        ...toCapture.map((Key) => fire('/v2/UpdatePaymentStatus', { Operation: 'Capture', Amount: 10, KeyType: 'InvoiceId', Key }, `capture ${Key}`)),
        ...toRelease.map((Key) => fire('/v2/UpdatePaymentStatus', { Operation: 'Release', KeyType: 'InvoiceId', Key }, `release ${Key}`)),
      ]
      const allAtProcessor = await pollUntil(async () => (await followUps()).length >= 3 * EACH, LATENCY_MS - 500, 20)
      const answeredBeforeKill = [...answered]
      await server.kill()
      await Promise.all(inFlight)
      expect(allAtProcessor, 'the processor recorded every refund, capture and release').toBe(true)
      expect(answeredBeforeKill, 'answered before the kill (the crash came too late)').toEqual([])

      // Restart; nobody comes back. Recovery looks each one up (which takes the processor's latency).
      server = await startServer(port, database.url, env)
      const restartedAt = Date.now()
      const refundStatus = async (Key: number) => (await api.call('POST', '/v2/GetRefundStatus', shop, { KeyType: 'InvoiceId', Key })).body?.Data?.RefundStatusResult ?? []
      const settled = await pollUntil(async () => (await listAttempts(db, { status: 'open' })).length === 0, LEASE_MS + LATENCY_MS + 20 * POLL_MS, POLL_MS)
      expect.soft(settled, `settled within ${LEASE_MS + LATENCY_MS + 20 * POLL_MS} ms of the restart (took ${Date.now() - restartedAt} ms)`).toBe(true)

      for (const Key of paid) {
        const refunds = await refundStatus(Key)
        expect.soft(refunds.map((r: { RefundStatus: string; Amount: number }) => [r.RefundStatus, r.Amount]), `refunds of ${Key}`).toEqual([['Refunded', 4]])
      }
      for (const Key of toCapture) {
        const status = await invoiceStatus(api, shop, Key)
        expect.soft([status.InvoiceStatus, status.InvoiceTransactions.map((t: { TransactionStatus: string }) => t.TransactionStatus)], `captured ${Key}`).toEqual(['Paid', ['Succss']])
      }
      for (const Key of toRelease) {
        const status = await invoiceStatus(api, shop, Key)
        expect.soft(status.InvoiceStatus, `released ${Key}`).toBe('Pending')
        expect.soft(status.InvoiceTransactions.map((t: { TransactionStatus: string }) => t.TransactionStatus), `released ${Key}`).not.toContain('Authorize')
      }
      // The processor's own record: one of each, nothing twice, nothing declined.
      const entries = await followUps()
      expect.soft(entries.filter((e) => e.operation === 'refund')).toHaveLength(EACH)
      expect.soft(entries.filter((e) => e.operation === 'capture')).toHaveLength(EACH)
      expect.soft(entries.filter((e) => e.operation === 'release')).toHaveLength(EACH)
      expect.soft(new Set(entries.map((e) => e.refund_of)).size, 'one follow-up per original payment').toBe(3 * EACH)
      expect.soft((await listLedger(db, { outcome: 'declined' })).map((e) => e.idempotency_key)).toEqual([])
    }, 120_000)
  })
}
