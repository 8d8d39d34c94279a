import { expect } from 'vitest'

import type { TestApp } from '../support/start-test-app.js'

/** A page or redirect as a browser without JavaScript would get it. */
export interface PageResponse {
  readonly status: number
  readonly html: string
  /** `Location` of a redirect, absolute. */
  readonly location: string | null
  readonly headers: Headers
}

/** Card fields of the hosted form. */
export interface CardForm {
  number: string
  expiryMonth?: string
  expiryYear?: string
  securityCode?: string
  holderName?: string
}

/** Every HTTP response body a test saw, for the never-leaks assertions. */
export const seenBodies: string[] = []

/** GET a page without following redirects. */
export async function getPage(url: string): Promise<PageResponse> {
  const response = await fetch(url, { redirect: 'manual' })
  return toPage(url, response)
}

/** POST an urlencoded form without following redirects. */
export async function postForm(url: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<PageResponse> {
  const response = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  })
  return toPage(url, response)
}

async function toPage(url: string, response: Response): Promise<PageResponse> {
  const html = await response.text()
  seenBodies.push(html)
  const location = response.headers.get('location')
  return { status: response.status, html, location: location === null ? null : new URL(location, url).toString(), headers: response.headers }
}

/** The CSRF token of the page's form. */
export function csrfOf(html: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(html)
  if (!match?.[1]) throw new Error(`No CSRF token in the page:\n${html.slice(0, 500)}`)
  return match[1]
}

/** Creates an invoice through ExecutePayment and returns its Data. */
export async function executePayment(app: TestApp, apiKey: string, body: Record<string, unknown>): Promise<{ InvoiceId: number; PaymentURL: string; RecurringId: string }> {
  const response = await app.call('POST', '/v2/ExecutePayment', apiKey, { InvoiceValue: 1.5, PaymentMethodId: 2, ...body })
  seenBodies.push(JSON.stringify(response.body))
  expect(response.status, JSON.stringify(response.body)).toBe(200)
  return response.body.Data
}

/** Submits the card form of a checkout URL; returns the response (a 303 to the OTP step when accepted). */
export async function submitCard(checkoutUrl: string, card: CardForm): Promise<PageResponse> {
  const page = await getPage(checkoutUrl)
  expect(page.status, page.html.slice(0, 300)).toBe(200)
  return postForm(checkoutUrl, {
    csrf: csrfOf(page.html),
    holderName: card.holderName ?? 'Test Holder',
    number: card.number,
    expiryMonth: card.expiryMonth ?? '01',
    expiryYear: card.expiryYear ?? '39',
    securityCode: card.securityCode ?? '100',
  })
}

/** Submits the OTP form of an OTP URL. */
export async function submitOtp(otpUrl: string, otp: string): Promise<PageResponse> {
  const page = await getPage(otpUrl)
  expect(page.status, page.html.slice(0, 300)).toBe(200)
  return postForm(otpUrl, { csrf: csrfOf(page.html), otp })
}

/** The whole hosted flow: card form, OTP; returns where the customer is sent at the end. */
export async function payHosted(checkoutUrl: string, card: CardForm, otp = '123456'): Promise<string> {
  const submitted = await submitCard(checkoutUrl, card)
  expect(submitted.status, submitted.html.slice(0, 500)).toBe(303)
  expect(submitted.location).toContain('/PayInvoice/MpgsAuthentication?paymentId=')
  const confirmed = await submitOtp(submitted.location ?? '', otp)
  expect(confirmed.status, confirmed.html.slice(0, 500)).toBe(303)
  return confirmed.location ?? ''
}

/** GetPaymentStatus by PaymentId. */
export async function paymentStatus(app: TestApp, apiKey: string, paymentId: string): Promise<any> {
  const response = await app.call('POST', '/v2/GetPaymentStatus', apiKey, { Key: paymentId, KeyType: 'PaymentId' })
  seenBodies.push(JSON.stringify(response.body))
  expect(response.status, JSON.stringify(response.body)).toBe(200)
  return response.body.Data
}

/** The `paymentId` query value of a redirect target. */
export function paymentIdOf(url: string): string {
  const value = new URL(url).searchParams.get('paymentId')
  if (!value) throw new Error(`No paymentId in ${url}`)
  return value
}
