import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'

import type { FastifyInstance } from 'fastify'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { loadConfig } from '../../src/config.js'
import { makePublicIdKeys } from '../../src/domain/public-ids.js'
import { buildApp } from '../../src/http/build-app.js'
import { loggerOptions } from '../../src/http/logger.js'
import { routeModules } from '../../src/app/modules.js'
import { createCardVault } from '../../src/processor/card-vault.js'
import { TestProcessor } from '../../src/processor/test-processor.js'
import { createMerchant } from '../../src/services/create-merchant.js'
import type { Deps } from '../../src/deps.js'
import { ensureSetting } from '../../src/store/migrate.js'
import { dumpTables, listRows } from '../../src/store/table-inspection.js'
import { createPrometheusTelemetry } from '../../src/telemetry/prometheus-telemetry.js'
import { DIALECTS } from '../support/dialects.js'
import { createTestDatabase, type TestDatabase } from '../support/test-database.js'
import { csrfOf } from './checkout-support.js'

/**
 * Cards whose number and security code must never show up anywhere. Not the sandbox's test cards:
 * the sandbox banner publishes those on purpose. Any other valid number is approved.
 */
const SECRETS = [
  { number: '5555555555554444', spaced: '5555 5555 5555 4444', cvv: '739' },
  { number: '378282246310005', spaced: '3782 822463 10005', cvv: '7391' },
  { number: '4111111111111111', spaced: '4111 1111 1111 1111', cvv: '846' },
]

/** A 3- or 4-digit code as a value of its own (not inside a timestamp, id or hash). */
const codePattern = (cvv: string) => new RegExp(`(?<![0-9A-Za-z])${cvv}(?![0-9A-Za-z])`)

