import { isIPv6 } from 'node:net'

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

import type { Config } from '../config.js'
import { sha256Hex } from '../domain/digest.js'
import type { Deps } from '../deps.js'
import { failure } from './api/envelope.js'

/**
 * Request rate limits, per process and in memory (docs/security.md): token buckets per API key
 * and per client address on `/v2`, and per client address on the customer's card and OTP form
 * posts. They cap floods and key or card guessing from one source; they are not a quota, and
 * several api processes each keep their own buckets.
 */

/** A bucket holding up to `capacity` tokens, refilled at `perSecond`; one request takes one. */
export interface TokenBucket {
  tokens: number
  updatedAt: number
}

/** The outcome of taking a token: allowed, or refused with the seconds until one is back. */
export type Take = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number }

/** Most buckets a limiter keeps; past it, full (idle) buckets are dropped first, then the oldest. */
export const MAX_BUCKETS = 50_000

/** Token buckets by name, refilled lazily on each take. Pure apart from the time it is given. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>()

  /** `perSecond` tokens a second, at most `capacity` saved up (the burst). */
  constructor(
    readonly perSecond: number,
    readonly capacity: number = perSecond,
  ) {}

  /** Takes one token from the bucket `name` at time `now` (ms). */
  take(name: string, now: number): Take {
    const bucket = this.buckets.get(name) ?? this.newBucket(name, now)
    const elapsed = Math.max(0, now - bucket.updatedAt) / 1000
    bucket.tokens = Math.min(this.capacity, bucket.tokens + elapsed * this.perSecond)
    bucket.updatedAt = now
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return { allowed: true }
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond)) }
  }

  /** Buckets held now (tests and the memory bound). */
  get size(): number {
    return this.buckets.size
  }

  private newBucket(name: string, now: number): TokenBucket {
    if (this.buckets.size >= MAX_BUCKETS) this.evict(now)
    const bucket = { tokens: this.capacity, updatedAt: now }
    this.buckets.set(name, bucket)
    return bucket
  }

  /** Drops buckets that have refilled (forgetting them changes nothing), else the oldest tenth. */
  private evict(now: number): void {
    for (const [name, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.perSecond >= this.capacity) this.buckets.delete(name)
    }
    if (this.buckets.size < MAX_BUCKETS) return
    let drop = Math.ceil(MAX_BUCKETS / 10)
    for (const name of this.buckets.keys()) {
      if (drop-- <= 0) break
      this.buckets.delete(name)
    }
  }
}

/** Which limits a request counts against, from its method and path. */
export type RequestClass = 'api' | 'form' | 'other'

/**
 * `/v2/…` is the API (DirectPayment included); a POST of the hosted checkout's card form, of the
 * OTP form or of the Card View's card is a form post. Matched like the router matches: without
 * regard to case and with repeated slashes collapsed.
 */
export function classifyRequest(method: string, url: string): RequestClass {
  // Nearly every request: nothing below can turn a path that starts so into anything else.
  if (url.startsWith('/v2/')) return 'api'
  const path = (url.split('?')[0] ?? '').replace(/\/{2,}/g, '/').toLowerCase()
  if (path === '/v2' || path.startsWith('/v2/')) return 'api'
  if (method !== 'POST') return 'other'
  if (path === '/cardview/submit' || path === '/cardview/submit/') return 'form'
  return /^\/[^/]+\/[^/]+\/payinvoice\/(checkout|mpgsauthentication)\/?$/.test(path) ? 'form' : 'other'
}

/** The address a client is limited by: IPv6 clients by their /64, which one subscriber usually holds. */
export function clientAddressKey(ip: string): string {
  if (!isIPv6(ip) || ip.startsWith('::ffff:')) return ip
  const groups = expandIPv6(ip)
  return `${groups.slice(0, 4).join(':')}::/64`
}

function expandIPv6(ip: string): string[] {
  const [head = '', tail] = ip.split('::')
  const left = head === '' ? [] : head.split(':')
  const right = tail === undefined || tail === '' ? [] : tail.split(':')
  const middle = tail === undefined ? [] : Array.from({ length: 8 - left.length - right.length }, () => '0')
  return [...left, ...middle, ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''))
}

/** The Bearer token of a request, or undefined. */
function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (typeof header !== 'string') return undefined
  return /^\s*bearer\s+(\S+)\s*$/i.exec(header)?.[1]
}

/** The limiters of one process, built from the settings; a setting of 0 leaves its limiter out. */
export interface RateLimits {
  readonly perKey: RateLimiter | undefined
  readonly perIp: RateLimiter | undefined
  readonly formsPerIp: RateLimiter | undefined
}

export function rateLimitsOf(config: Pick<Config, 'rateLimitPerKey' | 'rateLimitPerIp' | 'rateLimitFormsPerIp'>): RateLimits {
  const limiter = (perSecond: number) => (perSecond > 0 ? new RateLimiter(perSecond) : undefined)
  return {
    perKey: limiter(config.rateLimitPerKey),
    perIp: limiter(config.rateLimitPerIp),
    formsPerIp: limiter(config.rateLimitFormsPerIp),
  }
}

/** Message of every 429. */
export const RATE_LIMIT_MESSAGE = 'Too many requests; try again later'

/**
 * Counts every request against its limits before anything else runs (before authentication,
 * so that guessing keys is limited too) and answers 429 with `Retry-After` when one is spent:
 * the API's envelope on `/v2` and on the Card View's JSON submit, a short page on the forms.
 */
export function installRateLimits(app: FastifyInstance, deps: Pick<Deps, 'config'>): RateLimits {
  const limits = rateLimitsOf(deps.config)
  if (!limits.perKey && !limits.perIp && !limits.formsPerIp) return limits
  app.addHook('onRequest', async (request, reply) => {
    const kind = classifyRequest(request.method, request.url)
    if (kind === 'other') return
    const now = Date.now()
    const address = clientAddressKey(request.ip)
    const taken = kind === 'api' ? takeApi(limits, request, address, now) : limits.formsPerIp?.take(address, now)
    if (!taken || taken.allowed) return
    request.log.warn({ limit: kind === 'api' ? 'api' : 'form' }, 'rate limit reached')
    const json = kind === 'api' || request.url.toLowerCase().replace(/\/{2,}/g, '/').startsWith('/cardview/')
    return refuse(reply, json, taken.retryAfterSeconds)
  })
  return limits
}

function takeApi(limits: RateLimits, request: FastifyRequest, address: string, now: number): Take | undefined {
  const byAddress = limits.perIp?.take(address, now)
  if (byAddress && !byAddress.allowed) return byAddress
  const key = limits.perKey ? bearerOf(request) : undefined
  // Keys are held as hashes here too, and a client's 8 KiB of header is not kept.
  return key === undefined ? byAddress : limits.perKey?.take(sha256Hex(key), now)
}

function refuse(reply: FastifyReply, json: boolean, retryAfterSeconds: number): FastifyReply {
  reply.code(429).header('retry-after', String(retryAfterSeconds)).header('cache-control', 'no-store')
  if (json) return reply.send(failure(RATE_LIMIT_MESSAGE))
  return reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', "default-src 'none'; frame-ancestors 'none'")
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .send(
      `<!doctype html><html><head><meta charset="utf-8"><title>Too many attempts</title></head>` +
        `<body><p>Too many attempts from your network. Please wait ${retryAfterSeconds} seconds and try again.</p>` +
        `<p dir="rtl" lang="ar">محاولات كثيرة من شبكتك. يرجى الانتظار ${retryAfterSeconds} ثانية ثم المحاولة مرة أخرى.</p></body></html>`,
    )
}
