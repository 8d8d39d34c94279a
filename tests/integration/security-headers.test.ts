import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startTestApp, type TestApp } from '../support/start-test-app.js'
import { openMerchantWorld, type MerchantWorld } from './security-fixtures.js'

/**
 * Security headers of every HTML page (docs/security.md): CSP with `frame-ancestors 'none'`,
 * X-Frame-Options DENY, nosniff, a Referrer-Policy — except the Card View frame, which merchant
 * pages embed. Headers do not depend on the database, so one dialect is enough.
 */
describe('security headers of the pages', () => {
  let app: TestApp
  let world: MerchantWorld

  beforeAll(async () => {
    app = await startTestApp('sqlite')
    world = await openMerchantWorld(app, 'Headers')
  })
  afterAll(async () => app?.close())

  const get = async (url: string) => {
    const response = await fetch(url.startsWith('http') ? url : app.baseUrl + url, { redirect: 'manual' })
    await response.text()
    return response
  }

  it('every page that cannot be framed says so, whatever its status', async () => {
    const otp = new URL(world.otpUrl)
    const pages = [
      world.checkoutUrl,
      world.otpUrl,
      `${otp.origin}${otp.pathname.replace('MpgsAuthentication', 'Result')}?paymentId=${world.paidPaymentId}`,
      world.invoicePageUrl,
      '/En/KWT/PayInvoice/Checkout?invoiceKey=nope&paymentGatewayId=2',
      '/En/KWT/PayInvoice/MpgsAuthentication?paymentId=1&sessionId=2',
      '/console/sign-in',
    ]
    for (const page of pages) {
      const response = await get(page)
      const context = `${page} → ${response.status}`
      expect(response.headers.get('content-type'), context).toContain('text/html')
      expect(response.headers.get('content-security-policy'), context).toMatch(/frame-ancestors 'none'/)
      expect(response.headers.get('content-security-policy'), context).toMatch(/default-src 'none'/)
      expect(response.headers.get('x-frame-options'), context).toBe('DENY')
      expect(response.headers.get('x-content-type-options'), context).toBe('nosniff')
      expect(response.headers.get('referrer-policy'), context).toMatch(/^(same-origin|no-referrer|strict-origin)/)
    }
  })

  it('the Card View frame can be embedded by any page, and only runs our script', async () => {
    const response = await get(`/cardview/frame?sessionId=${world.sessionId}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('x-frame-options')).toBeNull()
    const csp = response.headers.get('content-security-policy') ?? ''
    expect(csp).toContain('frame-ancestors *')
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("default-src 'none'")
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('scripts and stylesheets are served with nosniff', async () => {
    for (const asset of ['/cardview/frame.js', '/cardview/frame.css', '/pages/checkout.css', '/cardview/v1/session.js']) {
      const response = await get(asset)
      expect(response.status, asset).toBe(200)
      expect(response.headers.get('x-content-type-options'), asset).toBe('nosniff')
    }
  })

  it('a refused form post is a page with the same headers', async () => {
    const form = new URLSearchParams({ csrf: 'x' })
    const response = await fetch(world.checkoutUrl, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: app.baseUrl }, body: form.toString() })
    await response.text()
    // A refused post (stale CSRF) is a page with the same headers as any other.
    expect(response.status).toBe(403)
    expect(response.headers.get('x-frame-options')).toBe('DENY')
  })
})