function expectClean(where: string, texts: readonly string[]): void {
  for (const text of texts) {
    for (const secret of SECRETS) {
      expect(text.includes(secret.number), `${where} contains a card number: ${text.slice(0, 300)}`).toBe(false)
      expect(text.includes(secret.spaced), `${where} contains a card number: ${text.slice(0, 300)}`).toBe(false)
      expect(codePattern(secret.cvv).test(text), `${where} contains a security code ${secret.cvv}: ${text.slice(0, 300)}`).toBe(false)
    }
  }
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: card data never leaks`, () => {
    const logLines: string[] = []
    const bodies: string[] = []
    let database: TestDatabase
    let app: FastifyInstance
    let dataDir: string
    let baseUrl = ''
    let apiKey = ''
    let bypassKey = ''

    beforeAll(async () => {
      database = await createTestDatabase(dialect)
      dataDir = mkdtempSync(join(tmpdir(), 'dawri-leaks-'))
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          logLines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''))
          done()
        },
      })
      const config = loadConfig({}, { DATABASE_URL: database.url, DAWRI_DATA_DIR: dataDir, LOG_LEVEL: 'trace', PORT: '0' })
      const deps: { -readonly [K in keyof Deps]: Deps[K] } = {
        config,
        store: database.store,
        ids: makePublicIdKeys(await ensureSetting(database.store, 'public_id_key', () => 'unused')),
        clock: { now: () => Date.now() },
        // The production logger options (redaction included), writing where the test reads.
        logger: pino(loggerOptions('trace'), sink),
        processor: new TestProcessor({ db: database.store.db }),
        vault: createCardVault(Buffer.alloc(32, 9)),
        telemetry: createPrometheusTelemetry({ store: database.store, clock: { now: () => Date.now() }, logger: pino({ level: 'silent' }) }),
      }
      app = await buildApp(deps, { extraRoutes: routeModules })
      await app.listen({ port: 0, host: '127.0.0.1' })
      const address = app.server.address()
      baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
      deps.config = Object.freeze({ ...config, publicUrl: baseUrl })
      const now = Date.now()
      const base = { country: 'KWT' as const, recurringEnabled: true, webhookUrl: 'https://hooks.example.test/x', webhookVersion: 'v2' as const, now }
      apiKey = (await createMerchant(database.store, { ...base, name: 'Leak Test', bypass3dsEnabled: false })).apiKey
      bypassKey = (await createMerchant(database.store, { ...base, name: 'Leak Bypass', bypass3dsEnabled: true })).apiKey
    })

    afterAll(async () => {
      await app?.close()
      await database?.drop()
      rmSync(dataDir, { recursive: true, force: true })
    })

    /** Any HTTP call, its body kept for the final check. */
    const request = async (path: string, init: RequestInit & { json?: unknown; key?: string } = {}) => {
      const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) }
      if (init.key) headers.authorization = `Bearer ${init.key}`
      if (init.json !== undefined) headers['content-type'] = 'application/json'
      const response = await fetch(path.startsWith('http') ? path : baseUrl + path, {
        ...init,
        headers,
        redirect: 'manual',
        body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
      })
      const text = await response.text()
      bodies.push(text, response.headers.get('location') ?? '')
      return { status: response.status, text, location: response.headers.get('location') }
    }
    const form = (url: string, fields: Record<string, string>) =>
      request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() })
    const invoice = async (key: string, body: Record<string, unknown>) => {
      const response = await request('/v2/ExecutePayment', { method: 'POST', key, json: { InvoiceValue: 2, CallBackUrl: 'https://shop.example.test/ok', ...body } })
      return JSON.parse(response.text).Data as { PaymentURL: string }
    }
    const otp = async (url: string) => {
      const page = await request(url)
      return form(url, { csrf: csrfOf(page.text), otp: '123456' })
    }

    it('pays with full card numbers and codes through every entry point', async () => {
      for (const [index, secret] of SECRETS.entries()) {
        // Hosted checkout: first with a mistake (the form comes back), then right.
        const hosted = await invoice(apiKey, { PaymentMethodId: 2 })
        const page = await request(hosted.PaymentURL)
        const fields = { holderName: 'Leak Test', number: secret.spaced, expiryMonth: '13', expiryYear: '39', securityCode: secret.cvv }
        expect((await form(hosted.PaymentURL, { csrf: csrfOf(page.text), ...fields })).status).toBe(400)
        const accepted = await form(hosted.PaymentURL, { csrf: csrfOf(page.text), ...fields, expiryMonth: '01' })
        expect(accepted.status).toBe(303)
        expect((await otp(accepted.location ?? '')).status).toBe(303)

        // DirectPayment: a refused body, a saved token with an Idempotency-Key, and Bypass3DS.
        const card = { Number: secret.number, ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: secret.cvv, HolderName: 'Leak Test' }
        const direct = await invoice(apiKey, { PaymentMethodId: 9 })
        const path = new URL(direct.PaymentURL).pathname
        expect((await request(path, { method: 'POST', key: apiKey, json: { PaymentType: 'card', Card: { ...card, ExpiryYear: 'xx' } } })).status).toBe(400)
        const truncated = JSON.stringify({ PaymentType: 'card', Card: card }).slice(0, -8)
        expect((await request(path, { method: 'POST', key: apiKey, body: truncated, headers: { 'content-type': 'application/json' } })).status).toBe(400)
        const saved = await request(path, { method: 'POST', key: apiKey, json: { PaymentType: 'card', Card: card, SaveToken: true }, headers: { 'Idempotency-Key': `leak-${index}` } })
        expect(saved.status).toBe(200)
        expect((await otp(JSON.parse(saved.text).Data.PaymentURL)).status).toBe(303)
        const bypass = await invoice(bypassKey, { PaymentMethodId: 9 })
        const charged = await request(new URL(bypass.PaymentURL).pathname, { method: 'POST', key: bypassKey, json: { PaymentType: 'card', Card: card, Bypass3DS: true } })
        expect(JSON.parse(charged.text).Data.Status).toBe('SUCCESS')

        // Card View: the frame's submit, then ExecutePayment with the session and the OTP.
        const session = JSON.parse((await request('/v2/InitiateSession', { method: 'POST', key: apiKey, json: { CustomerIdentifier: `customer-${index}`, SaveToken: true } })).text).Data
        expect((await request('/cardview/submit', { method: 'POST', json: { SessionId: session.SessionId, Card: { ...card, SecurityCode: '1' } } })).status).toBe(400)
        expect((await request('/cardview/submit', { method: 'POST', json: { SessionId: session.SessionId, Card: card } })).status).toBe(200)
        const embedded = await invoice(apiKey, { SessionId: session.SessionId })
        expect((await otp(embedded.PaymentURL)).status).toBe(303)
        await request('/v2/InitiateSession', { method: 'POST', key: apiKey, json: { CustomerIdentifier: `customer-${index}` } })
      }
      expect(logLines.length).toBeGreaterThan(0)
    })

    it('no response body, log line or database column holds a card number or security code', async () => {
      expect(bodies.length).toBeGreaterThan(30)
      expectClean('an HTTP response', bodies)
      expectClean('a log line', logLines)
      const tables = await dumpTables(database.store.db)
      expect(tables.map((table) => table.name)).toEqual(expect.arrayContaining(['card_tokens', 'transactions', 'invoices', 'processor_ledger']))
      for (const table of tables) {
        expectClean(`table ${table.name}`, table.rows.map((row) => JSON.stringify(row)))
      }
      // The vault does hold the numbers, encrypted.
      const tokens = await listRows(database.store.db, 'card_tokens')
      expect(tokens.map((token) => token.masked_number)).toEqual(expect.arrayContaining(['555555xxxxxx4444', '378282xxxxx0005', '411111xxxxxx1111']))
    })
  })
}
