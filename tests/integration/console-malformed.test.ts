import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { consoleClient, formToken, signIn, type ConsoleClient } from './console-support.js'

const ADMIN_TOKEN = 'console-malformed-admin-token-01'

/** Query values no form of ours sends. */
const ODD_VALUES = ['', ' ', '\u0000', 'a\u0000b', '%', "'; drop table recurrences; --", '<script>', 'RECUR', 'RECUR99999999999999999999', 'WH-999999999999999', 'WH-', '999999999999999', '-1', '1e308', 'x'.repeat(5000), '\ud800', '٣٤٥']

/** Percent-encodes a value; a lone surrogate (which encodeURIComponent refuses) becomes invalid UTF-8 bytes. */
function encode(value: string): string {
  try {
    return encodeURIComponent(value)
  } catch {
    return '%ED%A0%80'
  }
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: the console under malformed input`, () => {
    let t: TestApp
    let merchant: ConsoleClient
    let operator: ConsoleClient

    beforeAll(async () => {
      t = await startTestApp(dialect, { env: { DAWRI_ADMIN_TOKEN: ADMIN_TOKEN } })
      const { apiKey } = await t.createMerchant()
      merchant = await signIn(t.baseUrl, apiKey)
      operator = await signIn(t.baseUrl, ADMIN_TOKEN, { operator: true })
    })
    afterAll(async () => t?.close())

    it('answers every odd query, path and form with a page, never a 5xx, and never echoes markup', async () => {
      for (const client of [merchant, operator]) {
        for (const value of ODD_VALUES) {
          const encoded = encode(value)
          for (const path of [
            `/console/recurrences?q=${encoded}&status=${encoded}&before=${encoded}&merchant=${encoded}`,
            `/console/invoices?q=${encoded}&status=${encoded}&before=${encoded}`,
            `/console/webhooks?q=${encoded}&status=${encoded}&event=${encoded}&before=${encoded}`,
            `/console/recurrences/${encoded || 'x'}`,
            `/console/invoices/${encoded || 'x'}`,
            `/console/webhooks/${encoded || 'x'}`,
            `/console/sandbox?merchant=${encoded}&done=advanced&now=${encoded}&c=${encoded}`,
            `/console/language?to=${encoded}&back=${encoded}`,
          ]) {
            const page = await client.get(path)
            expect(page.status, path).toBeLessThan(500)
            expect(page.html, path).not.toContain('<script>')
          }
        }
        const csrf = formToken((await client.get('/console')).html)
        for (const value of ODD_VALUES.slice(0, 8)) {
          for (const [path, fields] of [
            ['/console/sandbox/advance', { days: value, merchant: value }],
            ['/console/sandbox/chaos', { DropProbability: value, MaxDelaySeconds: value, merchant: value }],
            [`/console/recurrences/${encode(value) || 'x'}/resume`, {}],
            [`/console/invoices/${encode(value) || 'x'}/refund`, { amount: value, comment: value }],
            [`/console/webhooks/${encode(value) || 'x'}/resend`, {}],
          ] as const) {
            const answer = await client.post(path, { csrf, ...fields })
            expect(answer.status, `${path} ${JSON.stringify(fields)}`).toBeLessThan(500)
          }
        }
      }
      // The language switch never leaves the console.
      const away = await merchant.get(`/console/language?to=ar&back=${encodeURIComponent('//evil.example/console')}`)
      expect(away.location).toBe('/console')
      const anonymous = consoleClient(t.baseUrl)
      expect((await anonymous.post('/console/sign-in', { csrf: 'x', apiKey: '\u0000' })).status).toBe(403)
    }, 240_000)
  })
}
