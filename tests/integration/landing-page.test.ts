import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { walkthroughTitles } from '../../src/http/pages/landing.js'
import { TEST_CARDS } from '../../src/processor/test-processor.js'
import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'

const VERSION = (JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { version: string }).version

for (const dialect of DIALECTS) {
  describe(`${dialect}: the base URL`, () => {
    let t: TestApp
    beforeAll(async () => {
      t = await startTestApp(dialect)
    })
    afterAll(async () => t?.close())

    it('shows a browser a page with the API docs, the test cards, the walkthroughs and what is running', async () => {
      const response = await fetch(`${t.baseUrl}/`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
      const page = await response.text()
      expect(page).toContain('<a href="/swagger">API documentation</a>')
      for (const card of TEST_CARDS) expect(page).toContain(`<code>${card.number}</code>`)
      expect(page).toContain('<code>123456</code>')
      expect(page).toMatch(new RegExp(`<dt>Mode</dt><dd>sandbox</dd>\\s*<dt>Role</dt><dd>all</dd>\\s*<dt>Database</dt><dd>${dialect}</dd>\\s*<dt>Version</dt><dd>${VERSION.replace(/\./g, '\\.')}</dd>`))
      const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8')
      const titles = walkthroughTitles(readme)
      expect(titles).toContain('Months of billing in seconds: the sandbox clock')
      for (const title of titles) expect(page).toContain(`<li>${title.replace(/&/g, '&amp;').replace(/'/g, '&#39;')}</li>`)

      // Every link on the page answers.
      const links = [...page.matchAll(/href="([^"]+)"/g)].map((match) => match[1] ?? '')
      expect(links).toEqual(expect.arrayContaining(['/swagger', '/openapi.json', '/docs/README.md', '/docs/test-cards.md', '/health']))
      for (const link of links) {
        const target = await fetch(new URL(link, t.baseUrl))
        expect(target.status, link).toBe(200)
        await target.arrayBuffer()
      }
    })

    it('serves the README and the guides as text, the same text as the files', async () => {
      const readme = await fetch(`${t.baseUrl}/docs/README.md`)
      expect(readme.headers.get('content-type')).toBe('text/plain; charset=utf-8')
      expect(await readme.text()).toBe(readFileSync(join(process.cwd(), 'README.md'), 'utf8'))
      const cards = await fetch(`${t.baseUrl}/docs/test-cards.md`)
      expect(await cards.text()).toBe(readFileSync(join(process.cwd(), 'docs', 'test-cards.md'), 'utf8'))
      expect((await fetch(`${t.baseUrl}/docs/../package.json`)).status).toBe(404)
    })

    it('answers scripts with JSON', async () => {
      const response = await fetch(`${t.baseUrl}/`, { headers: { accept: '*/*' } })
      expect(response.headers.get('content-type')).toMatch(/^application\/json/)
      expect(await response.json()).toEqual({
        name: 'dawri',
        description: 'Recurring payments with a MyFatoorah v2 compatible API',
        mode: 'sandbox',
        role: 'all',
        database: dialect,
        version: VERSION,
        api: `${t.baseUrl}/v2/`,
        documentation: `${t.baseUrl}/swagger`,
        openapi: `${t.baseUrl}/openapi.json`,
        health: `${t.baseUrl}/health`,
      })
    })
  })
}
