import { readdirSync, readFileSync } from 'node:fs'

import type { FastifyInstance, FastifyRequest } from 'fastify'

import type { Deps } from '../../deps.js'
import { TEST_CARDS } from '../../processor/test-processor.js'
import { html, type SafeHtml } from './html.js'

/** The package's root: src/http/pages and dist/http/pages are both three levels down. */
const PACKAGE_ROOT = new URL('../../../', import.meta.url)

/** What the landing page needs to know besides the running configuration. */
export interface LandingOptions {
  /** Whether /swagger and /openapi.json are served. */
  readonly documentation: boolean
}

/** The package version, or "unknown" when package.json is not beside the code. */
function readVersion(): string {
  try {
    const parsed = JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as { version?: unknown }
    return typeof parsed.version === 'string' ? parsed.version : 'unknown'
  } catch {
    return 'unknown'
  }
}

/**
 * The project's Markdown documents the landing page links, by URL path: README.md and docs/*.md,
 * read when the routes are registered (a deployment without them simply links fewer).
 */
function readDocuments(): Map<string, string> {
  const documents = new Map<string, string>()
  const add = (path: string, file: URL) => {
    try {
      documents.set(path, readFileSync(file, 'utf8'))
    } catch {
      // Not shipped with this installation: not linked.
    }
  }
  add('/docs/README.md', new URL('README.md', PACKAGE_ROOT))
  let names: string[] = []
  try {
    names = readdirSync(new URL('docs/', PACKAGE_ROOT)).filter((name) => /^[a-z0-9-]+\.md$/.test(name))
  } catch {
    names = []
  }
  for (const name of names.sort()) add(`/docs/${name}`, new URL(`docs/${name}`, PACKAGE_ROOT))
  return documents
}

/** The README's sections a new user follows step by step (between the quick start and the settings). */
export function walkthroughTitles(readme: string): string[] {
  const titles = [...readme.matchAll(/^## (.+)$/gm)].map((match) => (match[1] ?? '').trim())
  const start = titles.indexOf('Quick start')
  const end = titles.indexOf('Configuration')
  return start >= 0 && end > start ? titles.slice(start, end) : titles
}

/** A browser asking for a page (its Accept names text/html); curl and API clients get JSON. */
function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept
  return typeof accept === 'string' && /\btext\/html\b/i.test(accept)
}

/**
 * `GET /`, the base URL printed at start-up: for a browser, a small page linking the API
 * documentation, the sandbox test cards, the README's walkthroughs and what is running; for
 * anything else, the same as JSON. Also serves the linked documents as plain text under /docs/.
 */
export function registerLandingPage(app: FastifyInstance, deps: Deps, options: LandingOptions): void {
  const version = readVersion()
  const documents = readDocuments()
  const running = {
    mode: deps.config.mode,
    role: deps.config.role,
    database: deps.store.adapter.dialect,
    version,
  }

  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    // Read per request: the public URL is settled once the port is known.
    const base = deps.config.publicUrl
    if (!wantsHtml(request)) {
      return {
        name: 'dawri',
        description: 'Recurring payments with a MyFatoorah v2 compatible API',
        mode: running.mode,
        role: running.role,
        database: running.database,
        version,
        api: `${base}/v2/`,
        documentation: options.documentation ? `${base}/swagger` : null,
        openapi: options.documentation ? `${base}/openapi.json` : null,
        health: `${base}/health`,
      }
    }
    const page = renderLanding({ running, base, documentation: options.documentation, documents })
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
      .send(page.value)
  })

  for (const [path, text] of documents) {
    app.get(path, { schema: { hide: true } }, async (_request, reply) =>
      reply.header('content-type', 'text/plain; charset=utf-8').header('x-content-type-options', 'nosniff').send(text),
    )
  }
}

interface LandingView {
  readonly running: { readonly mode: string; readonly role: string; readonly database: string; readonly version: string }
  readonly base: string
  readonly documentation: boolean
  readonly documents: ReadonlyMap<string, string>
}

function renderLanding(view: LandingView): SafeHtml {
  const { running, base, documents } = view
  const readme = documents.get('/docs/README.md')
  const link = (path: string, text: string) => (documents.has(path) ? html`<a href="${path}">${text}</a>` : html`${text}`)
  const guides = [...documents.keys()].filter((path) => path !== '/docs/README.md')
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>dawri</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
h1{margin-bottom:.2rem}code{background:#f2f4f7;padding:0 .25rem;border-radius:3px}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #dde1e6;padding:.3rem .4rem;text-align:left;vertical-align:top}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}
</style>
</head>
<body>
<main>
<h1>dawri</h1>
<p>Recurring payments with a MyFatoorah v2 compatible API.</p>

<h2>What is running</h2>
<dl id="running">
<dt>Mode</dt><dd>${running.mode}</dd>
<dt>Role</dt><dd>${running.role}</dd>
<dt>Database</dt><dd>${running.database}</dd>
<dt>Version</dt><dd>${running.version}</dd>
<dt>API base URL</dt><dd><code>${base}/v2/</code></dd>
</dl>

<h2>Start here</h2>
<ul>
${view.documentation ? html`<li><a href="/swagger">API documentation</a> (try every route in the browser; <a href="/openapi.json">OpenAPI</a>)</li>` : ''}
<li><a href="#test-cards">Sandbox test cards</a> ${documents.has('/docs/test-cards.md') ? html`(all the rules: ${link('/docs/test-cards.md', 'test-cards.md')})` : ''}</li>
${readme ? html`<li>${link('/docs/README.md', 'README')} walkthroughs: <ul>${walkthroughTitles(readme).map((title) => html`<li>${title}</li>`)}</ul></li>` : ''}
<li><a href="/health">Health</a></li>
</ul>
${guides.length > 0 ? html`<h2>Guides</h2><ul>${guides.map((path) => html`<li>${link(path, path.replace('/docs/', ''))}</li>`)}</ul>` : ''}

<h2 id="test-cards">Test cards</h2>
<p>Any future expiry date and any 3-digit security code. On the verification (OTP) page, <code>123456</code> completes the payment; any other code fails it.</p>
<table>
<thead><tr><th scope="col">Card number</th><th scope="col">Outcome</th></tr></thead>
<tbody>
${TEST_CARDS.map((card) => html`<tr><td><code>${card.number}</code></td><td>${card.outcome}</td></tr>`)}
</tbody>
</table>
</main>
</body>
</html>
`
}
