import http from 'node:http'
import https from 'node:https'
import type { LookupFunction } from 'node:net'

import { checkProductionTarget, systemResolver, type HostResolver } from './ssrf.js'

/**
 * The webhook transport: one POST, a hard timeout, no redirects, a bounded read of the
 * response. Built on node:http rather than fetch so that production deliveries connect to the
 * exact address the SSRF check approved (a custom `lookup`), which fetch cannot do without
 * an extra dependency.
 */

/** At most this much of a response body is read and stored (ResponseMessage in GetWebhooks). */
export const RESPONSE_TEXT_LIMIT = 4096

/** One delivery request. */
export interface WebhookRequest {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly timeoutMs: number
}

/** What happened to one delivery request. Never throws for network problems. */
export interface WebhookResponse {
  /** HTTP status, or null when no response arrived. */
  readonly statusCode: number | null
  /** The first {@link RESPONSE_TEXT_LIMIT} bytes of the response body as UTF-8, or null. */
  readonly responseText: string | null
  readonly durationMs: number
  /** Why no (complete) response arrived, or null. */
  readonly error: string | null
}

/** Sends one webhook; the seam between the dispatcher and the network. */
export type WebhookTransport = (request: WebhookRequest) => Promise<WebhookResponse>

/** Options for {@link createHttpTransport}. */
export interface HttpTransportOptions {
  /** Apply the production rules: https only, public addresses only. */
  readonly production: boolean
  /** How host names are resolved for the SSRF check. Default: the system resolver. */
  readonly resolve?: HostResolver
}

/** A transport over node:http(s) with keep-alive connections. */
export function createHttpTransport(options: HttpTransportOptions): WebhookTransport {
  const resolve = options.resolve ?? systemResolver
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
  }
  return async (request) => {
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    let url: URL
    try {
      url = new URL(request.url)
    } catch {
      return { statusCode: null, responseText: null, durationMs: 0, error: 'The webhook URL is not a valid URL' }
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return { statusCode: null, responseText: null, durationMs: 0, error: 'The webhook URL must be http or https' }
    }
    let lookup: LookupFunction | undefined
    if (options.production) {
      const check = await checkProductionTarget(url, resolve)
      if (!check.ok) return { statusCode: null, responseText: null, durationMs: elapsed(), error: check.reason }
      // Connect to the address that was checked, whatever the name resolves to a moment later.
      lookup = (_hostname, lookupOptions, callback) => {
        if (lookupOptions.all) callback(null, [{ address: check.address, family: check.family }])
        else callback(null, check.address, check.family)
      }
    }
    return send(url, request, agents[url.protocol], lookup, elapsed)
  }
}

function send(
  url: URL,
  request: WebhookRequest,
  agent: http.Agent,
  lookup: LookupFunction | undefined,
  elapsed: () => number,
): Promise<WebhookResponse> {
  return new Promise((resolve) => {
    let settled = false
    const finish = (response: Omit<WebhookResponse, 'durationMs'>) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve({ ...response, durationMs: elapsed() })
    }
    const body = Buffer.from(request.body, 'utf8')
    const client = url.protocol === 'https:' ? https : http
    const req = client.request(url, {
      method: 'POST',
      agent,
      headers: { ...request.headers, 'Content-Length': String(body.length) },
      ...(lookup ? { lookup } : {}),
    })
    // One deadline for connect, send and the bounded read: a slow endpoint costs at most this.
    // A status that arrived counts even if the body then stalls: the merchant has answered.
    let answered: { statusCode: number | null; chunks: Buffer[] } | null = null
    const timer = setTimeout(() => {
      const error = `Timed out after ${request.timeoutMs} ms`
      if (answered) finish({ statusCode: answered.statusCode, responseText: Buffer.concat(answered.chunks).toString('utf8'), error })
      else finish({ statusCode: null, responseText: null, error })
      req.destroy()
    }, request.timeoutMs)
    req.on('error', (error) => finish({ statusCode: null, responseText: null, error: error.message || String(error) }))
    req.on('response', (res) => {
      // Redirects are not followed: a 3xx is a failed delivery like any other non-2xx.
      const statusCode = res.statusCode ?? null
      const chunks: Buffer[] = []
      answered = { statusCode, chunks }
      let size = 0
      const done = () => finish({ statusCode, responseText: Buffer.concat(chunks).toString('utf8'), error: null })
      res.on('data', (chunk: Buffer) => {
        if (size >= RESPONSE_TEXT_LIMIT) return
        const room = RESPONSE_TEXT_LIMIT - size
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk)
        size += Math.min(chunk.length, room)
        if (size >= RESPONSE_TEXT_LIMIT) {
          // Enough read; the rest is not worth a connection's time.
          done()
          res.destroy()
        }
      })
      res.on('end', done)
      res.on('error', done)
      res.on('close', done)
    })
    req.end(body)
  })
}
