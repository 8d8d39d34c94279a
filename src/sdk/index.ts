/**
 * dawri/sdk: a typed client of MyFatoorah's v2 API, for dawri and MyFatoorah alike, with
 * webhook signature checks and typed webhook events. Needs Node 20+ (global fetch); imports
 * nothing but `node:crypto`.
 */
export { MyFatoorahClient, SandboxApi, type MyFatoorahClientOptions } from './client.js'
export { MyFatoorahConnectionError, MyFatoorahError } from './errors.js'
export { MYFATOORAH_LIVE_URLS, MYFATOORAH_TEST_URL, myFatoorahBaseUrl, type Environment } from './base-urls.js'
export type { CallOptions } from './transport.js'
export { verifyWebhookSignature, webhookSignedText, type WebhookHeaders } from './webhook-signature.js'
export { parseWebhookEvent, WebhookParseError } from './webhook-parse.js'
export type * from './webhook-events.js'
export type * from './types/common.js'
export type * from './types/payments.js'
export type * from './types/recurring.js'
export type * from './types/refunds.js'
export type * from './types/invoices.js'
export type * from './types/webhook-log.js'
export type * from './types/sandbox.js'
export type * from './types/account.js'
