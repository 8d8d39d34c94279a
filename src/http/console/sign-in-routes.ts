import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

import { findApiKeyForSignIn } from '../../store/console.repository.js'
import { html } from '../pages/html.js'
import { isSameOriginPost } from '../pages/page-context.js'
import { consoleText } from './console-i18n.js'
import { consoleLanguage, formField, loadViewer, notice, queryField, seeOther, sendConsolePage, type ConsoleContext } from './console-context.js'
import { adminTokenMatches, LANGUAGE_COOKIE, newNonce, SESSION_COOKIE, SESSION_LIFETIME_MS, setConsoleCookie, type SessionClaims } from './session.js'

const SIGN_IN_SUBJECT = 'signin'

type SignInProblem = 'signInFailed' | 'operatorFailed' | 'signInThrottled' | 'formExpired'

const PROBLEM_STATUS: Readonly<Record<SignInProblem, number>> = {
  signInFailed: 401,
  operatorFailed: 401,
  signInThrottled: 429,
  formExpired: 403,
}

/** Sign-in (API key, or the operator's admin token), sign-out and the language switch. */
export function registerSignInRoutes(app: FastifyInstance, context: ConsoleContext): void {
  const { deps, security, throttle } = context
  const secure = deps.config.publicUrl.startsWith('https:')

  const sendSignIn = (request: FastifyRequest, reply: FastifyReply, problem?: SignInProblem) => {
    const language = consoleLanguage(request)
    const t = (key: Parameters<typeof consoleText>[1]) => consoleText(language, key)
    const csrf = security.csrfToken(SIGN_IN_SUBJECT, Date.now())
    const operatorEnabled = deps.config.adminToken !== undefined
    return sendConsolePage(context, request, reply, undefined, {
      title: 'signInTitle',
      status: problem ? PROBLEM_STATUS[problem] : 200,
      main: html`<div class="signin">
<div class="panel">
<h1>${t('signInTitle')}</h1>
${problem ? notice('error', t(problem)) : ''}
<p class="hint">${t('signInIntro')}</p>
<form method="post" action="/console/sign-in" class="signin">
<input type="hidden" name="csrf" value="${csrf}">
<label for="api-key">${t('apiKey')}</label>
<input id="api-key" name="apiKey" type="password" autocomplete="off" required maxlength="512">
<button type="submit">${t('signIn')}</button>
</form>
</div>
${
  operatorEnabled
    ? html`<div class="panel">
<h2>${t('operatorSignIn')}</h2>
<p class="hint">${t('operatorIntro')}</p>
<form method="post" action="/console/sign-in" class="signin">
<input type="hidden" name="csrf" value="${csrf}">
<label for="admin-token">${t('adminToken')}</label>
<input id="admin-token" name="adminToken" type="password" autocomplete="off" required maxlength="512">
<button type="submit">${t('signIn')}</button>
</form>
</div>`
    : ''
}
</div>`,
    })
  }

  app.get('/console/sign-in', async (request, reply) => {
    if (await loadViewer(context, request)) return seeOther(reply, '/console')
    return sendSignIn(request, reply)
  })

  app.post('/console/sign-in', async (request, reply) => {
    const now = Date.now()
    const address = request.ip
    if (!isSameOriginPost(deps, request) || !security.checkCsrf(SIGN_IN_SUBJECT, formField(request.body, 'csrf'), now)) {
      return sendSignIn(request, reply, 'formExpired')
    }
    if (throttle.blocked(address, now)) return sendSignIn(request, reply, 'signInThrottled')
    const apiKey = formField(request.body, 'apiKey').trim()
    const adminToken = formField(request.body, 'adminToken').trim()
    let claims: SessionClaims | undefined
    if (adminToken !== '') {
      const configured = deps.config.adminToken
      if (configured !== undefined && adminTokenMatches(adminToken, configured)) {
        claims = { kind: 'operator', tokenPrint: security.tokenPrint(configured), nonce: newNonce(), expiresAt: now + SESSION_LIFETIME_MS }
      }
    } else if (apiKey !== '' && apiKey.length <= 512) {
      const found = await findApiKeyForSignIn(deps.store.db, apiKey)
      if (found) claims = { kind: 'merchant', keyId: found.keyId, nonce: newNonce(), expiresAt: now + SESSION_LIFETIME_MS }
    }
    if (!claims) {
      throttle.fail(address, now)
      request.log.info({ console: 'sign-in refused', operator: adminToken !== '' }, 'console sign-in refused')
      return sendSignIn(request, reply, adminToken !== '' ? 'operatorFailed' : 'signInFailed')
    }
    throttle.succeed(address)
    setConsoleCookie(reply, SESSION_COOKIE, security.seal(claims), { secure, maxAgeSeconds: SESSION_LIFETIME_MS / 1000 })
    return seeOther(reply, '/console')
  })

  app.post('/console/sign-out', async (request, reply) => {
    const viewer = await loadViewer(context, request)
    // Signing out needs the session's token too, so another site cannot sign a user out.
    if (viewer && isSameOriginPost(deps, request) && security.checkCsrf(viewer.claims.nonce, formField(request.body, 'csrf'), Date.now())) {
      setConsoleCookie(reply, SESSION_COOKIE, '', { secure, maxAgeSeconds: 0 })
    }
    return seeOther(reply, '/console/sign-in')
  })

  app.get('/console/language', async (request, reply) => {
    const to = queryField(request.query, 'to') === 'ar' ? 'ar' : 'en'
    const back = queryField(request.query, 'back')
    // Only a console path: the switch must not become an open redirect.
    const target = /^\/console(?:[/?]|$)/.test(back) && !back.startsWith('//') ? back : '/console'
    setConsoleCookie(reply, LANGUAGE_COOKIE, to, { secure, maxAgeSeconds: 365 * 86_400 })
    return seeOther(reply, target)
  })
}
