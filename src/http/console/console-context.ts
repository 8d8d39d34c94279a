import type { FastifyReply, FastifyRequest } from 'fastify'

import { AppError } from '../../domain/errors.js'
import type { Merchant } from '../../domain/merchant.js'
import type { Deps } from '../../deps.js'
import type { ConsoleScope } from '../../store/console-scope.js'
import { findMerchantOfActiveKey } from '../../store/console.repository.js'
import { findMerchantById } from '../../store/merchant.repository.js'
import { html, type SafeHtml } from '../pages/html.js'
import type { PageLanguage } from '../pages/i18n.js'
import { isSameOriginPost } from '../pages/page-context.js'
import { redirectSeeOther, sendPage } from '../pages/respond.js'
import { consoleText, type ConsoleMessageKey } from './console-i18n.js'
import { LANGUAGE_COOKIE, readCookies, SESSION_COOKIE, type ConsoleSecurity, type SessionClaims, SignInThrottle } from './session.js'
import { renderConsoleLayout, type ConsoleSection } from './views/layout.js'

/** What the console's routes share. */
export interface ConsoleContext {
  readonly deps: Deps
  readonly security: ConsoleSecurity
  readonly throttle: SignInThrottle
}

/** Who is looking at a console page, and what they may see. */
export interface ConsoleViewer {
  readonly claims: SessionClaims
  /** The signed-in merchant; undefined for the operator. */
  readonly merchant: Merchant | undefined
  /** The operator's merchant filter (`?merchant=`); for a merchant, its own account. */
  readonly focus: Merchant | undefined
  /** Rows every query of this request may read. */
  readonly scope: ConsoleScope
  /** The CSRF token of this session's forms. */
  readonly csrf: string
  /** Zone times are shown in: the merchant's, or UTC for the operator's all-merchant views. */
  readonly timeZone: string
  readonly name: string
  /** Query string kept on navigation (the operator's filter), e.g. `?merchant=3`, or ''. */
  readonly keep: string
  readonly language: PageLanguage
}

/** The language of the console for this request: the language cookie, else English. */
export function consoleLanguage(request: FastifyRequest): PageLanguage {
  return readCookies(request).get(LANGUAGE_COOKIE) === 'ar' ? 'AR' : 'EN'
}

/** The viewer of a request with a valid session, or undefined. */
export async function loadViewer(context: ConsoleContext, request: FastifyRequest): Promise<ConsoleViewer | undefined> {
  const { deps, security } = context
  // Sessions and form tokens run on real time, never on a sandbox merchant's clock.
  const claims = security.open(readCookies(request).get(SESSION_COOKIE), Date.now())
  if (!claims) return undefined
  const language = consoleLanguage(request)
  const csrf = security.csrfToken(claims.nonce, Date.now())
  if (claims.kind === 'merchant') {
    const merchant = await findMerchantOfActiveKey(deps.store.db, claims.keyId)
    if (!merchant) return undefined
    return { claims, merchant, focus: merchant, scope: { merchantId: merchant.id }, csrf, timeZone: merchant.timeZone, name: merchant.name, keep: '', language }
  }
  const adminToken = deps.config.adminToken
  if (adminToken === undefined || claims.tokenPrint !== security.tokenPrint(adminToken)) return undefined
  const focus = await merchantFilterOf(deps, request)
  const operator = consoleText(language, 'operator')
  return {
    claims,
    merchant: undefined,
    focus,
    scope: { merchantId: focus?.id ?? null },
    csrf,
    timeZone: focus?.timeZone ?? 'UTC',
    name: operator,
    keep: focus ? `?merchant=${focus.id}` : '',
    language,
  }
}

async function merchantFilterOf(deps: Deps, request: FastifyRequest): Promise<Merchant | undefined> {
  const value = queryField(request.query, 'merchant')
  if (!/^\d{1,12}$/.test(value)) return undefined
  return findMerchantById(deps.store.db, Number(value))
}

/**
 * The viewer of a page, or undefined after answering: a GET without a session goes to the
 * sign-in page, anything else gets 401.
 */
export async function requireViewer(context: ConsoleContext, request: FastifyRequest, reply: FastifyReply): Promise<ConsoleViewer | undefined> {
  const viewer = await loadViewer(context, request)
  if (viewer) return viewer
  if (request.method === 'GET') {
    redirectSeeOther(reply, '/console/sign-in')
  } else {
    sendConsolePage(context, request, reply, undefined, {
      title: 'sessionEnded',
      main: html`<div class="panel"><p>${consoleText(consoleLanguage(request), 'sessionEnded')}</p><p><a href="/console/sign-in">${consoleText(consoleLanguage(request), 'signIn')}</a></p></div>`,
      status: 401,
    })
  }
  return undefined
}

/**
 * The viewer of a form post, or undefined after answering 403: the post must come from our own
 * origin (browsers send `Origin`) and carry this session's CSRF token.
 */
