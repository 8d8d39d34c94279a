import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'

import { chromium, type Browser, type Page } from 'playwright-core'

import type { Clock } from '../../src/domain/clock.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'

/** Debian's Chromium; never a downloaded browser. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
}

/** Where the README's screenshots go. */
export const SCREENSHOTS = join(process.cwd(), 'docs', 'screenshots')

/**
 * Whether the tests write their screenshots into docs/screenshots/: only with
 * DAWRI_WRITE_SCREENSHOTS=1, so that an ordinary run leaves the working tree clean.
 */
export const WRITE_SCREENSHOTS = process.env.DAWRI_WRITE_SCREENSHOTS === '1'

/**
 * Takes a full-page screenshot (the page must render either way) and, with
 * DAWRI_WRITE_SCREENSHOTS=1, writes it to docs/screenshots/<name>.
 */
export async function screenshot(page: Page, name: string): Promise<Buffer> {
  if (!WRITE_SCREENSHOTS) return page.screenshot({ fullPage: true })
  mkdirSync(SCREENSHOTS, { recursive: true })
  return page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true })
}

/** A merchant's website on another loopback port: callback pages and a Card View shop page. */
export interface MerchantSite {
  readonly url: string
  close(): Promise<void>
}

const escape = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

/** Starts the merchant site; its server calls dawri's API with the merchant's key, as a real backend would. */
export async function startMerchantSite(app: TestApp, apiKey: string): Promise<MerchantSite> {
  let url = ''
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const requestUrl = new URL(request.url ?? '/', url)
    const send = (status: number, type: string, body: string) => {
      response.writeHead(status, { 'content-type': `${type}; charset=utf-8` })
      response.end(body)
    }
    if (requestUrl.pathname === '/callback' || requestUrl.pathname === '/error') {
      const title = requestUrl.pathname === '/callback' ? 'Thank you for your order' : 'Payment failed'
      return send(200, 'text/html', `<!doctype html><title>${title}</title><h1>${title}</h1><p id="payment">${escape(requestUrl.searchParams.get('paymentId') ?? '')}</p>`)
    }
    if (requestUrl.pathname === '/shop') {
      const session = await app.call('POST', '/v2/InitiateSession', apiKey, {})
      return send(200, 'text/html', shopPage(app.baseUrl, session.body.Data.SessionId, session.body.Data.CountryCode))
    }
    if (requestUrl.pathname === '/shop/pay' && request.method === 'POST') {
      let body = ''
      for await (const chunk of request) body += String(chunk)
      const { sessionId } = JSON.parse(body) as { sessionId: string }
      const executed = await app.call('POST', '/v2/ExecutePayment', apiKey, {
        SessionId: sessionId,
        InvoiceValue: 1.5,
        CallBackUrl: `${url}/callback`,
        ErrorUrl: `${url}/error`,
      })
      return send(executed.status, 'application/json', JSON.stringify(executed.body.Data ?? executed.body))
    }
    return send(404, 'text/plain', 'not found')
  }
  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500)
      response.end(String(error))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

/** The merchant's checkout page embedding the Card View (reference §3.3 skeleton). */
function shopPage(dawriUrl: string, sessionId: string, countryCode: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Test shop</title>
<style>body { font-family: sans-serif; max-width: 30rem; margin: 2rem auto; } #card-element { border: 1px solid #ccc; padding: 0.5rem; border-radius: 8px; } button { margin-top: 1rem; padding: 0.6rem 1.2rem; }</style>
</head>
<body>
<h1>Test shop</h1>
<p>Monthly plan: <strong>1.500 KWD</strong></p>
<div id="card-element"></div>
<p>BIN: <span id="bin"></span></p>
<p id="error" role="alert"></p>
<button id="pay" type="button">Pay now</button>
<script src="${dawriUrl}/cardview/v3/session.js"></script>
<script>
  window.bins = [];
  myFatoorah.init({
    countryCode: ${JSON.stringify(countryCode)},
    sessionId: ${JSON.stringify(sessionId)},
    cardViewId: 'card-element',
    supportedNetworks: 'v,m,ae,md',
    onCardBinChanged: function (bin) { window.bins.push(bin); document.getElementById('bin').textContent = bin || ''; },
    style: { direction: 'ltr', input: { borderRadius: 8, borderColor: '#888' }, error: { borderColor: '#c00' } }
  });
  document.getElementById('pay').addEventListener('click', function () {
    document.getElementById('error').textContent = '';
    myFatoorah.submit().then(function (response) {
      window.submitted = response;
      return fetch('/shop/pay', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId: response.sessionId }) });
    }).then(function (reply) { return reply.json(); }).then(function (data) {
      location.href = data.PaymentURL;
    }).catch(function (error) { document.getElementById('error').textContent = error.message; });
  });
</script>
</body>
</html>`
}

/** A running dawri with one merchant, that merchant's site and a Chromium, for one e2e file. */
export interface BrowserShop {
  readonly app: TestApp
  readonly apiKey: string
  readonly merchant: MerchantSite
  readonly browser: Browser
  /** Closes the browser, the site and the app. */
  close(): Promise<void>
}

/** Starts a {@link BrowserShop} (SQLite; `clock` pins the merchant's clock for stable screenshots). */
export async function openBrowserShop(options: { readonly merchantName?: string; readonly clock?: Clock } = {}): Promise<BrowserShop> {
  const app = await startTestApp('sqlite', options.clock ? { clock: options.clock } : {})
  const apiKey = (await app.createMerchant(options.merchantName ? { name: options.merchantName } : {})).apiKey
  const merchant = await startMerchantSite(app, apiKey)
  const browser = await launchChromium()
  return {
    app,
    apiKey,
    merchant,
    browser,
    async close() {
      await browser.close()
      await merchant.close()
      await app.close()
    },
  }
}
