import { connect } from 'node:net'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { fromPaymentId } from '../../src/domain/public-ids.js'
import { findTransactionById } from '../../src/store/transaction.repository.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { csrfOf, executePayment, getPage, postForm } from './checkout-support.js'

/** How long until the server closes a raw connection that sends `text` and then nothing. */
function closedAfter(baseUrl: string, text: string, limitMs: number): Promise<number> {
  const { hostname, port } = new URL(baseUrl)
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const socket = connect(Number(port), hostname, () => socket.write(text))
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`still open after ${limitMs} ms`))
    }, limitMs)
    socket.on('data', () => undefined)
    socket.on('error', () => undefined)
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(Date.now() - started)
    })
  })
}

describe('server timeouts (DAWRI_REQUEST_TIMEOUT_MS, DAWRI_HEADERS_TIMEOUT_MS)', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp('sqlite', { env: { DAWRI_REQUEST_TIMEOUT_MS: '1500', DAWRI_HEADERS_TIMEOUT_MS: '1000' } })
  })
  afterAll(async () => app?.close())

  it('closes a request whose body stalls after its first byte', async () => {
    const head = 'POST /v2/GetPaymentStatus HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{'
    expect(await closedAfter(app.baseUrl, head, 8000)).toBeLessThan(5000)
  })

  it('closes a request whose headers never end', async () => {
    expect(await closedAfter(app.baseUrl, 'GET /health HTTP/1.1\r\nHost: x\r\n', 8000)).toBeLessThan(5000)
  })
})

describe('forwarded headers (DAWRI_TRUST_PROXY)', () => {
  let plain: TestApp
  let proxied: TestApp
  beforeAll(async () => {
    plain = await startTestApp('sqlite')
    proxied = await startTestApp('sqlite', { env: { DAWRI_TRUST_PROXY: '127.0.0.1' } })
  })
  afterAll(async () => {
    await plain?.close()
    await proxied?.close()
  })

  /** Pays by DirectPayment up to its OTP step with X-Forwarded-For set; the IP stored with the payment. */
  const storedIp = async (app: TestApp): Promise<string | null | undefined> => {
    const { apiKey } = await app.createMerchant()
    const created = await app.call('POST', '/v2/ExecutePayment', apiKey, { PaymentMethodId: 9, InvoiceValue: 10 })
    const card = { Number: '5123450000000008', ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100' }
    const paid = await app.call('POST', new URL(created.body.Data.PaymentURL).pathname, apiKey, { PaymentType: 'card', Card: card }, { 'x-forwarded-for': '6.6.6.6' })
    expect(paid.status, JSON.stringify(paid.body)).toBe(200)
    const transaction = await findTransactionById(app.deps.store.db, fromPaymentId(paid.body.Data.PaymentId, app.deps.ids) ?? 0)
    return transaction?.ip_address
  }

  it('ignores X-Forwarded-For unless the peer is a trusted proxy', async () => {
    expect(await storedIp(plain)).toBe('127.0.0.1')
    expect(await storedIp(proxied)).toBe('6.6.6.6')
  })

  it('an X-Forwarded-Host does not pass the pages’ same-origin check', async () => {
    const { apiKey } = await plain.createMerchant()
    const { PaymentURL } = await executePayment(plain, apiKey, { CallBackUrl: 'https://merchant.example.test/ok' })
    const page = await getPage(PaymentURL)
    const forged = await postForm(
      PaymentURL,
      { csrf: csrfOf(page.html), holderName: 'X', number: '5123450000000008', expiryMonth: '01', expiryYear: '39', securityCode: '100' },
      { origin: 'https://evil.example.test', 'x-forwarded-host': 'evil.example.test', 'x-forwarded-proto': 'https' },
    )
    expect(forged.status).toBe(403)
  })
})
