import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { attemptIdempotencyKey } from '../../src/domain/charge.js'
import { listAttempts } from '../../src/store/charge-attempt.repository.js'
import { advanceClockOffset, readClockOffset } from '../../src/store/merchant.repository.js'
import { listLedger } from '../../src/store/processor-ledger.repository.js'
import { listTransactions } from '../../src/store/transaction.repository.js'
import { DIALECTS } from '../support/dialects.js'
import { createTestDatabase, type TestDatabase } from '../support/test-database.js'
import {
  APPROVED_CARDS,
  apiCard,
  cardViewAtOtp,
  createInvoice,
  crashServerEnv,
  createMerchantWithCli,
  directAtOtp,
  directPay,
  freePort,
  hostedAtOtp,
  httpApi,
  invoiceStatus,
  pollUntil,
  postOtp,
  startServer,
  type Api,
  type ServerProcess,
} from './payment-support.js'
import { startReceiver, type Receiver } from './webhooks-receiver.js'

/**
 * A charge the processor took is never lost. The real server runs as a child process; every
 * kind of customer payment is sent at once; once the processor's ledger holds their approvals
 * (half its latency) and before it replies (the full latency), the server is killed with
 * SIGKILL and started again on the same database, with no customer coming back. The recovery
 * pass must then record each approval exactly once: one Succss transaction, the invoice Paid
 * (also invoices whose expiry the merchant's clock passed meanwhile), one webhook, no open attempt.
 */

const LATENCY_MS = 6000
const LEASE_MS = 1500
const POLL_MS = 100
const DAY_MS = 86_400_000
/** Payments of each kind. */
const EACH = 5
const card = (i: number) => APPROVED_CARDS[i % APPROVED_CARDS.length] ?? APPROVED_CARDS[0]

