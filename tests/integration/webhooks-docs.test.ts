import { randomUUID } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { makePublicIdKeys } from '../../src/domain/public-ids.js'
import type { Deps } from '../../src/deps.js'
import { listOutboxEvents } from '../../src/store/outbox.repository.js'
import { insertCardTokenRow } from '../../src/store/card-token.repository.js'
import { linkInvoiceToRecurrence } from '../../src/store/invoice.repository.js'
import { insertRecurrence } from '../../src/store/recurrence.repository.js'
import { insertTransaction } from '../../src/store/transaction.repository.js'
import { updateWebhookSecret } from '../../src/store/webhook-settings.repository.js'
import { enqueueEvents, enqueuePaymentStatusChanged, enqueueRecurringUpdate } from '../../src/webhooks/outbox.js'
import { signatureStringForBody, signWebhook } from '../../src/webhooks/signature.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { insertInvoice, merchantSignedText, merchantVerifies } from './webhooks-receiver.js'

/**
 * The event catalogue of docs/webhooks.md is generated here from the real outbox code: fixed
 * rows go through enqueue… exactly as in production, and the stored bodies are printed between
 * `<!-- sample:NAME -->` and `<!-- /sample -->` markers. The test fails when the document and
 * the code disagree; `UPDATE_DOCS=1 npx vitest run tests/integration/webhooks-docs.test.ts`
 * rewrites the blocks.
 */

const DOC = new URL('../../docs/webhooks.md', import.meta.url)
const SECRET = 'sample-webhook-secret'
/** Kuwait wall-clock time (UTC+3, no DST) as epoch ms. */
const kuwait = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) => Date.UTC(y, mo - 1, d, h - 3, mi, s, ms)

/** A v1 or v2 merchant with a Monthly recurrence whose second cycle was just charged (transaction Succss). */
async function seedRenewal(app: TestApp, version: 'v1' | 'v2') {
  const db = app.deps.store.db
  const { merchant } = await app.createMerchant({ webhookUrl: 'https://merchant.example/webhooks/myfatoorah', webhookVersion: version })
  await updateWebhookSecret(db, merchant.id, SECRET)
  const t0 = kuwait(2026, 1, 10, 12, 15, 7, 293)
  const cardId = await insertCardTokenRow(db, {
    merchant_id: merchant.id,
    // Recurring tokens never appear in bodies (reference §3.1), so any unique one will do.
    token: `TKN-${randomUUID()}`,
    purpose: 'recurring',
    customer_identifier: null,
    pan_encrypted: 'not-a-real-ciphertext',
    pan_hash: 'c1f6a3bd8e1f4c0e9b2e6a7f5d4c3b2a1908f7e6d5c4b3a29180706f5e4d3c2b',
    masked_number: '512345xxxxxx0008',
    brand: 'mastercard',
    issuer: 'AFFINITY BANK',
    expiry_month: '01',
    expiry_year: '39',
    holder_name: 'FATIMA AHMAD',
    created_at: t0,
    deleted_at: null,
  })
  const initial = await insertInvoice(db, merchant.id, { now: t0, status: 'Paid', customerReference: 'order-1001' })
  const recurrenceId = await insertRecurrence(db, {
    merchant_id: merchant.id,
    initial_invoice_id: initial,
    status: 'Active',
    recurring_type: 'Monthly',
    interval_days: null,
    iteration: 12,
    retry_count: 3,
    amount_minor: 10_000,
    currency: 'KWD',
    anchor_date: '2026-01-10',
    card_token_id: cardId,
    executed_times: 1,
    next_cycle: 2,
    failed_attempts: 0,
    next_attempt_at: kuwait(2026, 3, 10, 4),
    last_pay_at: kuwait(2026, 2, 10, 4),
    lease_until: null,
    created_at: t0,
    updated_at: kuwait(2026, 2, 10, 4),
  })
  await linkInvoiceToRecurrence(db, initial, recurrenceId, 0)
  const t1 = kuwait(2026, 2, 10, 4, 0, 1, 250)
  const renewal = await insertInvoice(db, merchant.id, { now: t1, status: 'Paid', customerReference: 'order-1001', recurrenceId })
  const { id: transactionId } = await insertTransaction(db, {
    invoice_id: renewal,
    merchant_id: merchant.id,
    status: 'Succss',
    channel: 'automatic',
    payment_method_id: 2,
    gateway: 'VISA/MASTER',
    amount_minor: 10_000,
    currency: 'KWD',
    card_token_id: cardId,
    error_code: null,
    error_message: null,
    reference_id: '604101000123',
    track_id: null,
    authorization_id: '262890',
    ip_address: null,
    attempt_id: null,
    created_at: t1,
    updated_at: t1,
  })
  return { merchantId: merchant.id, recurrenceId, transactionId, t1 }
}

