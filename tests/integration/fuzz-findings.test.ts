import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'

/**
 * Each case here is a request the fuzzers (fuzz-*.test.ts) once answered with a 5xx, kept as a
 * fixed regression test on both databases.
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: requests the fuzzer found`, () => {
    let app: TestApp
    let apiKey: string

    beforeAll(async () => {
      app = await startTestApp(dialect)
      apiKey = (await app.createMerchant()).apiKey
    })
    afterAll(async () => app?.close())

    it('GetWebhooks with an EventType number that is no event code is a 400 naming EventType (was a 500 on PostgreSQL)', async () => {
      for (const eventType of ['07070675903511', '99', 99, '2147483648']) {
        const response = await app.call('POST', '/v2/GetWebhooks', apiKey, { EventType: eventType })
        expect(response.status, JSON.stringify(response.body)).toBe(400)
        expect(response.body.ValidationErrors).toEqual([{ Name: 'EventType', Error: expect.any(String) }])
      }
      const known = await app.call('POST', '/v2/GetWebhooks', apiKey, { EventType: '1' })
      expect(known.status, JSON.stringify(known.body)).toBe(200)
    })
  })
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: repeated query parameters`, () => {
    let app: TestApp

    beforeAll(async () => {
      app = await startTestApp(dialect)
    })
    afterAll(async () => app?.close())

    it('the Card View frame with `language` twice answers its page (was a 500); the first value counts', async () => {
      const { apiKey } = await app.createMerchant()
      const session = await app.call('POST', '/v2/InitiateSession', apiKey, {})
      const sessionId = session.body.Data.SessionId as string
      const response = await fetch(`${app.baseUrl}/cardview/frame?sessionId=${sessionId}&language=ar&language=en`)
      expect(response.status).toBe(200)
      expect(await response.text()).toContain('dir="rtl"')
      const unknown = await fetch(`${app.baseUrl}/cardview/frame?language=x&language=y`)
      expect(unknown.status).toBe(404)
    })

    it('a repeated recurringId reads its first value', async () => {
      const { apiKey } = await app.createMerchant()
      const response = await app.call('GET', '/v2/GetRecurringPayment?recurringId=RECUR1&recurringId=RECUR2', apiKey)
      expect(response.status).toBeLessThan(500)
      expect(response.body.IsSuccess).toBe(false)
    })
  })
}
