import type { FastifyReply } from 'fastify'

import type { SafeHtml } from './html.js'

/** Options for {@link sendPage}. */
export interface SendPageOptions {
  /** HTTP status. Default is 200. */
  readonly status?: number
  /**
   * Origins a form on the page may submit to, besides our own. Browsers apply `form-action` to
   * the redirects that follow a submission too, so the merchant's CallBackUrl and ErrorUrl
   * origins must be listed when our answer redirects there.
   */
  readonly formTargets?: readonly string[]
}

/** The origin of an absolute URL, or undefined for anything else. */
export function originOf(url: string | null | undefined): string | undefined {
  if (!url) return undefined
  try {
    const origin = new URL(url).origin
    return origin === 'null' ? undefined : origin
  } catch {
    return undefined
  }
}

/**
 * The hosted pages' policy: nothing but our stylesheet; no script at all (the pages work
 * without JavaScript); forms post only to us (and to the redirect targets); never framed.
 */
export function pageCsp(formTargets: readonly string[]): string {
  const targets = [...new Set(formTargets)].filter((origin) => /^https?:\/\/[^\s;,']+$/.test(origin))
  return [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    `form-action 'self'${targets.map((origin) => ` ${origin}`).join('')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ')
}

/**
 * The Card View frame's policy: our script, our stylesheet and requests to us only; embeddable
 * by any merchant page (`frame-ancestors *`), which is the point of the frame.
 */
export const CARD_FRAME_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "form-action 'none'",
  'frame-ancestors *',
  "base-uri 'none'",
].join('; ')

/**
 * Headers every page carries: no sniffing, no caching, and no referrer to other sites (our URLs
 * hold invoice keys). `same-origin` rather than `no-referrer`: with `no-referrer` browsers send
 * `Origin: null` on form posts, and the posts' origin check needs the real one.
 */
function setCommonHeaders(reply: FastifyReply): void {
  reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('cache-control', 'no-store')
}

/** Sends a hosted page with its security headers. */
export function sendPage(reply: FastifyReply, page: SafeHtml, options: SendPageOptions = {}): FastifyReply {
  setCommonHeaders(reply)
  return reply
    .status(options.status ?? 200)
    .header('content-security-policy', pageCsp(options.formTargets ?? []))
    .header('x-frame-options', 'DENY')
    .send(page.value)
}

/** Sends the Card View frame, which merchant pages embed. */
export function sendFrame(reply: FastifyReply, page: SafeHtml, status = 200): FastifyReply {
  setCommonHeaders(reply)
  return reply.status(status).header('content-security-policy', CARD_FRAME_CSP).send(page.value)
}

/** A 303 See Other: after a POST the browser follows with a GET (no resubmission on reload). */
export function redirectSeeOther(reply: FastifyReply, url: string): FastifyReply {
  return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(url, 303)
}
