import { randomUUID } from 'node:crypto'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { PAYMENT_ERRORS, type PaymentErrorCode } from '../../src/domain/payment-errors.js'
import type { ChargeRequest, ChargeResult } from '../../src/processor/card-processor.js'
import { createCardVault } from '../../src/processor/card-vault.js'
import { TEST_CARDS, TestProcessor } from '../../src/processor/test-processor.js'
import {
  findCardTokenById,
  findCardTokenByToken,
  findSavedTokenByPanHash,
  insertCardToken,
  listSavedTokens,
  markCardTokenDeleted,
  readCardNumber,
} from '../../src/store/card-token.repository.js'
import { createStore, type Store } from '../../src/store/create-database.js'
import { countApprovedCharges, findLedgerEntry, listLedger } from '../../src/store/processor-ledger.repository.js'
import { DIALECTS } from '../support/dialects.js'
import { createTestDatabase, type TestDatabase } from '../support/test-database.js'

/** Fixed reference time: 2026-01-10T00:00:00Z. */
const NOW = Date.UTC(2026, 0, 10)

const MERCHANT = 1
const OTHER_MERCHANT = 2

/** Card details that pass: expiry 01/39, security code 100. */
function cardDetails(number: string, overrides: Partial<ChargeRequest['card']> = {}): ChargeRequest['card'] {
  return { number, expiryMonth: '01', expiryYear: '39', securityCode: '100', holderName: 'Test Holder', ...overrides }
}

/** A customer card payment of 1.000 KWD with the card's usual test details. */
function request(number: string, overrides: Partial<ChargeRequest> = {}): ChargeRequest {
  return {
    idempotencyKey: `test-${randomUUID()}`,
    merchantId: MERCHANT,
    amountMinor: 1000,
    currency: 'KWD',
    card: cardDetails(number),
    cardTokenId: null,
    purpose: 'customer',
    ...overrides,
  }
}

function renewal(number: string, attemptNumber: number, cycle = 1): ChargeRequest {
  return request(number, {
    purpose: 'renewal',
    renewal: { cycle, attemptNumber },
    card: cardDetails(number, { securityCode: null, holderName: null }),
    cardTokenId: 7,
  })
}

function declined(code: PaymentErrorCode): ChargeResult {
  return { status: 'declined', errorCode: code, message: PAYMENT_ERRORS[code] }
}

