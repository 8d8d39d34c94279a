import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { executePayment, submitCard } from './checkout-support.js'

/** Hosted pages answer malformed bodies with a 4xx, whatever the content type, never a 500. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: hosted pages and malformed bodies`, () => {
    let app: TestApp
    let apiKey: string
    beforeAll(async () => {
      app = await startTestApp(dialect)
      apiKey = (await app.createMerchant()).apiKey
    })
    afterAll(async () => app?.close())

    it('answers malformed JSON and form bodies with a 4xx on every page that takes a POST', async () => {
      const { PaymentURL } = await executePayment(app, apiKey, { CallBackUrl: 'https://merchant.example.test/ok' })
      const otpUrl = (await submitCard(PaymentURL, { number: '5123450000000008' })).location ?? ''
      const targets = [PaymentURL, otpUrl, `${app.baseUrl}/cardview/submit`]
      const bodies: Array<[string, string]> = [
        ['application/json', '{"SessionId": '],
        ['application/json', '\u0000{'],
        ['text/plain', '{{{{'],
        ['application/x-www-form-urlencoded', '%E0%A4%A=%'],
        ['application/x-www-form-urlencoded', 'csrf=%00&number=%00'],
      ]
      for (const url of targets) {
        for (const [type, body] of bodies) {
          const response = await fetch(url, { method: 'POST', redirect: 'manual', headers: { 'content-type': type }, body })
          expect(response.status, `${type} ${JSON.stringify(body)} → ${url}`).toBeGreaterThanOrEqual(400)
          expect(response.status, `${type} ${JSON.stringify(body)} → ${url}`).toBeLessThan(500)
        }
      }
    })
  })
}
