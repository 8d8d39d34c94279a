import { describe, expect, it } from 'vitest'

import { captureAmountRefusal, capturedMinorOf, chargeAuthorizesOnly, isAuthorizeOnly } from '../../src/domain/authorization.js'
import { parseExecutePaymentRequest } from '../../src/domain/execute-payment-request.js'

const rules = { baseCurrency: 'KWD' as const, timeZone: 'Asia/Kuwait', now: Date.UTC(2026, 0, 1), production: false, recurringEnabled: true, bypass3dsEnabled: true }

describe('authorise/capture rules', () => {
  it('a capture takes all or part of the authorised amount, never more, never nothing', () => {
    expect(captureAmountRefusal(10_000, 10_000)).toBeUndefined()
    expect(captureAmountRefusal(10_000, 1)).toBeUndefined()
    expect(captureAmountRefusal(10_000, 10_001)).toBe('exceeds-authorized')
    expect(captureAmountRefusal(10_000, 0)).toBe('not-positive')
    expect(captureAmountRefusal(10_000, 1.5)).toBe('not-positive')
  })

  it('what a transaction took: all when Succss, the captured part after a partial capture, nothing otherwise', () => {
    expect(capturedMinorOf({ status: 'Succss', amount_minor: 10_000, captured_minor: null })).toBe(10_000)
    expect(capturedMinorOf({ status: 'Succss', amount_minor: 10_000, captured_minor: 6_500 })).toBe(6_500)
    expect(capturedMinorOf({ status: 'Authorize', amount_minor: 10_000, captured_minor: null })).toBe(0)
    expect(capturedMinorOf({ status: 'Canceled', amount_minor: 10_000, captured_minor: null })).toBe(0)
  })

  it('only card payments of an invoice with AutoCapture false authorise', () => {
    const details = JSON.stringify({ autoCapture: false, bypass3ds: false })
    expect(isAuthorizeOnly(details)).toBe(true)
    expect(isAuthorizeOnly(JSON.stringify({ autoCapture: true }))).toBe(false)
    expect(isAuthorizeOnly(null)).toBe(false)
    expect(isAuthorizeOnly('not json')).toBe(false)
    expect(chargeAuthorizesOnly({ processing_details: details }, { payment_method_id: 2 })).toBe(true)
    expect(chargeAuthorizesOnly({ processing_details: details }, { payment_method_id: 1 })).toBe(false)
  })

  it('ExecutePayment: AutoCapture false needs the feature, a card method and no RecurringModel', () => {
    const body = { PaymentMethodId: 2, InvoiceValue: 5, ProcessingDetails: { AutoCapture: false } }
    const names = (result: ReturnType<typeof parseExecutePaymentRequest>) => (result.ok ? [] : result.errors.map((e) => `${e.Name}: ${e.Error}`))
    expect(names(parseExecutePaymentRequest(body, rules))).toEqual([expect.stringMatching(/^ProcessingDetails\.AutoCapture: .*not enabled/)])
    const allowed = parseExecutePaymentRequest(body, { ...rules, authorizeCaptureEnabled: true })
    expect(allowed.ok && allowed.command.autoCapture).toBe(false)
    expect(names(parseExecutePaymentRequest({ ...body, RecurringModel: { RecurringType: 'Daily', Iteration: 2 } }, { ...rules, authorizeCaptureEnabled: true }))).toEqual([
      expect.stringMatching(/^ProcessingDetails\.AutoCapture: .*RecurringModel/),
    ])
    expect(names(parseExecutePaymentRequest({ ...body, PaymentMethodId: 1 }, { ...rules, authorizeCaptureEnabled: true }))).toEqual([expect.stringMatching(/KNET/)])
  })
})
