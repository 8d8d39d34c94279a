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