/** A payment one request away from its charge. */
interface Shot {
  readonly label: string
  readonly key: string
  readonly InvoiceId: number
  readonly fire: () => Promise<unknown>
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: a charge the processor took is never lost`, () => {
    let database: TestDatabase
    let receiver: Receiver
    let dataDir: string
    let server: ServerProcess | undefined

    beforeAll(async () => {
      database = await createTestDatabase(dialect)
      receiver = await startReceiver()
      dataDir = mkdtempSync(join(tmpdir(), 'dawri-crash-'))
    })
    afterAll(async () => {
      await server?.kill()
      await receiver?.close()
      await database?.drop()
      if (dataDir) rmSync(dataDir, { recursive: true, force: true })
    })

    it('SIGKILL while card, token, OTP and Card View payments are at the processor: each approval recorded once after restart', async () => {
      const db = database.store.db
      const env = crashServerEnv(dataDir, { latencyMs: LATENCY_MS, leaseMs: LEASE_MS, pollMs: POLL_MS })
      const merchantArgs = (name: string) => ['--name', name, '--bypass-3ds', '--webhook-url', receiver.url]
      const shop = (await createMerchantWithCli(database.url, env, merchantArgs('Crash shop'))).ApiKey
      // Its clock is moved past the invoices' expiry while their charges wait to be recovered.
      const late = await createMerchantWithCli(database.url, env, merchantArgs('Expiring shop'))
      const lateShop = late.ApiKey
      const port = await freePort()
      server = await startServer(port, database.url, env)
      const api: Api = httpApi(server.baseUrl)

      // Saved tokens, paid and delivered before the crash.
      const tokens = await Promise.all(
        Array.from({ length: EACH }, async (_, i) => {
          const { PaymentURL, InvoiceId } = await createInvoice(api, shop, { PaymentMethodId: 9 })
          const paid = await directPay(api, shop, PaymentURL, { PaymentType: 'card', Bypass3DS: true, SaveToken: true, Card: apiCard(card(i)) })
          expect(paid.body?.Data?.Status, JSON.stringify(paid.body)).toBe('SUCCESS')
          expect(paid.body.Data.Token).toMatch(/^TKN-/)
          return { label: 'token setup', key: shop, InvoiceId, token: paid.body.Data.Token as string }
        }),
      )
      const delivered = await pollUntil(async () => {
        const log = await api.call('POST', '/v2/GetWebhooks', shop, {})
        const items: Array<{ Status: string }> = log.body?.Data?.Items ?? []
        return items.length === EACH && items.every((item) => item.Status === 'Succeeded')
      }, 10_000)
      expect(delivered, 'the setup payments’ webhooks were delivered before the crash').toBe(true)

      // Every kind of customer payment, stopped one request before its charge.
      const directCard = (key: string, label: string) => async (i: number): Promise<Shot> => {
        const { PaymentURL, InvoiceId } = await createInvoice(api, key, { PaymentMethodId: 9 })
        return { label, key, InvoiceId, fire: () => directPay(api, key, PaymentURL, { PaymentType: 'card', Bypass3DS: true, Card: apiCard(card(i)) }) }
      }
      const hosted = (key: string, label: string) => async (i: number): Promise<Shot> => {
        const { PaymentURL, InvoiceId } = await createInvoice(api, key, { PaymentMethodId: 2 })
        const form = await hostedAtOtp(PaymentURL, card(i))
        return { label, key, InvoiceId, fire: () => postOtp(form) }
      }
      const times = <T>(count: number, make: (i: number) => Promise<T>) => Array.from({ length: count }, (_, i) => make(i))
      const shots = await Promise.all([
        ...times(EACH, directCard(shop, 'DirectPayment card')),
        ...tokens.map(async ({ token }) => {
          const { PaymentURL, InvoiceId } = await createInvoice(api, shop, { PaymentMethodId: 9 })
          return { label: 'DirectPayment token', key: shop, InvoiceId, fire: () => directPay(api, shop, PaymentURL, { PaymentType: 'token', Token: token, Bypass3DS: true }) }
        }),
        ...times(EACH, hosted(shop, 'hosted OTP')),
        ...times(EACH, async (i) => {
          const form = await directAtOtp(api, shop, card(i))
          return { label: 'DirectPayment OTP', key: shop, InvoiceId: form.InvoiceId, fire: () => postOtp(form) }
        }),
        ...times(EACH, async (i) => {
          const form = await cardViewAtOtp(api, shop, card(i))
          return { label: 'Card View OTP', key: shop, InvoiceId: form.InvoiceId, fire: () => postOtp(form) }
        }),
        ...times(3, directCard(lateShop, 'DirectPayment card, invoice expired before recovery')),
        ...times(2, hosted(lateShop, 'hosted OTP, invoice expired before recovery')),
      ])
      const approvals = tokens.length + shots.length

      // All at once; kill once the processor has approved every charge and before it replies.
      const answered: string[] = []
      const inFlight = shots.map((shot) => shot.fire().then(() => answered.push(shot.label), () => undefined))
      const firedAt = Date.now()
      const allAtProcessor = await pollUntil(
        async () => (await listLedger(db, { outcome: 'approved' })).length >= approvals,
        LATENCY_MS - 500,
        20,
      )
      const answeredBeforeKill = [...answered]
      await server.kill()
      const killedAfterMs = Date.now() - firedAt
      await Promise.all(inFlight)
      expect(allAtProcessor, `the processor approved every charge within ${killedAfterMs} ms`).toBe(true)
      expect(answeredBeforeKill, `payments answered before the kill at ${killedAfterMs} ms (the crash came too late)`).toEqual([])

      // While the server is down the expiring shop's clock passes its invoices' expiry (3 days),
      // moved as AdvanceClock moves it, so whoever recovers their charges finds them expired.
      await advanceClockOffset(db, late.MerchantId, (await readClockOffset(db, late.MerchantId)) + 4 * DAY_MS)

      // Restart on the same database; no customer comes back. AdvanceClock runs its billing
      // (recovery included) at the expired time too.
      server = await startServer(port, database.url, env)
      const restartedAt = Date.now()
      const advanced = await api.call('POST', '/v2/sandbox/AdvanceClock', lateShop, { Days: 1 })
      expect.soft(advanced.status, JSON.stringify(advanced.body)).toBe(200)

      // The recovery pass looks each charge up at the processor, which itself takes LATENCY_MS.
      const payments: Array<{ label: string; key: string; InvoiceId: number }> = [...tokens, ...shots]
      const paid = new Set<number>()
      const recovered = await pollUntil(async () => {
        if ((await listAttempts(db, { status: 'open' })).length > 0) return false
        for (const payment of payments.filter((p) => !paid.has(p.InvoiceId))) {
          if ((await invoiceStatus(api, payment.key, payment.InvoiceId)).InvoiceStatus === 'Paid') paid.add(payment.InvoiceId)
        }
        return paid.size === payments.length
      }, restartedAt + LEASE_MS + LATENCY_MS + 20 * POLL_MS - Date.now(), POLL_MS)
      expect.soft(recovered, `recovered within ${LEASE_MS + LATENCY_MS + 20 * POLL_MS} ms of the restart`).toBe(true)

      // No charge attempt left open.
      const open = await listAttempts(db, { status: 'open' })
      expect.soft(open.map((a) => `attempt ${a.id} (${a.kind}) of invoice ${a.invoice_id}`), 'open charge attempts').toEqual([])

      // As the merchant sees it: every invoice Paid, with its one Succss transaction.
      const views = await Promise.all(payments.map(async (p) => ({ ...p, data: await invoiceStatus(api, p.key, p.InvoiceId) })))
      const wrong = views
        .map((v) => ({ v, statuses: v.data.InvoiceTransactions.map((t: { TransactionStatus: string }) => t.TransactionStatus) }))
        .filter(({ v, statuses }) => v.data.InvoiceStatus !== 'Paid' || statuses.join() !== 'Succss')
        .map(({ v, statuses }) => `${v.label} ${v.InvoiceId}: ${v.data.InvoiceStatus} [${statuses.join(', ')}]`)
      expect.soft(wrong, 'invoices not Paid with exactly one Succss transaction').toEqual([])

      // The processor: one approval per payment, nothing else; each approval is one attempt's,
      // recorded as exactly one Succss transaction of its invoice.
      const approved = await listLedger(db, { outcome: 'approved' })
      expect.soft(approved.length, 'approved charges in the processor’s ledger').toBe(approvals)
      expect.soft((await listLedger(db, { outcome: 'declined' })).map((e) => e.idempotency_key), 'declined charges').toEqual([])
      const attempts = new Map((await listAttempts(db)).map((a) => [attemptIdempotencyKey(a.id), a]))
      const problems: string[] = []
      const chargesPerInvoice = new Map<number, number>()
      for (const entry of approved) {
        const attempt = attempts.get(entry.idempotency_key)
        if (!attempt) {
          problems.push(`${entry.idempotency_key}: no charge attempt has this key`)
          continue
        }
        if (attempt.status !== 'approved') problems.push(`${entry.idempotency_key}: attempt is ${attempt.status}`)
        chargesPerInvoice.set(attempt.invoice_id, (chargesPerInvoice.get(attempt.invoice_id) ?? 0) + 1)
        const succss = (await listTransactions(db, attempt.invoice_id)).filter((t) => t.status === 'Succss')
        if (succss.length !== 1 || succss[0]?.attempt_id !== attempt.id) {
          problems.push(`${entry.idempotency_key}: Succss transactions of invoice ${attempt.invoice_id}: ${JSON.stringify(succss.map((t) => [t.id, t.attempt_id]))}`)
        }
      }
      expect.soft(problems.slice(0, 10), `approvals without an approved attempt and exactly one Succss transaction (${problems.length} problems)`).toEqual([])
      expect.soft([...chargesPerInvoice].filter(([, n]) => n > 1), 'invoices charged more than once').toEqual([])

      // Webhooks: one PAYMENT_STATUS_CHANGED per payment, in the log and at the receiver, never twice.
      const paymentHooks = () => receiver.received.filter((w) => w.body?.Event?.Code === 1)
      await pollUntil(async () => paymentHooks().length >= payments.length, 5000, POLL_MS)
      await new Promise((resolve) => setTimeout(resolve, 5 * POLL_MS)) // a duplicate would arrive within a few polls
      // Read again: a late recovery may have recorded more payments since `views`.
      const succssIds = (await Promise.all(payments.map((p) => invoiceStatus(api, p.key, p.InvoiceId)))).flatMap((data) =>
        data.InvoiceTransactions.filter((t: any) => t.TransactionStatus === 'Succss').map((t: any) => String(t.PaymentId)),
      )
      const count = (ids: string[]) => ids.reduce((m, id) => m.set(id, (m.get(id) ?? 0) + 1), new Map<string, number>())
      const arrived = count(paymentHooks().map((w) => String(w.body.Data.Transaction.PaymentId)))
      expect.soft([...arrived].filter(([, n]) => n > 1), 'payments whose webhook arrived more than once').toEqual([])
      expect.soft(arrived.size, 'payments whose webhook arrived').toBe(payments.length)
      expect.soft([...arrived.keys()].sort(), 'webhooks name the Succss transactions').toEqual([...succssIds].sort())
      expect.soft(paymentHooks().every((w) => w.body.Data.Transaction.Status === 'SUCCESS'), 'webhooks say SUCCESS').toBe(true)
      const logged: string[] = []
      for (const key of [shop, lateShop]) {
        const log = await api.call('POST', '/v2/GetWebhooks', key, { EventType: 'PAYMENT_STATUS_CHANGED' })
        for (const item of log.body?.Data?.Items ?? []) logged.push(String(item.Data?.Data?.Transaction?.PaymentId))
      }
      expect.soft([...count(logged)].filter(([, n]) => n > 1), 'payments with more than one event in GetWebhooks').toEqual([])
      expect.soft(logged.length, 'payment events in GetWebhooks').toBe(payments.length)
    }, 90_000)
  })
}
