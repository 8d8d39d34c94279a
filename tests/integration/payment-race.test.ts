import { setTimeout as delay } from 'node:timers/promises'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { fromInvoiceId } from '../../src/domain/public-ids.js'
import { listAttempts } from '../../src/store/charge-attempt.repository.js'
import { countApprovedCharges } from '../../src/store/processor-ledger.repository.js'
import { findInvoice } from '../../src/store/invoice.repository.js'
import { listTransactions } from '../../src/store/transaction.repository.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { paymentIdOf, type PageResponse } from './checkout-support.js'
import {
  APPROVED_CARDS,
  CALLBACK,
  apiCard,
  cardViewAtOtp,
  createInvoice,
  customerTokens,
  directPay,
  hostedAtOtp,
  invoiceStatus,
  masked,
  postOtp,
  savedCardTokens,
  saysPaidOrProcessing,
} from './payment-support.js'

/**
 * Two customer payments of one invoice at once: exactly one charge, one transaction, and the
 * loser leaves nothing behind (no open attempt, no InProgress transaction, no saved card).
 * The processor's latency makes the two requests overlap.
 */

const [CARD_A, CARD_B] = APPROVED_CARDS
/** Each race runs a few rounds, with one side or the other a few ms late, so either may win. */
const ROUNDS = 3
const stagger = (round: number) => [[0, 0], [0, 25], [25, 0]][round % 3] as [number, number]
const later = async <T>(ms: number, run: () => Promise<T>): Promise<T> => {
  if (ms > 0) await delay(ms)
  return run()
}

type ApiAnswer = { status: number; body: any }
const apiWon = (answer: ApiAnswer) => answer.status === 200 && answer.body?.Data?.Status === 'SUCCESS'
const pageWon = (page: PageResponse) => page.status === 303 && (page.location ?? '').startsWith(CALLBACK)