const approved = {
  status: 'approved',
  authorizationId: expect.stringMatching(/^\d{6}$/),
  referenceId: expect.stringMatching(/^\d{12}$/),
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: test processor`, () => {
    let database: TestDatabase
    let processor: TestProcessor

    beforeAll(async () => {
      database = await createTestDatabase(dialect)
      processor = new TestProcessor({ db: database.store.db })
    })

    afterAll(async () => {
      await database?.drop()
    })

    /** Charges once and checks that the ledger recorded exactly what was answered. */
    async function chargeAndCheckLedger(req: ChargeRequest): Promise<ChargeResult> {
      const result = await processor.charge(req, NOW)
      const entry = await findLedgerEntry(database.store.db, req.idempotencyKey)
      expect(entry).toMatchObject({
        idempotency_key: req.idempotencyKey,
        merchant_id: req.merchantId,
        card_token_id: req.cardTokenId,
        amount_minor: req.amountMinor,
        currency: req.currency,
        created_at: NOW,
      })
      if (result.status === 'approved') {
        expect(entry).toMatchObject({ outcome: 'approved', error_code: null, authorization_id: result.authorizationId })
      } else if (result.status === 'declined') {
        expect(entry).toMatchObject({ outcome: 'declined', error_code: result.errorCode, authorization_id: null })
      }
      return result
    }

    describe('test cards', () => {
      it.each(['5123450000000008', '4508750015741019', '2223000000000007'])('approves demo card %s', async (number) => {
        expect(await chargeAndCheckLedger(request(number))).toEqual(approved)
        expect(await chargeAndCheckLedger(renewal(number, 0))).toEqual(approved)
      })

      it.each([
        ['4000000000000002', 'MF002'],
        ['4000000000009995', 'MF004'],
        ['4000000000000069', 'MF007'],
        ['4000000000000127', 'MF010'],
        ['4000000000000119', 'MF008'],
      ] as const)('declines %s with %s, for customers and renewals', async (number, code) => {
        expect(await chargeAndCheckLedger(request(number))).toEqual(declined(code))
        expect(await chargeAndCheckLedger(renewal(number, 0))).toEqual(declined(code))
        expect(await chargeAndCheckLedger(renewal(number, 5))).toEqual(declined(code))
      })

      it('approves 4000000000000341 for the customer and declines every renewal MF002', async () => {
        const number = '4000000000000341'
        expect(await chargeAndCheckLedger(request(number))).toEqual(approved)
        for (const cycle of [1, 2, 3]) {
          for (const attempt of [0, 1, 2, 3, 4]) {
            expect(await chargeAndCheckLedger(renewal(number, attempt, cycle))).toEqual(declined('MF002'))
          }
        }
      })

      it.each([
        ['4000000000001018', 1],
        ['4000000000001026', 2],
        ['4000000000001034', 3],
      ] as const)('declines the first renewal attempts of %s (%i per cycle) MF004', async (number, failing) => {
        expect(await chargeAndCheckLedger(request(number))).toEqual(approved)
        for (const cycle of [1, 2]) {
          for (let attempt = 0; attempt <= 4; attempt++) {
            const expected = attempt < failing ? declined('MF004') : approved
            expect(await chargeAndCheckLedger(renewal(number, attempt, cycle)), `attempt ${attempt}`).toEqual(expected)
          }
        }
      })

      it('loses the reply of 4000000000002016 but records the charge, which lookup reports', async () => {
        const req = request('4000000000002016')
        const first = await processor.charge(req, NOW)
        expect(first).toEqual({ status: 'unknown', message: expect.any(String) })
        const entry = await findLedgerEntry(database.store.db, req.idempotencyKey)
        expect(entry).toMatchObject({ outcome: 'approved', error_code: null })

        const looked = await processor.lookup(req.idempotencyKey)
        expect(looked).toEqual(approved)
        expect(looked).toMatchObject({ authorizationId: entry?.authorization_id })
        // A replay with the same key also learns the outcome, and charges nothing more.
        expect(await processor.charge(req, NOW)).toEqual(looked)
        expect(await processor.lookup(req.idempotencyKey)).toEqual(looked)
        const rows = await listLedger(database.store.db, { idempotencyKeys: [req.idempotencyKey] })
        expect(rows).toHaveLength(1)
      })

      it('loses renewal replies too', async () => {
        expect(await processor.charge(renewal('4000000000002016', 0), NOW)).toMatchObject({ status: 'unknown' })
      })

      it('covers every row of the published table', async () => {
        for (const card of TEST_CARDS) {
          const result = await processor.charge(request(card.number), NOW)
          const expected =
            card.behaviour.kind === 'decline'
              ? declined(card.behaviour.errorCode)
              : card.behaviour.kind === 'lose-reply'
                ? { status: 'unknown', message: expect.any(String) }
                : approved
          expect(result, card.number).toEqual(expected)
        }
      })
    })

    describe('rules beyond the table', () => {
      it('declines a past expiry MF007 on any card, at the month boundary', async () => {
        const card = cardDetails('5123450000000008', { expiryMonth: '12', expiryYear: '25' })
        expect(await processor.charge(request(card.number, { card }), Date.UTC(2025, 11, 31, 23))).toEqual(approved)
        expect(await processor.charge(request(card.number, { card }), Date.UTC(2026, 0, 1))).toEqual(declined('MF007'))
        const table = { ...card, number: '4000000000000341' }
        expect(await processor.charge(request(table.number, { card: table }), NOW)).toEqual(declined('MF007'))
      })

      it('declines a number failing Luhn, or a malformed expiry, MF002', async () => {
        expect(await chargeAndCheckLedger(request('5123450000000009'))).toEqual(declined('MF002'))
        const card = cardDetails('5123450000000008', { expiryMonth: '13' })
        expect(await chargeAndCheckLedger(request(card.number, { card }))).toEqual(declined('MF002'))
      })

      it('approves any other Luhn-valid number, spaces and dashes allowed', async () => {
        expect(await chargeAndCheckLedger(request('4111111111111111'))).toEqual(approved)
        expect(await chargeAndCheckLedger(request('5555-5555-5555-4444'))).toEqual(approved)
        expect(await chargeAndCheckLedger(request('4000 0000 0000 0002'))).toEqual(declined('MF002'))
      })

      it('declines a security code of the wrong shape MF010, accepts none for stored cards', async () => {
        const card = cardDetails('5123450000000008', { securityCode: '12' })
        expect(await processor.charge(request(card.number, { card }), NOW)).toEqual(declined('MF010'))
        const amex = { ...card, number: '345678901234564', securityCode: '1000' }
        expect(await processor.charge(request(amex.number, { card: amex }), NOW)).toEqual(approved)
        const stored = { ...card, securityCode: null }
        expect(await processor.charge(request(card.number, { card: stored }), NOW)).toEqual(approved)
      })

      it('refuses a non-positive amount before recording anything', async () => {
        const req = request('5123450000000008', { amountMinor: 0 })
        await expect(processor.charge(req, NOW)).rejects.toThrow(/positive integer/)
        expect(await processor.lookup(req.idempotencyKey)).toBeUndefined()
      })

      it('refuses to run inside a caller transaction', async () => {
        await database.store.db.transaction().execute(async (trx) => {
          expect(() => new TestProcessor({ db: trx })).toThrow(/not a transaction/)
        })
      })
    })

    describe('idempotency', () => {
      it('answers a repeated key with the first outcome and records one charge', async () => {
        const req = request('5123450000000008')
        const first = await processor.charge(req, NOW)
        const second = await processor.charge(req, NOW + 60_000)
        expect(second).toEqual(first)
        expect(await processor.lookup(req.idempotencyKey)).toEqual(first)
        const rows = await listLedger(database.store.db, { idempotencyKeys: [req.idempotencyKey] })
        expect(rows).toHaveLength(1)
        expect(rows[0]?.created_at).toBe(NOW)
      })

      it('keeps a decline a decline, even when the card would now pass', async () => {
        // 4000000000001018's second attempt would be approved; the key still belongs to attempt 0.
        const req = renewal('4000000000001018', 0)
        expect(await processor.charge(req, NOW)).toEqual(declined('MF004'))
        const replay = { ...req, renewal: { cycle: 1, attemptNumber: 1 } }
        expect(await processor.charge(replay, NOW)).toEqual(declined('MF004'))
      })

      it('refuses a key reused for a different charge', async () => {
        const req = request('5123450000000008')
        await processor.charge(req, NOW)
        await expect(processor.charge({ ...req, amountMinor: 2000 }, NOW)).rejects.toThrow(/different charge/)
        await expect(processor.charge({ ...req, merchantId: OTHER_MERCHANT }, NOW)).rejects.toThrow(/different charge/)
        expect(await countApprovedCharges(database.store.db, { merchantId: OTHER_MERCHANT })).toBe(0)
      })

      it('records one charge for 10 concurrent calls with one key', async () => {
        const req = request('5123450000000008')
        const results = await Promise.all(Array.from({ length: 10 }, () => processor.charge(req, NOW)))
        expect(results[0]).toEqual(approved)
        for (const result of results) expect(result).toEqual(results[0])
        const rows = await listLedger(database.store.db, { idempotencyKeys: [req.idempotencyKey] })
        expect(rows).toHaveLength(1)
      })

      it('records one charge when separate connections race on one key', async () => {
        // A second store stands for another process: its own connection(s) to the same database.
        const other: Store = createStore({ url: database.url, poolSize: 5 })
        try {
          const elsewhere = new TestProcessor({ db: other.db })
          for (let round = 0; round < 5; round++) {
            const req = request('4000000000002016')
            const results = await Promise.all(
              Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? processor : elsewhere).charge(req, NOW)),
            )
            // Exactly one call recorded the charge and lost its reply; all others learnt it.
            expect(results.filter((r) => r.status === 'unknown')).toHaveLength(1)
            const known = results.filter((r) => r.status !== 'unknown')
            expect(known).toHaveLength(9)
            for (const result of known) expect(result).toEqual(known[0])
            expect(known[0]).toEqual(await processor.lookup(req.idempotencyKey))
            const rows = await listLedger(database.store.db, { idempotencyKeys: [req.idempotencyKey] })
            expect(rows).toHaveLength(1)
          }
        } finally {
          await other.close()
        }
      })

      it('reports a key it never received as undefined', async () => {
        expect(await processor.lookup(`never-${randomUUID()}`)).toBeUndefined()
      })

      it('counts approved charges by merchant and card token', async () => {
        const merchantId = 1000 + Math.floor(Math.random() * 1_000_000)
        await processor.charge(request('5123450000000008', { merchantId, cardTokenId: 1 }), NOW)
        await processor.charge(request('5123450000000008', { merchantId, cardTokenId: 2 }), NOW)
        await processor.charge(request('4000000000000002', { merchantId, cardTokenId: 1 }), NOW)
        await processor.charge(request('4000000000002016', { merchantId, cardTokenId: 1 }), NOW)
        expect(await countApprovedCharges(database.store.db, { merchantId })).toBe(3)
        expect(await countApprovedCharges(database.store.db, { merchantId, cardTokenId: 1 })).toBe(2)
        expect(await countApprovedCharges(database.store.db)).toBeGreaterThanOrEqual(3)
      })
    })

    describe('latency', () => {
      it('waits latencyMs before answering charge and lookup', async () => {
        const slow = new TestProcessor({ db: database.store.db, latencyMs: 80 })
        const req = request('5123450000000008')
        let started = performance.now()
        expect(await slow.charge(req, NOW)).toEqual(approved)
        expect(performance.now() - started).toBeGreaterThanOrEqual(75)
        started = performance.now()
        expect(await slow.lookup(req.idempotencyKey)).toEqual(approved)
        expect(performance.now() - started).toBeGreaterThanOrEqual(75)
      })

      it('overlaps concurrent calls instead of queueing them', async () => {
        const slow = new TestProcessor({ db: database.store.db, latencyMs: 200 })
        const started = performance.now()
        const calls = Array.from({ length: 20 }, () => slow.charge(request('5123450000000008'), NOW))
        const results = await Promise.all(calls)
        expect(results.every((r) => r.status === 'approved')).toBe(true)
        expect(performance.now() - started).toBeLessThan(2_000)
      })

      it('refuses a negative latency', () => {
        expect(() => new TestProcessor({ db: database.store.db, latencyMs: -1 })).toThrow(/latencyMs/)
      })
    })
  })

  describe(`${dialect}: card tokens`, () => {
    let database: TestDatabase
    const vault = createCardVault(Buffer.alloc(32, 42))
    const PAN = '5123450000000008'

    beforeAll(async () => {
      database = await createTestDatabase(dialect)
    })

    afterAll(async () => {
      await database?.drop()
    })

    const card = (overrides: Partial<Parameters<typeof insertCardToken>[2]> = {}) => ({
      merchantId: MERCHANT,
      purpose: 'saved' as const,
      customerIdentifier: 'customer-1',
      number: '5123 4500 0000 0008',
      expiryMonth: '01',
      expiryYear: '39',
      holderName: 'Test Holder',
      now: NOW,
      ...overrides,
    })

    it('stores a card without its number in clear', async () => {
      const row = await insertCardToken(database.store.db, vault, card())
      expect(row).toMatchObject({
        merchant_id: MERCHANT,
        purpose: 'saved',
        customer_identifier: 'customer-1',
        masked_number: '512345xxxxxx0008',
        brand: 'mastercard',
        issuer: 'Test Bank',
        expiry_month: '01',
        expiry_year: '39',
        holder_name: 'Test Holder',
        created_at: NOW,
        deleted_at: null,
      })
      expect(row.token).toMatch(/^TKN-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
      expect(row.pan_hash).toBe(vault.hashPan(PAN))

      // Read the row back as the database holds it, every column as text.
      const raw = await findCardTokenById(database.store.db, MERCHANT, row.id)
      if (!raw) throw new Error(`Card token ${row.id} was not stored`)
      for (const [column, value] of Object.entries(raw)) {
        expect(String(value), column).not.toContain(PAN)
        // Nor a long run of its digits (the masked form keeps only 6 + 4).
        expect(String(value), column).not.toContain(PAN.slice(0, 12))
        expect(String(value), column).not.toContain(PAN.slice(4))
      }
      for (const value of Object.values(row)) expect(String(value)).not.toContain(PAN)

      expect(readCardNumber(vault, row)).toBe(PAN)
      expect(readCardNumber(vault, raw)).toBe(PAN)
    })

    it('finds tokens only for their merchant', async () => {
      const options = card({ purpose: 'session', customerIdentifier: null })
      const row = await insertCardToken(database.store.db, vault, options)
      expect(await findCardTokenByToken(database.store.db, MERCHANT, row.token)).toEqual(row)
      expect(await findCardTokenById(database.store.db, MERCHANT, row.id)).toEqual(row)
      expect(await findCardTokenByToken(database.store.db, OTHER_MERCHANT, row.token)).toBeUndefined()
      expect(await findCardTokenById(database.store.db, OTHER_MERCHANT, row.id)).toBeUndefined()
      expect(await findCardTokenByToken(database.store.db, MERCHANT, `TKN-${randomUUID()}`)).toBeUndefined()
    })

    it('lists a customer’s live saved cards and finds the same card again by hash', async () => {
      const customer = `customer-${randomUUID()}`
      const first = await insertCardToken(database.store.db, vault, card({ customerIdentifier: customer }))
      const second = await insertCardToken(
        database.store.db,
        vault,
        card({ customerIdentifier: customer, number: '4508750015741019', holderName: null, now: NOW + 1 }),
      )
      await insertCardToken(database.store.db, vault, card({ customerIdentifier: customer, purpose: 'recurring' }))
      const elsewhere = card({ customerIdentifier: customer, merchantId: OTHER_MERCHANT })
      await insertCardToken(database.store.db, vault, elsewhere)
      await insertCardToken(database.store.db, vault, card({ customerIdentifier: `${customer}-other` }))

      expect(await listSavedTokens(database.store.db, MERCHANT, customer)).toEqual([first, second])
      expect(second).toMatchObject({ brand: 'visa', masked_number: '450875xxxxxx1019' })
      expect(await findSavedTokenByPanHash(database.store.db, MERCHANT, customer, vault.hashPan(PAN))).toEqual(first)
      expect(
        await findSavedTokenByPanHash(database.store.db, OTHER_MERCHANT, customer, vault.hashPan('4508750015741019')),
      ).toBeUndefined()

      expect(await markCardTokenDeleted(database.store.db, MERCHANT, first.id, NOW + 5)).toBe(true)
      expect(await markCardTokenDeleted(database.store.db, MERCHANT, first.id, NOW + 6)).toBe(false)
      expect(await listSavedTokens(database.store.db, MERCHANT, customer)).toEqual([second])
      expect(await findCardTokenByToken(database.store.db, MERCHANT, first.token)).toBeUndefined()
      // History keeps pointing at the card it was paid with.
      expect(await findCardTokenById(database.store.db, MERCHANT, first.id)).toMatchObject({ deleted_at: NOW + 5 })
    })

    it('knows Mada and Amex, and refuses a number of no accepted brand without echoing it', async () => {
      const mada = await insertCardToken(database.store.db, vault, card({ number: '4464040000000007' }))
      expect(mada).toMatchObject({ brand: 'mada', masked_number: '446404xxxxxx0007' })
      const amex = await insertCardToken(database.store.db, vault, card({ number: '345678901234564' }))
      expect(amex).toMatchObject({ brand: 'amex', masked_number: '345678xxxxx4564' })
      const attempt = insertCardToken(database.store.db, vault, card({ number: '6011000990139424' }))
      await expect(attempt).rejects.toThrow(/601100xxxxxx9424/)
      await expect(attempt).rejects.not.toThrow(/6011000990139424/)
    })
  })
}
