import { expect } from 'vitest'

import type { TestApp } from '../support/start-test-app.js'

/** An approved test card as the API takes it. */
export const APPROVED_CARD = { Number: '5123450000000008', ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100', HolderName: 'World Holder' }

/**
 * One merchant with one of everything a merchant owns — invoices (pending, paid, authorised,
 * refunded, SendPayment), a payment at its OTP step, a recurrence, a Card View session, a saved
 * card token, a refund and webhook events — for the tenant-isolation tests and for the fuzzer
 * (whose random bodies then hit real identifiers).
 */
export interface MerchantWorld {
  readonly apiKey: string
  readonly merchantId: number
  /** Pending invoice of the hosted checkout (PaymentMethodId 2). */
  readonly pendingInvoiceId: number
  readonly checkoutUrl: string
  /** Pending direct-payment invoice; its PaymentURL is the DirectPayment endpoint. */
  readonly directUrl: string
  /** A DirectPayment at its OTP step. */
  readonly otpUrl: string
  readonly otpPaymentId: string
  /** Paid invoice and payment (Bypass3DS), partly refunded. */
  readonly paidInvoiceId: number
  readonly paidPaymentId: string
  readonly refundId: number
  readonly refundReference: string
  /** Authorised, not captured (AutoCapture false). */
  readonly authorizedInvoiceId: number
  readonly authorizedPaymentId: string
  readonly recurringId: string
  readonly sessionId: string
  readonly token: string
  /** SendPayment's invoice page. */
  readonly invoicePageUrl: string
  readonly webhookReference: string
  readonly customerReference: string
}

async function ok(app: TestApp, path: string, key: string, body?: unknown): Promise<any> {
  const response = await app.call('POST', path, key, body)
  expect(response.status, `${path} ${JSON.stringify(response.body)}`).toBe(200)
  return response.body.Data
}

/** Creates a merchant and all it owns, through the API as a merchant would. */
export async function openMerchantWorld(app: TestApp, name: string): Promise<MerchantWorld> {
  const { apiKey, merchant } = await app.createMerchant({ name, bypass3ds: true, authorizeCapture: true, webhookUrl: 'https://merchant.example.test/hook' })
  const customerReference = `ref-${name}`
  const pending = await ok(app, '/v2/ExecutePayment', apiKey, { PaymentMethodId: 2, InvoiceValue: 12.5, CustomerName: name, CustomerReference: customerReference })
  const direct = await ok(app, '/v2/ExecutePayment', apiKey, { PaymentMethodId: 9, InvoiceValue: 3 })
  const atOtp = await ok(app, '/v2/ExecutePayment', apiKey, { PaymentMethodId: 9, InvoiceValue: 4 })
  const otp = await ok(app, new URL(atOtp.PaymentURL).pathname, apiKey, { PaymentType: 'card', Card: APPROVED_CARD })
  const paid = await ok(app, '/v2/ExecutePayment', apiKey, { PaymentMethodId: 9, InvoiceValue: 20 })
  const paidPayment = await ok(app, new URL(paid.PaymentURL).pathname, apiKey, { PaymentType: 'card', Bypass3DS: true, SaveToken: true, Card: APPROVED_CARD })
  expect(paidPayment.Status).toBe('SUCCESS')
  const refund = await ok(app, '/v2/MakeRefund', apiKey, { KeyType: 'InvoiceId', Key: paid.InvoiceId, Amount: 5 })
  const authorized = await ok(app, '/v2/ExecutePayment', apiKey, { PaymentMethodId: 9, InvoiceValue: 6, ProcessingDetails: { AutoCapture: false } })
  const authorizedPayment = await ok(app, new URL(authorized.PaymentURL).pathname, apiKey, { PaymentType: 'card', Bypass3DS: true, Card: APPROVED_CARD })
  const recurring = await ok(app, '/v2/ExecutePayment', apiKey, { PaymentMethodId: 2, InvoiceValue: 7, RecurringModel: { RecurringType: 'Daily', Iteration: 3 } })
  const session = await ok(app, '/v2/InitiateSession', apiKey, { CustomerIdentifier: `cust-${name}` })
  const sent = await ok(app, '/v2/SendPayment', apiKey, { InvoiceValue: 8, CustomerName: name, NotificationOption: 'LNK' })
  const webhooks = await ok(app, '/v2/GetWebhooks', apiKey, {})
  const webhookReference = webhooks.Items?.[0]?.WebhookReference
  expect(typeof webhookReference, JSON.stringify(webhooks)).toBe('string')
  return {
    apiKey,
    merchantId: merchant.id,
    pendingInvoiceId: pending.InvoiceId,
    checkoutUrl: pending.PaymentURL,
    directUrl: direct.PaymentURL,
    otpUrl: otp.PaymentURL,
    otpPaymentId: otp.PaymentId,
    paidInvoiceId: paid.InvoiceId,
    paidPaymentId: paidPayment.PaymentId,
    refundId: refund.RefundId,
    refundReference: refund.RefundReference,
    authorizedInvoiceId: authorized.InvoiceId,
    authorizedPaymentId: authorizedPayment.PaymentId,
    recurringId: recurring.RecurringId,
    sessionId: session.SessionId,
    token: paidPayment.Token,
    invoicePageUrl: sent.InvoiceURL,
    webhookReference,
    customerReference,
  }
}

/** Every identifier of a world, as text and as numbers, for the fuzzer's plausible values. */
export function identifiersOf(world: MerchantWorld): { strings: string[]; numbers: number[] } {
  const invoiceKey = (url: string) => new URL(url).searchParams.get('invoiceKey') ?? new URL(url).pathname.split('/').at(-2) ?? ''
  const numbers = [world.pendingInvoiceId, world.paidInvoiceId, world.authorizedInvoiceId, world.refundId]
  const strings = [
    ...numbers.map(String),
    world.otpPaymentId, world.paidPaymentId, world.authorizedPaymentId, world.refundReference, world.recurringId,
    world.sessionId, world.token, world.webhookReference, world.customerReference,
    invoiceKey(world.checkoutUrl), invoiceKey(world.directUrl),
  ]
  return { strings, numbers }
}
