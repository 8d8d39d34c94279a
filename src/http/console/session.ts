import { createHmac, randomBytes } from 'node:crypto'

import type { FastifyReply, FastifyRequest } from 'fastify'

import { sha256Hex } from '../../domain/digest.js'
import type { Store } from '../../store/create-database.js'
import { ensureSetting } from '../../store/migrate.js'
import { createPageSecurity, equalText } from '../pages/page-security.js'

/** Name of the instance setting holding the console's HMAC secret (created on first use). */
export const CONSOLE_SECRET_SETTING = 'console_secret'

/** The session cookie; scoped to /console so no other page ever receives it. */
export const SESSION_COOKIE = 'dawri_console'

/** The language cookie (`en` or `ar`); not a secret. */
export const LANGUAGE_COOKIE = 'dawri_console_lang'

/** How long a sign-in lasts. */
export const SESSION_LIFETIME_MS = 12 * 3_600_000

/**
 * What a session cookie says, HMAC-signed: the API key a merchant signed in with (`key`, its
 * row id: revoking the key ends the session at the next request), or the operator (with a
 * fingerprint of DAWRI_ADMIN_TOKEN: changing or removing the token ends every operator session);
 * a random nonce the session's CSRF tokens are bound to; and when it expires (real time).
 */
export type SessionClaims =
  | { readonly kind: 'merchant'; readonly keyId: number; readonly nonce: string; readonly expiresAt: number }
  | { readonly kind: 'operator'; readonly tokenPrint: string; readonly nonce: string; readonly expiresAt: number }

/** Signing and checking of the console's cookies and form tokens, under one instance secret. */
export interface ConsoleSecurity {
  /** The cookie value of a session. */
  seal(claims: SessionClaims): string
  /** The claims of a cookie value if its signature holds and it has not expired at `now`. */
  open(cookie: string | undefined, now: number): SessionClaims | undefined
  /** The fingerprint of an admin token kept in operator sessions. */
  tokenPrint(adminToken: string): string
  /** A CSRF token for the forms of a session (by its nonce) or of the sign-in page (`signin`). */
  csrfToken(subject: string, now: number): string
  checkCsrf(subject: string, token: unknown, now: number): boolean
}

/** Loads (creating on first use) the console secret; every api process reads the same one. */
export async function loadConsoleSecurity(store: Store): Promise<ConsoleSecurity> {
  return createConsoleSecurity(await ensureSetting(store, CONSOLE_SECRET_SETTING, () => randomBytes(32).toString('hex')))
}

/** {@link ConsoleSecurity} over a secret. */
export function createConsoleSecurity(secret: string): ConsoleSecurity {
  const mac = (text: string) => createHmac('sha256', secret).update(text, 'utf8').digest('base64url')
  // The hosted pages' time-bound form tokens, under the console's own secret.
  const forms = createPageSecurity(secret)
  return {
    seal(claims) {
      const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url')
      return `${payload}.${mac(`session\n${payload}`)}`
    },
    open(cookie, now) {
      if (cookie === undefined || cookie.length > 1000) return undefined
      const [payload = '', signature = ''] = cookie.split('.')
      if (!equalText(signature, mac(`session\n${payload}`))) return undefined
      const claims = parseClaims(Buffer.from(payload, 'base64url').toString('utf8'))
      return claims && claims.expiresAt > now ? claims : undefined
    },
    tokenPrint: (adminToken) => mac(`operator\n${adminToken}`).slice(0, 22),
    csrfToken: (subject, now) => forms.csrfToken(`console\n${subject}`, now),
    checkCsrf: (subject, token, now) => forms.checkCsrf(`console\n${subject}`, token, now),
  }
}

function parseClaims(text: string): SessionClaims | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const claims = value as Record<string, unknown>
  if (typeof claims.nonce !== 'string' || typeof claims.expiresAt !== 'number') return undefined
  if (claims.kind === 'merchant' && typeof claims.keyId === 'number') {
    return { kind: 'merchant', keyId: claims.keyId, nonce: claims.nonce, expiresAt: claims.expiresAt }
  }
  if (claims.kind === 'operator' && typeof claims.tokenPrint === 'string') {
    return { kind: 'operator', tokenPrint: claims.tokenPrint, nonce: claims.nonce, expiresAt: claims.expiresAt }
  }
  return undefined
}

/** A fresh session nonce. */
export function newNonce(): string {
  return randomBytes(16).toString('base64url')
}

/** Constant-time comparison of a typed admin token with the configured one (hashed first, so lengths leak nothing). */
export function adminTokenMatches(typed: string, configured: string): boolean {
  return equalText(sha256Hex(typed), sha256Hex(configured))
}

/** The cookies of a request (no plugin: the console reads two). */
export function readCookies(request: FastifyRequest): Map<string, string> {
  const cookies = new Map<string, string>()
  const header = request.headers.cookie
  if (typeof header !== 'string') return cookies
  for (const part of header.split(';')) {
    const index = part.indexOf('=')
    if (index <= 0) continue
    const name = part.slice(0, index).trim()
    const value = part.slice(index + 1).trim()
    try {
      if (!cookies.has(name)) cookies.set(name, decodeURIComponent(value))
    } catch {
      // A malformed cookie is ignored, as if absent.
    }
  }
  return cookies
}

/** Cookie attributes of the console: HttpOnly, SameSite=Strict, Path=/console, Secure on https. */
export function setConsoleCookie(reply: FastifyReply, name: string, value: string, options: { secure: boolean; maxAgeSeconds: number; httpOnly?: boolean }): void {
  const attributes = [
    `${name}=${encodeURIComponent(value)}`,
    'Path=/console',
    `Max-Age=${options.maxAgeSeconds}`,
    'SameSite=Strict',
    ...(options.httpOnly === false ? [] : ['HttpOnly']),
    ...(options.secure ? ['Secure'] : []),
  ]
  const existing = reply.getHeader('set-cookie')
  const list = Array.isArray(existing) ? existing.map(String) : typeof existing === 'string' ? [existing] : []
  reply.header('set-cookie', [...list, attributes.join('; ')])
}

/**
 * Failed sign-ins per client address, per process: after {@link MAX_FAILURES} failures within
 * {@link FAILURE_WINDOW_MS}, sign-in answers 429 until the window has passed. Guessing a 32-byte
 * key is hopeless anyway; this keeps the log and the database quiet under a scripted attack.
 */
export class SignInThrottle {
  static readonly MAX_FAILURES = 10
  static readonly FAILURE_WINDOW_MS = 5 * 60_000
  private readonly failures = new Map<string, { count: number; since: number }>()

  blocked(address: string, now: number): boolean {
    const entry = this.failures.get(address)
    if (!entry) return false
    if (now - entry.since > SignInThrottle.FAILURE_WINDOW_MS) {
      this.failures.delete(address)
      return false
    }
    return entry.count >= SignInThrottle.MAX_FAILURES
  }

  fail(address: string, now: number): void {
    const entry = this.failures.get(address)
    if (!entry || now - entry.since > SignInThrottle.FAILURE_WINDOW_MS) this.failures.set(address, { count: 1, since: now })
    else entry.count += 1
    // Bounded memory under an address-rotating attack: forget the oldest.
    if (this.failures.size > 10_000) {
      const oldest = this.failures.keys().next().value
      if (oldest !== undefined) this.failures.delete(oldest)
    }
  }

  succeed(address: string): void {
    this.failures.delete(address)
  }
}
