import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { fromRecurringId } from '../../src/domain/public-ids.js'
import { rotateApiKey } from '../../src/store/merchant.repository.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { consoleClient, formToken, signIn } from './console-support.js'

const ADMIN_TOKEN = 'console-admin-token-0123456789'

/** Creates a Draft recurrence through ExecutePayment; returns its ids. */
async function createRecurrence(app: TestApp, apiKey: string, reference: string): Promise<{ recurringId: string; invoiceId: number }> {
  const response = await app.call('POST', '/v2/ExecutePayment', apiKey, {
    InvoiceValue: 12.345,
    PaymentMethodId: 2,
    CustomerName: `Customer ${reference}`,
    CustomerReference: reference,
    RecurringModel: { RecurringType: 'Monthly', Iteration: 3, RetryCount: 2 },
  })
  expect(response.status, JSON.stringify(response.body)).toBe(200)
  return { recurringId: response.body.Data.RecurringId, invoiceId: response.body.Data.InvoiceId }
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: the console's sign-in, sessions, CSRF and tenant isolation`, () => {
    let t: TestApp
    let alice: { apiKey: string; merchantId: number }
    let bob: { apiKey: string; merchantId: number }
    let aliceRecurrence: { recurringId: string; invoiceId: number }
    let bobRecurrence: { recurringId: string; invoiceId: number }

    beforeAll(async () => {
      t = await startTestApp(dialect, { env: { DAWRI_ADMIN_TOKEN: ADMIN_TOKEN } })
      const a = await t.createMerchant({ name: 'Alice Shop' })
      const b = await t.createMerchant({ name: 'Bob Store' })
      alice = { apiKey: a.apiKey, merchantId: a.merchant.id }
      bob = { apiKey: b.apiKey, merchantId: b.merchant.id }
      aliceRecurrence = await createRecurrence(t, alice.apiKey, 'alice-ref-1')
      bobRecurrence = await createRecurrence(t, bob.apiKey, 'bob-ref-1')
    })
    afterAll(async () => t?.close())

    it('sends a visitor without a session to the sign-in page, and refuses a forged cookie', async () => {
      const anonymous = consoleClient(t.baseUrl)
      for (const path of ['/console', '/console/recurrences', `/console/recurrences/${aliceRecurrence.recurringId}`, '/console/webhooks', '/console/sandbox']) {
        const page = await anonymous.get(path)
        expect(page.status, path).toBe(303)
        expect(page.location).toBe('/console/sign-in')
      }
      const session = await signIn(t.baseUrl, alice.apiKey)
      const [payload, signature] = session.cookie.replace('dawri_console=', '').split('.')
      const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
      // The same claims for Bob's key id, with Alice's signature: refused.
      const forged = Buffer.from(JSON.stringify({ ...claims, keyId: Number(claims.keyId) + 1 }), 'utf8').toString('base64url')
      anonymous.cookie = `dawri_console=${forged}.${signature}`
      expect((await anonymous.get('/console')).status).toBe(303)
    })

    it("shows a merchant its own recurrences, invoices and pages only; another merchant's ids answer 404 and its actions change nothing", async () => {
      const session = await signIn(t.baseUrl, bob.apiKey)
      const list = await session.get('/console/recurrences')
      expect(list.status).toBe(200)
      expect(list.html).toContain(bobRecurrence.recurringId)
      expect(list.html).not.toContain(aliceRecurrence.recurringId)
      expect(list.html).not.toContain('alice-ref-1')
      expect((await session.get('/console/recurrences?q=alice-ref-1')).html).toContain('Nothing matches.')
      expect((await session.get(`/console/recurrences?q=${aliceRecurrence.recurringId}`)).html).toContain('Nothing matches.')
      expect((await session.get(`/console/recurrences/${aliceRecurrence.recurringId}`)).status).toBe(404)
      expect((await session.get(`/console/invoices/${aliceRecurrence.invoiceId}`)).status).toBe(404)
      expect((await session.get(`/console/invoices?q=${aliceRecurrence.invoiceId}`)).html).not.toContain(`>${aliceRecurrence.invoiceId}<`)
      const invoices = await session.get('/console/invoices')
      expect(invoices.html).toContain(`>${bobRecurrence.invoiceId}<`)
      expect(invoices.html).not.toContain(`>${aliceRecurrence.invoiceId}<`)
      // The operator's merchant filter is not a merchant's: Bob's session ignores it.
      expect((await session.get(`/console/recurrences?merchant=${alice.merchantId}`)).html).not.toContain(aliceRecurrence.recurringId)

      const csrf = formToken(list.html)
      const cancel = await session.post(`/console/recurrences/${aliceRecurrence.recurringId}/cancel`, { csrf })
      expect(cancel.status).toBe(404)
      const alices = await t.call('GET', `/v2/GetRecurringPayment?recurringId=${aliceRecurrence.recurringId}`, alice.apiKey)
      expect(alices.body.Data.RecurringPayment[0].RecurringStatus).toBe('Draft')

      // The operator sees both, and the merchant filter narrows to one.
      const operator = await signIn(t.baseUrl, ADMIN_TOKEN, { operator: true })
      const all = await operator.get('/console/recurrences')
      expect(all.html).toContain(aliceRecurrence.recurringId)
      expect(all.html).toContain(bobRecurrence.recurringId)
      const onlyAlice = await operator.get(`/console/recurrences?merchant=${alice.merchantId}`)
      expect(onlyAlice.html).toContain(aliceRecurrence.recurringId)
      expect(onlyAlice.html).not.toContain(bobRecurrence.recurringId)
      expect((await operator.get(`/console/recurrences/${aliceRecurrence.recurringId}`)).status).toBe(200)
    })

    it('refuses an action without the session\'s CSRF token or from another origin, and changes nothing', async () => {
      const session = await signIn(t.baseUrl, alice.apiKey)
      const other = await signIn(t.baseUrl, bob.apiKey)
      const page = await session.get(`/console/recurrences/${aliceRecurrence.recurringId}`)
      expect(page.status).toBe(200)
      const csrf = formToken(page.html)
      const path = `/console/recurrences/${aliceRecurrence.recurringId}/cancel`
      expect((await session.post(path, {})).status).toBe(403)
      expect((await session.post(path, { csrf: formToken((await other.get('/console')).html) })).status).toBe(403)
      expect((await session.post(path, { csrf: `${csrf}x` })).status).toBe(403)
      expect((await session.post(path, { csrf }, { origin: 'https://evil.example' })).status).toBe(403)
      // Without a session at all: 401, not a redirect that would lose the post.
      expect((await consoleClient(t.baseUrl).post(path, { csrf })).status).toBe(401)
      const unchanged = await t.call('GET', `/v2/GetRecurringPayment?recurringId=${aliceRecurrence.recurringId}`, alice.apiKey)
      expect(unchanged.body.Data.RecurringPayment[0].RecurringStatus).toBe('Draft')

      const cancelled = await session.post(path, { csrf })
      expect(cancelled.status).toBe(303)
      expect(cancelled.location).toBe(`/console/recurrences/${aliceRecurrence.recurringId}?done=cancelled`)
      const after = await t.call('GET', `/v2/GetRecurringPayment?recurringId=${aliceRecurrence.recurringId}`, alice.apiKey)
      expect(after.body.Data.RecurringPayment[0].RecurringStatus).toBe('Canceled')
      const shown = await session.get(`/console/recurrences/${aliceRecurrence.recurringId}?done=cancelled`)
      expect(shown.html).toContain('The recurring payment is cancelled.')
      // A second cancel is refused by the service with its own message, shown on the page.
      const again = await session.post(path, { csrf })
      expect(again.status).toBe(400)
      expect(again.html).toContain('The action was refused')
      expect(fromRecurringId(aliceRecurrence.recurringId, t.deps.ids)).toBeDefined()

      // The cancel wrote Alice a webhook event (Skipped: she has no URL). Bob can neither see nor resend it.
      const log = await session.get('/console/webhooks')
      const reference = /href="\/console\/webhooks\/(WH-[^"]+)"/.exec(log.html)?.[1]
      expect(reference).toBeDefined()
      expect((await session.get(`/console/webhooks/${reference}`)).status).toBe(200)
      expect((await other.get('/console/webhooks')).html).not.toContain(`${reference}<`)
      expect((await other.get(`/console/webhooks/${reference}`)).status).toBe(404)
      const resend = await other.post(`/console/webhooks/${reference}/resend`, { csrf: formToken((await other.get('/console')).html) })
      expect(resend.status).toBe(404)
    })

    it('issues an HttpOnly, SameSite=Strict session cookie scoped to /console, and signs out', async () => {
      const session = consoleClient(t.baseUrl)
      const csrf = formToken((await session.get('/console/sign-in')).html)
      const answer = await session.post('/console/sign-in', { csrf, adminToken: ADMIN_TOKEN })
      expect(answer.status).toBe(303)
      expect(answer.setCookie).toMatch(/^dawri_console=[^;]+; Path=\/console; Max-Age=43200; SameSite=Strict; HttpOnly$/)
      const overview = await session.get('/console')
      expect(overview.status).toBe(200)
      expect(overview.html).toContain('Operator (every merchant)')
      const signOut = await session.post('/console/sign-out', { csrf: formToken(overview.html) })
      expect(signOut.status).toBe(303)
      expect(signOut.setCookie).toContain('Max-Age=0')
      expect((await session.get('/console')).status).toBe(303)
    })

    it("ends a merchant's session once its API key is rotated away", async () => {
      const carol = await t.createMerchant({ name: 'Carol Cafe' })
      const session = await signIn(t.baseUrl, carol.apiKey)
      expect((await session.get('/console')).status).toBe(200)
      await t.deps.store.db.transaction().execute((trx) => rotateApiKey(trx, carol.merchant.id, 'carol-new-key-0123456789abcdef', Date.now()))
      const after = await session.get('/console')
      expect(after.status).toBe(303)
      expect(after.location).toBe('/console/sign-in')
      expect((await signIn(t.baseUrl, 'carol-new-key-0123456789abcdef')).cookie).not.toBe(session.cookie)
    })

    it('refuses a wrong API key, a wrong admin token and a sign-in without its CSRF token, then throttles the address', async () => {
      const client = consoleClient(t.baseUrl)
      const csrf = formToken((await client.get('/console/sign-in')).html)
      const wrongKey = await client.post('/console/sign-in', { csrf, apiKey: `${alice.apiKey}x` })
      expect(wrongKey.status).toBe(401)
      expect(wrongKey.html).toContain('This key is not valid or has been revoked.')
      expect(wrongKey.setCookie ?? '').not.toContain('dawri_console=')
      const wrongToken = await client.post('/console/sign-in', { csrf, adminToken: `${ADMIN_TOKEN}x` })
      expect(wrongToken.status).toBe(401)
      expect(wrongToken.html).toContain('This admin token is not valid.')
      const noCsrf = await client.post('/console/sign-in', { apiKey: alice.apiKey })
      expect(noCsrf.status).toBe(403)
      expect(noCsrf.setCookie ?? '').not.toContain('dawri_console=')
      const crossSite = await client.post('/console/sign-in', { csrf, apiKey: alice.apiKey }, { origin: 'https://evil.example' })
      expect(crossSite.status).toBe(403)

      // Ten failures from one address within five minutes: the right key is refused too, with 429.
      for (let failure = 2; failure < 10; failure += 1) expect((await client.post('/console/sign-in', { csrf, apiKey: `wrong-${failure}` })).status).toBe(401)
      const throttled = await client.post('/console/sign-in', { csrf, apiKey: alice.apiKey })
      expect(throttled.status).toBe(429)
      expect(client.cookie).toBe('')
    })
  })
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: the console without DAWRI_ADMIN_TOKEN, behind an https public URL`, () => {
    let t: TestApp
    beforeAll(async () => {
      t = await startTestApp(dialect, { env: { DAWRI_PUBLIC_URL: 'https://pay.example.test' } })
    })
    afterAll(async () => t?.close())

    it('offers no operator sign-in and refuses any admin token', async () => {
      const client = consoleClient(t.baseUrl)
      const page = await client.get('/console/sign-in')
      expect(page.status).toBe(200)
      expect(page.html).not.toContain('Operator sign-in')
      expect(page.html).not.toContain('name="adminToken"')
      const answer = await client.post('/console/sign-in', { csrf: formToken(page.html), adminToken: 'anything-at-all-0123456789' })
      expect(answer.status).toBe(401)
      expect(client.cookie).toBe('')
    })

    it('marks the session cookie Secure', async () => {
      const { apiKey } = await t.createMerchant()
      const client = consoleClient(t.baseUrl)
      const answer = await client.post('/console/sign-in', { csrf: formToken((await client.get('/console/sign-in')).html), apiKey })
      expect(answer.status).toBe(303)
      expect(answer.setCookie).toMatch(/^dawri_console=[^;]+; Path=\/console; Max-Age=43200; SameSite=Strict; HttpOnly; Secure$/)
    })
  })
}
