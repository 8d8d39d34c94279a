import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { Database } from '../../src/store/database.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { rowCounts, tableNames } from './fuzz-support.js'
import { APPROVED_CARD, openMerchantWorld, type MerchantWorld } from './security-fixtures.js'

/**
 * Tenant isolation on every route that takes an identifier: merchant B, with its own valid key,
 * names merchant A's invoices, payments, references, recurrence, refund, session, card token and
 * webhook. Every answer is a refusal or an empty list, never A's data (no identifier or name of
 * A's anywhere in the body), and nothing of anyone's changes.
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: tenant isolation`, () => {
    let app: TestApp
    let a: MerchantWorld
    let b: MerchantWorld
    let tables: Array<keyof Database>

    beforeAll(async () => {
      app = await startTestApp(dialect, { env: { DAWRI_RATE_LIMIT_FORMS_PER_IP: '0' } })
      a = await openMerchantWorld(app, 'AlphaShop')
      b = await openMerchantWorld(app, 'BravoShop')
      tables = await tableNames(app)
    })
    afterAll(async () => app?.close())

    /**
     * Everything of A's that must never appear in an answer to B. References that run per
     * merchant (RefundReference, webhook references) can be equal for A and B; those are B's too.
     */
    const secretsOfA = () => {
      const ofB = new Set(Object.values(b).map(String))
      return [
        'AlphaShop', a.customerReference, String(a.pendingInvoiceId), String(a.paidInvoiceId), String(a.authorizedInvoiceId),
        a.paidPaymentId, a.authorizedPaymentId, a.otpPaymentId, a.recurringId, String(a.refundId), a.refundReference,
        a.webhookReference, a.token,
      ].filter((value) => !ofB.has(value))
    }

    /** Asserts that B's request is refused or empty and quotes nothing of A's. */
    function expectNothingOfA(response: { status: number; body: unknown }, context: string, allowEmptySuccess = false): void {
      const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body)
      if (!allowEmptySuccess) expect(response.status, `${context}: ${text.slice(0, 300)}`).toBeGreaterThanOrEqual(400)
      expect(response.status, context).toBeLessThan(500)
      for (const secret of secretsOfA()) expect(text.includes(secret), `${context} leaks ${secret}: ${text.slice(0, 300)}`).toBe(false)
    }

    it('every /v2 route refuses B on A’s identifiers and changes nothing', async () => {
      const before = await rowCounts(app, tables)
      const attemptsOfA = async () =>
        (await app.call('POST', '/v2/GetWebhooks', a.apiKey, { KeyType: 'WebhookReference', Key: a.webhookReference })).body.Data.Items[0].Attempts
      const attemptsBefore = await attemptsOfA()
      const statusBefore = await app.call('POST', '/v2/GetPaymentStatus', a.apiKey, { Key: a.paidInvoiceId, KeyType: 'InvoiceId' })
      const directPath = new URL(a.directUrl).pathname
      const calls: Array<[string, string, unknown, boolean?]> = [
        ['POST', '/v2/GetPaymentStatus', { Key: a.pendingInvoiceId, KeyType: 'InvoiceId' }],
        ['POST', '/v2/GetPaymentStatus', { Key: a.paidPaymentId, KeyType: 'PaymentId' }],
        ['POST', '/v2/GetPaymentStatus', { Key: a.customerReference, KeyType: 'CustomerReference' }],
        ['POST', '/v2/ExecutePayment', { SessionId: a.sessionId, InvoiceValue: 1 }],
        ['POST', directPath, { PaymentType: 'card', Card: APPROVED_CARD }],
        ['POST', new URL(b.directUrl).pathname, { PaymentType: 'token', Token: a.token }],
        ['POST', '/v2/UpdateSession', { SessionId: a.sessionId, Token: b.token, TokenType: 'mftoken' }],
        ['POST', '/v2/UpdateSession', { SessionId: b.sessionId, Token: a.token, TokenType: 'mftoken' }],
        ['POST', `/v2/CancelToken?token=${encodeURIComponent(a.token)}`, undefined],
        ['GET', `/v2/GetRecurringPayment?recurringId=${a.recurringId}`, undefined],
        ['POST', `/v2/CancelRecurringPayment?recurringId=${a.recurringId}`, undefined],
        ['POST', `/v2/ResumeRecurringPayment?recurringId=${a.recurringId}`, undefined],
        ['POST', '/v2/MakeRefund', { KeyType: 'InvoiceId', Key: a.paidInvoiceId, Amount: 1 }],
        ['POST', '/v2/MakeRefund', { KeyType: 'PaymentId', Key: a.paidPaymentId, Amount: 1 }],
        ['POST', '/v2/GetRefundStatus', { KeyType: 'InvoiceId', Key: a.paidInvoiceId }],
        ['POST', '/v2/GetRefundStatus', { KeyType: 'RefundId', Key: a.refundId }],
        // Per-merchant references: A's text, if B has the same, names B's own refund (checked below).
        ['POST', '/v2/GetRefundStatus', { KeyType: 'RefundReference', Key: a.refundReference }, a.refundReference === b.refundReference],
        ['POST', '/v2/UpdatePaymentStatus', { Operation: 'capture', KeyType: 'PaymentId', Key: a.authorizedPaymentId }],
        ['POST', '/v2/UpdatePaymentStatus', { Operation: 'release', KeyType: 'InvoiceId', Key: a.authorizedInvoiceId }],
        ['POST', '/v2/ResendWebhook', { Reference: a.webhookReference }, a.webhookReference === b.webhookReference],
        // Lists filtered on A's keys answer B with an empty list.
        ['POST', '/v2/GetWebhooks', { KeyType: 'InvoiceId', Key: [a.paidInvoiceId, a.pendingInvoiceId] }, true],
        ['POST', '/v2/GetWebhooks', { KeyType: 'WebhookReference', Key: a.webhookReference }, true],
        ['POST', '/v2/GetWebhooks', { KeyType: 'CustomerReference', Key: a.customerReference }, true],
        ['GET', `/v2/sandbox/Notifications?InvoiceId=${a.pendingInvoiceId}`, undefined, true],
        // Unfiltered lists hold only B's own.
        ['GET', '/v2/GetRecurringPayment', undefined, true],
        ['POST', '/v2/GetWebhooks', {}, true],
        ['GET', '/v2/sandbox/Notifications', undefined, true],
      ]
      for (const [method, path, body, emptySuccess] of calls) {
        const response = await app.call(method, path, b.apiKey, body)
        expectNothingOfA(response, `${method} ${path} ${JSON.stringify(body)}`, emptySuccess === true)
        if (emptySuccess === true && response.status === 200) {
          const data = response.body.Data
          const items = data?.Items ?? data?.RecurringPayment ?? data?.Notifications ?? data
          const byReference = path.includes('RefundStatus') || path.includes('ResendWebhook') || JSON.stringify(body ?? {}).includes('WebhookReference')
          if (byReference) expect(JSON.stringify(data)).not.toContain(String(a.refundId))
          else if (JSON.stringify(body ?? {}).includes('Key')) expect(items, path).toEqual([])
        }
      }
      // B's refusals changed nothing; A's invoice reads as before (A's refund and capture untouched).
      // Webhook references count each merchant's own events: when A's reference is also B's, B's
      // ResendWebhook sent B's own event (one attempt of B's, none of A's).
      const resentOwn = a.webhookReference === b.webhookReference ? 1 : 0
      expect(await rowCounts(app, tables)).toEqual({ ...before, webhook_attempts: (before.webhook_attempts ?? 0) + resentOwn })
      expect(await attemptsOfA()).toEqual(attemptsBefore)
      expect(await app.call('POST', '/v2/GetPaymentStatus', a.apiKey, { Key: a.paidInvoiceId, KeyType: 'InvoiceId' })).toMatchObject({ status: 200, body: statusBefore.body })
      const recurrence = await app.call('GET', `/v2/GetRecurringPayment?recurringId=${a.recurringId}`, a.apiKey)
      expect(recurrence.body.Data.RecurringPayment[0].RecurringStatus).not.toBe('Canceled')
    })

    it('B’s answers name an unknown id and another merchant’s id the same way', async () => {
      const pairs: Array<[string, unknown, unknown]> = [
        ['/v2/GetPaymentStatus', { Key: a.pendingInvoiceId, KeyType: 'InvoiceId' }, { Key: 999_999_999, KeyType: 'InvoiceId' }],
        ['/v2/MakeRefund', { KeyType: 'InvoiceId', Key: a.paidInvoiceId, Amount: 1 }, { KeyType: 'InvoiceId', Key: 999_999_999, Amount: 1 }],
        ['/v2/GetRefundStatus', { KeyType: 'RefundId', Key: a.refundId }, { KeyType: 'RefundId', Key: 999_999_999 }],
      ]
      for (const [path, theirs, unknown] of pairs) {
        const other = await app.call('POST', path, b.apiKey, theirs)
        const missing = await app.call('POST', path, b.apiKey, unknown)
        expect({ status: other.status, message: other.body.Message, errors: other.body.ValidationErrors }, path).toEqual({
          status: missing.status,
          message: missing.body.Message,
          errors: missing.body.ValidationErrors,
        })
      }
      const theirs = await app.call('POST', `/v2/CancelRecurringPayment?recurringId=${a.recurringId}`, b.apiKey)
      const missing = await app.call('POST', '/v2/CancelRecurringPayment?recurringId=RECUR999999999', b.apiKey)
      expect(theirs.status).toBe(missing.status)
      expect(theirs.body.Message).toBe(missing.body.Message)
    })

    it('pages: B’s OTP access key does not open A’s payment, and A’s Card View session does not take B’s card into B’s invoice', async () => {
      const otpOfA = new URL(a.otpUrl)
      const otpOfB = new URL(b.otpUrl)
      const crossed = `${otpOfA.origin}${otpOfA.pathname}?paymentId=${otpOfA.searchParams.get('paymentId')}&sessionId=${otpOfB.searchParams.get('sessionId')}`
      const page = await fetch(crossed)
      const html = await page.text()
      expect(page.status).toBe(404)
      for (const secret of ['AlphaShop', '4.000']) expect(html).not.toContain(secret)
      // A's session used by B's ExecutePayment was refused above; here B's key cannot read it either.
      const status = await app.call('POST', '/v2/GetPaymentStatus', b.apiKey, { Key: a.sessionId, KeyType: 'InvoiceId' })
      expectNothingOfA(status, 'GetPaymentStatus with a session id')
    })
  })
}
