import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

const CLI = join(process.cwd(), 'dist/cli/main.js')
const KEY = 'log_secret_key_0123456789'
const CARD = '5123450000000008'
const CVV = '987'

/**
 * At the most verbose level, a malformed request must not put its raw bytes (API key, card
 * number, security code) into the log: Node hands Fastify the raw packet with a client error.
 */
describe('secrets never reach the log', () => {
  it('at LOG_LEVEL=trace, a malformed chunked DirectPayment logs no key, card number or CVV', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dawri-log-'))
    const chosenPort = await freePort()
    const child = spawn(process.execPath, [CLI, 'serve', '--port', String(chosenPort)], {
      env: { ...process.env, DAWRI_DATA_DIR: dir, DAWRI_DEMO_API_KEY: KEY, LOG_LEVEL: 'trace' },
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start: ${output}`)), 20_000)
        const check = setInterval(() => {
          // The banner (text only) names the base URL once the port is bound.
          const match = /Base URL:\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(output)
          if (match) {
            clearInterval(check)
            clearTimeout(timer)
            resolve(Number(match[1]))
          }
        }, 20)
      })
      const body = JSON.stringify({ PaymentType: 'card', Card: { Number: CARD, ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: CVV } })
      // A chunk size that is not hexadecimal makes Node's parser fail with the packet attached.
      const raw = `POST /v2/DirectPayment/abc/9 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(raw))
        socket.on('data', () => undefined)
        socket.on('error', () => resolve())
        socket.on('close', () => resolve())
        setTimeout(() => socket.destroy(), 3000)
      })
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(output).toContain('client error')
      const logLines = output.split('\n').filter((line) => line.startsWith('{'))
      for (const secret of [KEY, CARD, CVV]) expect(logLines.filter((line) => line.includes(secret))).toEqual([])
    } finally {
      child.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('at LOG_LEVEL=trace, the request and charge lines of a paid DirectPayment carry no key, card number or CVV', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dawri-log-'))
    const chosenPort = await freePort()
    const child = spawn(process.execPath, [CLI, 'serve', '--port', String(chosenPort)], {
      env: { ...process.env, DAWRI_DATA_DIR: dir, DAWRI_DEMO_API_KEY: KEY, LOG_LEVEL: 'trace', DAWRI_POLL_INTERVAL_MS: '50' },
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start: ${output}`)), 60_000)
        const check = setInterval(() => {
          // The banner (text only) names the base URL once the port is bound.
          const match = /Base URL:\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(output)
          if (match && output.includes('API key')) {
            clearInterval(check)
            clearTimeout(timer)
            resolve(Number(match[1]))
          }
        }, 20)
      })
      const call = async (path: string, body: unknown) => {
        const response = await fetch(`http://127.0.0.1:${port}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'x-request-id': 'log-check-1' },
          body: JSON.stringify(body),
        })
        return (await response.json()) as { Data: { PaymentURL: string; Status?: string } }
      }
      const created = await call('/v2/ExecutePayment', { PaymentMethodId: 9, InvoiceValue: 3, CallBackUrl: 'https://shop.example.test/paid' })
      const paid = await call(new URL(created.Data.PaymentURL).pathname, {
        PaymentType: 'card',
        Bypass3DS: true,
        Card: { Number: CARD, ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: CVV, HolderName: 'Log Check' },
      })
      expect(paid.Data.Status).toBe('SUCCESS')
      await new Promise((resolve) => setTimeout(resolve, 500))
      const lines = output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>)
      expect(lines.filter((line) => line.msg === 'request' && line.reqId === 'log-check-1').map((line) => line.route)).toEqual([
        '/v2/ExecutePayment',
        '/v2/DirectPayment/:invoiceKey/:paymentGatewayId',
      ])
      expect(lines.filter((line) => line.msg === 'charge recorded').map((line) => [line.kind, line.outcome])).toEqual([['customer', 'approved']])
      const logLines = output.split('\n').filter((line) => line.startsWith('{'))
      // The CVV quoted: its digits alone may occur inside a timestamp.
      for (const secret of [KEY, CARD, `"${CVV}"`]) expect(logLines.filter((line) => line.includes(secret))).toEqual([])
    } finally {
      child.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

/** A port nobody listens on now (the server is started on it; the banner names it once bound). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}