async function generateSamples(app: TestApp): Promise<Map<string, unknown>> {
  const deps: Deps = { ...app.deps, ids: makePublicIdKeys('dawri-docs-samples') }
  const db = app.deps.store.db
  const samples = new Map<string, unknown>()
  for (const version of ['v2', 'v1'] as const) {
    const { merchantId, recurrenceId, transactionId, t1 } = await seedRenewal(app, version)
    await db.transaction().execute(async (trx) => {
      await enqueuePaymentStatusChanged(trx, deps, { transactionId, now: t1 + 150 })
      await enqueueRecurringUpdate(trx, deps, { recurrenceId, transactionId, now: t1 + 160 })
    })
    const rows = await listOutboxEvents(db, { merchantId })
    for (const row of rows) {
      const name = `${version}-${row.event_code === 1 ? 'payment-status-changed' : 'recurring-updates'}`
      samples.set(name, JSON.parse(row.body))
    }
  }
  return samples
}

function renderBlock(name: string, body: unknown): string {
  const version = name.startsWith('v1') ? 'v1' : 'v2'
  const text = signatureStringForBody(version, body)
  return [
    `<!-- sample:${name} -->`,
    '```json',
    JSON.stringify(body, null, 2),
    '```',
    '',
    `Signed text: \`${text}\``,
    '',
    `\`MyFatoorah-Signature: ${signWebhook(text, SECRET)}\` (secret \`${SECRET}\`)`,
    '<!-- /sample -->',
  ].join('\n')
}

function updateDocument(document: string, samples: Map<string, unknown>): string {
  let updated = document
  for (const [name, body] of samples) {
    const pattern = new RegExp(`<!-- sample:${name} -->[\\s\\S]*?<!-- /sample -->`)
    if (!pattern.test(updated)) throw new Error(`docs/webhooks.md lacks a <!-- sample:${name} --> … <!-- /sample --> block`)
    updated = updated.replace(pattern, () => renderBlock(name, body))
  }
  return updated
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: webhook documentation samples`, () => {
    let app: TestApp
    beforeAll(async () => {
      app = await startTestApp(dialect)
    })
    afterAll(async () => {
      await app.close()
    })

    it('docs/webhooks.md shows the bodies the code sends, with signatures a merchant can verify', async () => {
      const samples = await generateSamples(app)
      expect([...samples.keys()].sort()).toEqual([
        'v1-payment-status-changed',
        'v1-recurring-updates',
        'v2-payment-status-changed',
        'v2-recurring-updates',
      ])
      for (const [name, body] of samples) {
        const version = name.slice(0, 2)
        // The documented signature is also what an independent verifier computes.
        expect(signatureStringForBody(version === 'v1' ? 'v1' : 'v2', body)).toBe(merchantSignedText(version, body))
        expect(merchantVerifies(version, body, SECRET, signWebhook(merchantSignedText(version, body), SECRET))).toBe(true)
      }
      const document = readFileSync(DOC, 'utf8')
      const updated = updateDocument(document, samples)
      if (process.env.UPDATE_DOCS === '1') writeFileSync(DOC, updated)
      else expect(document, 'docs/webhooks.md is out of date: run UPDATE_DOCS=1 npx vitest run tests/integration/webhooks-docs.test.ts').toBe(updated)
    })

    it('the batch writer stores, event for event, what the one-event writers store', async () => {
      const db = app.deps.store.db
      const seeds = [await seedRenewal(app, 'v2'), await seedRenewal(app, 'v1')]
      const now = seeds[0]!.t1 + 500
      const rowsOf = async (merchantId: number) =>
        (await listOutboxEvents(db, { merchantId })).map(
          ({ reference_number, event_code, entity_key, status, target_url, invoice_id, customer_reference, body }) => ({
            reference_number,
            event_code,
            entity_key,
            status,
            target_url,
            invoice_id,
            customer_reference,
            body,
          }),
        )
      // One by one…
      await db.transaction().execute(async (trx) => {
        for (const { transactionId, recurrenceId } of seeds) {
          await enqueuePaymentStatusChanged(trx, app.deps, { transactionId, now })
          await enqueueRecurringUpdate(trx, app.deps, { recurrenceId, transactionId, now })
        }
      })
      const single = await Promise.all(seeds.map(({ merchantId }) => rowsOf(merchantId)))
      // …then the same events of both merchants, interleaved, in one batch.
      await db.transaction().execute((trx) =>
        enqueueEvents(
          trx,
          app.deps,
          seeds.flatMap(({ transactionId, recurrenceId }) => [
            { kind: 'payment' as const, transactionId },
            { kind: 'recurring' as const, recurrenceId, transactionId },
          ]),
          now,
        ),
      )
      const all = await Promise.all(seeds.map(({ merchantId }) => rowsOf(merchantId)))
      for (const [index, rows] of all.entries()) {
        const first = single[index] ?? []
        const batched = rows.slice(first.length)
        expect(batched.map((r) => r.event_code)).toEqual([1, 5])
        // Identical but for the event's own reference, the merchant's number of its row.
        const withoutId = (row: (typeof rows)[number]) => {
          const { reference_number, body, ...rest } = row
          return { ...rest, body: body.split(`WH-${reference_number}`).join('WH-?') }
        }
        expect(batched.map(withoutId)).toEqual(first.map(withoutId))
        // v2 bodies carry their reference (v1 has none): the right one for each row.
        if (index === 0) for (const row of batched) expect(row.body).toContain(`"Reference":"WH-${row.reference_number}"`)
      }
    })
  })
}