for (const dialect of DIALECTS) {
  describe(`${dialect}: the loser of a payment race leaves nothing`, () => {
    let app: TestApp

    beforeAll(async () => {
      app = await startTestApp(dialect, { env: { DAWRI_TEST_PROCESSOR_LATENCY_MS: '200' } })
    })
    afterAll(async () => app?.close())

    /** A merchant per race: its ledger, attempts and tokens are that race's alone. */
    const freshMerchant = async () => {
      const created = await app.createMerchant({ bypass3ds: true })
      return { key: created.apiKey, id: created.merchant.id }
    }
    type M = Awaited<ReturnType<typeof freshMerchant>>

    /** One approved charge, the invoice Paid with the winner's Succss transaction only, nothing open. */
    async function expectOneWinner(m: M, invoiceId: number, winner: { paymentId: string; card: string }): Promise<void> {
      const db = app.deps.store.db
      expect.soft(await countApprovedCharges(db, { merchantId: m.id }), 'approved charges in the ledger').toBe(1)
      const status = await invoiceStatus(app, m.key, invoiceId)
      expect.soft(status.InvoiceStatus).toBe('Paid')
      expect
        .soft(status.InvoiceTransactions.map((t: any) => [t.PaymentId, t.TransactionStatus, t.CardNumber]), 'GetPaymentStatus transactions')
        .toEqual([[winner.paymentId, 'Succss', masked(winner.card)]])
      const internalId = fromInvoiceId(invoiceId, app.deps.ids) ?? -1
      const inProgress = (await listTransactions(db, internalId)).filter((t) => t.status === 'InProgress')
      expect.soft(inProgress.map((t) => t.id), 'InProgress transactions left').toEqual([])
      expect.soft((await listAttempts(db, { merchantId: m.id, status: 'open' })).map((a) => a.id), 'open attempts').toEqual([])
    }

    /** Whether a saved token pays another invoice of the merchant (a charge when it does). */
    async function tokenPays(m: M, token: string): Promise<ApiAnswer> {
      const { PaymentURL } = await createInvoice(app, m.key, { PaymentMethodId: 9 })
      return directPay(app, m.key, PaymentURL, { PaymentType: 'token', Token: token, Bypass3DS: true })
    }

    /** The merchant's saved cards: the winner's, when it asked to keep it, and nothing else. */
    async function expectSavedCards(m: M, expected: string[]): Promise<void> {
      const saved = await savedCardTokens(app.deps.store.db, m.id)
      expect.soft(saved.map((t) => t.masked_number), 'saved card tokens of the merchant').toEqual(expected.map(masked))
    }

    /** The loser's Data.Token, if it got one, charges nothing. */
    async function expectTokenRefused(m: M, loser: ApiAnswer): Promise<void> {
      const token = loser.body?.Data?.Token
      if (typeof token !== 'string' || token === '') return
      const used = await tokenPays(m, token)
      expect.soft(used.status, `the loser's token ${token} paid: ${JSON.stringify(used.body)}`).toBe(400)
    }

    it('two Bypass3DS DirectPayments with two cards, one saving its card: one charge, one transaction, the loser saved nothing', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const m = await freshMerchant()
        const { InvoiceId, PaymentURL } = await createInvoice(app, m.key, { PaymentMethodId: 9 })
        const saver = round % 2
        const cards = [CARD_A, CARD_B]
        const answers = await Promise.all(
          cards.map((card, i) =>
            later(stagger(round)[i] ?? 0, () =>
              directPay(app, m.key, PaymentURL, { PaymentType: 'card', Bypass3DS: true, Card: apiCard(card), ...(i === saver ? { SaveToken: true } : {}) }),
            ),
          ),
        )
        const winners = answers.flatMap((answer, i) => (apiWon(answer) ? [i] : []))
        expect(winners, JSON.stringify(answers.map((a) => a.body))).toHaveLength(1)
        const won = winners[0] ?? 0
        const lost = 1 - won
        const loser = answers[lost] as ApiAnswer
        const winner = answers[won] as ApiAnswer
        expect.soft(loser.status, JSON.stringify(loser.body)).toBeGreaterThanOrEqual(400)
        expect.soft(loser.status).toBeLessThan(500)
        expect.soft(loser.body?.IsSuccess).toBe(false)
        await expectOneWinner(m, InvoiceId, { paymentId: winner.body.Data.PaymentId, card: cards[won] ?? '' })

        await expectSavedCards(m, won === saver ? [cards[won] ?? ''] : [])
        await expectTokenRefused(m, loser)
        if (won === saver) {
          const used = await tokenPays(m, winner.body.Data.Token)
          expect.soft(apiWon(used), `the winner's saved token must pay: ${JSON.stringify(used.body)}`).toBe(true)
        }
      }
    })

    it('two tabs of the hosted checkout post their OTP forms at once: one charge, the other sees paid or processing', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const m = await freshMerchant()
        const { InvoiceId, PaymentURL } = await createInvoice(app, m.key, { PaymentMethodId: 2 })
        const cards = [CARD_A, CARD_B]
        const tabs = [await hostedAtOtp(PaymentURL, CARD_A), await hostedAtOtp(PaymentURL, CARD_B)]
        const pages = await Promise.all(tabs.map((tab, i) => later(stagger(round)[i] ?? 0, () => postOtp(tab))))
        const winners = pages.flatMap((page, i) => (pageWon(page) ? [i] : []))
        expect(winners, pages.map((p) => `${p.status} ${p.location ?? p.html.slice(0, 200)}`).join('\n')).toHaveLength(1)
        const won = winners[0] ?? 0
        const loserPage = pages[1 - won] as PageResponse
        expect.soft(saysPaidOrProcessing(loserPage), `loser's page: ${loserPage.status} ${loserPage.location ?? loserPage.html.slice(0, 300)}`).toBe(true)
        await expectOneWinner(m, InvoiceId, { paymentId: paymentIdOf((pages[won] as PageResponse).location ?? ''), card: cards[won] ?? '' })
        await expectSavedCards(m, [])
      }
    })

    it('a Bypass3DS DirectPayment against a Card View OTP completion: one charge; only the winner’s card can be saved', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const m = await freshMerchant()
        const customer = `race-${dialect}-${round}-${Date.now()}`
        // The Card View customer asked to keep CARD_A; the DirectPayment asks to keep CARD_B.
        const otp = await cardViewAtOtp(app, m.key, CARD_A, { CustomerIdentifier: customer, SaveToken: true })
        const invoice = await findInvoice(app.deps.store.db, m.id, fromInvoiceId(otp.InvoiceId, app.deps.ids) ?? -1)
        if (!invoice) throw new Error(`invoice ${otp.InvoiceId} not found`)
        const directUrl = `${app.baseUrl}/v2/DirectPayment/${invoice.invoice_key}/9`
        const [delayOtp, delayDirect] = stagger(round)
        const [page, direct] = await Promise.all([
          later(delayOtp, () => postOtp(otp)),
          later(delayDirect, () => directPay(app, m.key, directUrl, { PaymentType: 'card', Bypass3DS: true, SaveToken: true, Card: apiCard(CARD_B) })),
        ])
        const otpWon = pageWon(page)
        const directWon = apiWon(direct)
        expect([otpWon, directWon], `OTP page ${page.status} ${page.location ?? ''}; DirectPayment ${direct.status} ${JSON.stringify(direct.body)}`).toEqual(
          otpWon ? [true, false] : [false, true],
        )
        if (otpWon) {
          expect.soft(direct.status, JSON.stringify(direct.body)).toBeGreaterThanOrEqual(400)
          expect.soft(direct.status).toBeLessThan(500)
          await expectOneWinner(m, otp.InvoiceId, { paymentId: paymentIdOf(page.location ?? ''), card: CARD_A })
        } else {
          expect.soft(saysPaidOrProcessing(page), `OTP page: ${page.status} ${page.location ?? page.html.slice(0, 300)}`).toBe(true)
          await expectOneWinner(m, otp.InvoiceId, { paymentId: direct.body.Data.PaymentId, card: CARD_B })
        }
        const listed = (await customerTokens(app, m.key, customer)).map((t) => t.CardNumber)
        expect.soft(listed, 'CustomerTokens of the Card View customer').toEqual(otpWon ? [masked(CARD_A)] : [])
        await expectSavedCards(m, [otpWon ? CARD_A : CARD_B])
        if (otpWon) await expectTokenRefused(m, direct)
        else {
          const used = await tokenPays(m, direct.body.Data.Token)
          expect.soft(apiWon(used), `the winner's saved token must pay: ${JSON.stringify(used.body)}`).toBe(true)
        }
      }
    })
  })
}
