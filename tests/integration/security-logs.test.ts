import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { sendRaw } from './fuzz-support.js'

/** A port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

const CLI = join(process.cwd(), 'dist/cli/main.js')
const KEY = 'SK_logs_secret_key_0123456789abcdef'
// Not one of the sandbox banner's published test cards, which the pages print on purpose.
const CARD = '4111111111111111'
const CVV = '7391'
const CVV3 = '739'
const HOLDER = 'Holder Secretname'

/**
 * Secrets and card data never reach the log at any level (trace included) nor an error body:
 * the real server at LOG_LEVEL=trace, every route that takes a key, a card or a security code,
 * well-formed and malformed, over HTTP and raw sockets. Each response body and the whole log
 * are searched for the key, the card number (whole or without its masked middle), the CVV.
 */
describe('secrets and card data in logs and error bodies', () => {
  it('at LOG_LEVEL=trace, none of them appear, whatever the request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dawri-logs-'))
    const port = await freePort()
    const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port)], {
      env: { ...process.env, DAWRI_DATA_DIR: dir, DAWRI_DEMO_API_KEY: KEY, LOG_LEVEL: 'trace', DATABASE_URL: '', DAWRI_RATE_LIMIT_FORMS_PER_IP: '0' },
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const bodies: string[] = []
    try {
      const base = `http://127.0.0.1:${port}`
      const started = Date.now()
      while (!(await fetch(`${base}/health`).then((r) => r.ok, () => false))) {
        if (Date.now() - started > 30_000) throw new Error(`no start: ${output}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const call = async (method: string, path: string, body: string | undefined, headers: Record<string, string> = {}) => {
        const response = await fetch(base + path, { method, redirect: 'manual', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body }) })
        const text = await response.text()
        bodies.push(text)
        return { status: response.status, text }
      }
      const card = { Number: CARD, ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: CVV3, HolderName: HOLDER }
      const direct = JSON.parse((await call('POST', '/v2/ExecutePayment', JSON.stringify({ PaymentMethodId: 9, InvoiceValue: 5 }))).text).Data.PaymentURL as string
      const directPath = new URL(direct).pathname
      // Well-formed: a card payment to the OTP step, its OTP posted wrong; a saved-card session.
      const paid = await call('POST', directPath, JSON.stringify({ PaymentType: 'card', Card: card }))
      const otpUrl = JSON.parse(paid.text).Data.PaymentURL as string
      const otpPage = await fetch(otpUrl).then((response) => response.text())
      const csrf = /name="csrf" value="([^"]+)"/.exec(otpPage)?.[1] ?? ''
      await fetch(otpUrl, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base }, body: new URLSearchParams({ csrf, otp: '000000' }).toString() }).then((r) => r.text())
      // Refused: bad card fields, a wrong-shaped CVV, a card on a paid invoice, wrong keys.
      await call('POST', directPath, JSON.stringify({ PaymentType: 'card', Card: { ...card, SecurityCode: CVV, ExpiryMonth: '13' } }))
      await call('POST', directPath, JSON.stringify({ PaymentType: 'card', Card: { ...card, Number: `${CARD}0` } }))
      await call('POST', '/v2/GetPaymentStatus', '{}', { authorization: `Bearer ${KEY}x` })
      await call('POST', '/v2/GetPaymentStatus', '{}', { authorization: `Basic ${KEY}` })
      await call('POST', '/v2/GetPaymentStatus', '{}', { authorization: KEY })
      // Malformed: broken JSON carrying a card, to the API, the Card View and the checkout form.
      const broken = `{"PaymentType":"card","Card":{"Number":"${CARD}","SecurityCode":"${CVV}"`
      await call('POST', directPath, broken)
      await call('POST', '/cardview/submit', broken, { origin: base })
      const checkout = JSON.parse((await call('POST', '/v2/ExecutePayment', JSON.stringify({ PaymentMethodId: 2, InvoiceValue: 5 }))).text).Data.PaymentURL as string
      await fetch(checkout, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/json', origin: base }, body: broken }).then((r) => bodies.push(String(r.status)))
      await fetch(checkout, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base }, body: `csrf=x&number=${CARD}&securityCode=${CVV3}&holderName=${encodeURIComponent(HOLDER)}&expiryMonth=01&expiryYear=39` }).then(async (r) => bodies.push(await r.text()))
      // Raw bytes: broken chunked framing and a truncated body, key and card inside.
      const json = JSON.stringify({ PaymentType: 'card', Card: card })
      for (const raw of [
        `POST ${directPath} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n${json}\r\n0\r\n\r\n`,
        `POST ${directPath} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n${json}`,
        `POST ${directPath} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nX-Bad\u0000Header: ${CARD}\r\n\r\n`,
        `POST ${directPath} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n${json}`,
      ]) {
        const answer = await sendRaw(base, [raw], { waitMs: 3000 })
        bodies.push(answer.text)
      }
      await new Promise((resolve) => setTimeout(resolve, 500))

      const logLines = output.split('\n').filter((line) => line.startsWith('{'))
      expect(logLines.length).toBeGreaterThan(10)
      // Trace level is on: the raw-request lines are there, redacted.
      expect(output).toMatch(/"level":10/)
      const leaks = (text: string) => [
        text.includes(KEY) && 'API key',
        text.includes(KEY.slice(8)) && 'API key tail',
        text.includes(CARD) && 'card number',
        new RegExp(`"${CVV3}"|"${CVV}"|=${CVV3}\\b|=${CVV}\\b|:${CVV3}\\b|:${CVV}\\b`).test(text) && 'security code',
      ].filter(Boolean)
      for (const line of logLines) expect(leaks(line), line.slice(0, 400)).toEqual([])
      for (const body of bodies) expect(leaks(body), body.slice(Math.max(0, body.indexOf(CARD) - 300), body.indexOf(CARD) + 100)).toEqual([])
    } finally {
      child.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    }
  }, 90_000)
})