export async function requirePost(context: ConsoleContext, request: FastifyRequest, reply: FastifyReply): Promise<ConsoleViewer | undefined> {
  const viewer = await requireViewer(context, request, reply)
  if (!viewer) return undefined
  if (!isSameOriginPost(context.deps, request) || !context.security.checkCsrf(viewer.claims.nonce, formField(request.body, 'csrf'), Date.now())) {
    sendConsolePage(context, request, reply, viewer, {
      title: 'actionFailed',
      main: html`<div class="panel"><div class="notice error" role="alert">${consoleText(viewer.language, 'formExpired')}</div><p><a href="/console">${consoleText(viewer.language, 'back')}</a></p></div>`,
      status: 403,
    })
    return undefined
  }
  return viewer
}

/** The merchant an action on a row acts as: the signed-in merchant, or for the operator the row's own. */
export async function actingMerchant(deps: Deps, viewer: ConsoleViewer, merchantId: number): Promise<Merchant> {
  if (viewer.merchant) return viewer.merchant
  const merchant = await findMerchantById(deps.store.db, merchantId)
  if (!merchant) throw new AppError('INTERNAL', `Merchant ${merchantId} does not exist`)
  return merchant
}

/** Options of {@link sendConsolePage}. */
export interface ConsolePageOptions {
  readonly title: ConsoleMessageKey
  readonly main: SafeHtml
  readonly section?: ConsoleSection
  readonly status?: number
}

/** Renders a console page in the layout and sends it with the hosted pages' security headers. */
export function sendConsolePage(
  context: ConsoleContext,
  request: FastifyRequest,
  reply: FastifyReply,
  viewer: ConsoleViewer | undefined,
  options: ConsolePageOptions,
): FastifyReply {
  const language = viewer?.language ?? consoleLanguage(request)
  const back = request.method === 'GET' && request.url.startsWith('/console') ? request.url : '/console'
  const page = renderConsoleLayout({
    language,
    title: consoleText(language, options.title),
    main: options.main,
    section: options.section,
    signedIn: viewer && { name: viewer.name, csrf: viewer.csrf, sandbox: context.deps.config.mode === 'sandbox', keep: viewer.keep },
    languageUrl: `/console/language?to=${language === 'AR' ? 'en' : 'ar'}&back=${encodeURIComponent(back)}`,
  })
  return sendPage(reply, page, { status: options.status })
}

/** A string field of a parsed form body, or ''. */
export function formField(body: unknown, name: string): string {
  if (typeof body !== 'object' || body === null) return ''
  const value = (body as Record<string, unknown>)[name]
  return typeof value === 'string' ? value : ''
}

/**
 * A string query parameter, or '' (a repeated one counts as absent, and so does one holding a
 * NUL, which no database text column can hold).
 */
export function queryField(query: unknown, name: string): string {
  if (typeof query !== 'object' || query === null) return ''
  const value = (query as Record<string, unknown>)[name]
  return typeof value === 'string' && !value.includes('\u0000') ? value.trim().slice(0, 200) : ''
}

/** A query string from fields, skipping empty ones: `?a=1&b=2` or ''. */
export function queryString(fields: Readonly<Record<string, string | number | undefined>>): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(fields)) if (value !== undefined && value !== '') params.set(name, String(value))
  const text = params.toString()
  return text === '' ? '' : `?${text}`
}

/** The outcome box shown above a page after an action. */
export function notice(kind: 'ok' | 'error', title: string, details: readonly string[] = []): SafeHtml {
  return html`<div class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}"><strong>${title}</strong>${
    details.length > 0 ? html`<ul>${details.map((detail) => html`<li>${detail}</li>`)}</ul>` : ''
  }</div>`
}

/** The texts of a refused service call: its field errors, or its message. */
export function refusalDetails(error: unknown): string[] {
  if (error instanceof AppError) {
    const fields = error.fieldErrors ?? []
    return fields.length > 0 ? fields.map((field) => field.Error) : [error.message]
  }
  throw error
}

/** A 404 page. */
export function sendNotFound(context: ConsoleContext, request: FastifyRequest, reply: FastifyReply, viewer: ConsoleViewer): FastifyReply {
  const t = (key: ConsoleMessageKey) => consoleText(viewer.language, key)
  return sendConsolePage(context, request, reply, viewer, {
    title: 'notFoundTitle',
    main: html`<div class="panel"><h1>${t('notFoundTitle')}</h1><p>${t('notFoundBody')}</p><p><a href="/console">${t('back')}</a></p></div>`,
    status: 404,
  })
}

/** A status badge. */
export function badge(status: string): SafeHtml {
  return html`<span class="badge ${status}">${status}</span>`
}

/** Sends a 303 to a console URL. */
export function seeOther(reply: FastifyReply, url: string): FastifyReply {
  return redirectSeeOther(reply, url)
}
