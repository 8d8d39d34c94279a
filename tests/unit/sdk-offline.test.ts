import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { COUNTRY_CODES } from '../../src/domain/countries.js'
import {
  MYFATOORAH_LIVE_URLS,
  MYFATOORAH_TEST_URL,
  MyFatoorahClient,
  myFatoorahBaseUrl,
  parseWebhookEvent,
  verifyWebhookSignature,
  webhookSignedText,
} from '../../src/sdk/index.js'

/** The parts of dawri/sdk that need no server: base URLs, option checks, the documented webhook samples. */

describe('MyFatoorahClient options', () => {
  it("knows MyFatoorah's host for every account country dawri knows, test and live", () => {
    expect(Object.keys(MYFATOORAH_LIVE_URLS).sort()).toEqual([...COUNTRY_CODES].sort())
    for (const country of COUNTRY_CODES) {
      expect(myFatoorahBaseUrl(country, 'test')).toBe('https://apitest.myfatoorah.com')
      expect(myFatoorahBaseUrl(country, 'live')).toMatch(/^https:\/\/api(-(ae|sa|qa|eg))?\.myfatoorah\.com$/)
    }
    expect(MYFATOORAH_TEST_URL).toBe('https://apitest.myfatoorah.com')
    expect(myFatoorahBaseUrl('KWT', 'live')).toBe('https://api.myfatoorah.com')
    expect(myFatoorahBaseUrl('SAU', 'live')).toBe('https://api-sa.myfatoorah.com')
    expect(myFatoorahBaseUrl('QAT', 'live')).toBe('https://api-qa.myfatoorah.com')
    expect(myFatoorahBaseUrl('EGY', 'live')).toBe('https://api-eg.myfatoorah.com')
    expect(new MyFatoorahClient({ apiKey: 'k', country: 'SAU', environment: 'live' }).baseUrl).toBe('https://api-sa.myfatoorah.com')
    expect(new MyFatoorahClient({ apiKey: 'k', country: 'KWT', environment: 'test' }).baseUrl).toBe('https://apitest.myfatoorah.com')
  })

  it('keeps a base URL without its trailing slash and refuses unusable options', () => {
    expect(new MyFatoorahClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:8080/' }).baseUrl).toBe('http://127.0.0.1:8080')
    expect(() => new MyFatoorahClient({ apiKey: '', baseUrl: 'http://127.0.0.1:8080' })).toThrow(TypeError)
    expect(() => new MyFatoorahClient({ apiKey: 'k', baseUrl: 'not a url' })).toThrow(/not a URL/)
    expect(() => new MyFatoorahClient({ apiKey: 'k', baseUrl: 'ftp://example.com' })).toThrow(/http/)
  })
})

describe('the webhook samples of docs/webhooks.md', () => {
  const text = readFileSync('docs/webhooks.md', 'utf8')
  const samples = [...text.matchAll(/<!-- sample:(v[12])-([a-z-]+) -->([\s\S]*?)<!-- \/sample -->/g)].map(([, version, name, block]) => ({
    version: version as 'v1' | 'v2',
    name: name as string,
    json: /```json\n([\s\S]*?)```/.exec(block as string)?.[1] ?? '',
    signedText: /Signed text: `([^`]*)`/.exec(block as string)?.[1],
    signature: /MyFatoorah-Signature: ([A-Za-z0-9+/=]+)/.exec(block as string)?.[1] ?? '',
  }))

  it('finds the four samples', () => {
    expect(samples.map((s) => `${s.version}-${s.name}`)).toEqual(['v2-payment-status-changed', 'v2-recurring-updates', 'v1-payment-status-changed', 'v1-recurring-updates'])
  })

  it.each(samples.map((s) => [`${s.version}-${s.name}`, s] as const))('%s: same signed text, signature verified, body parsed', (_name, sample) => {
    if (sample.signedText !== undefined) expect(webhookSignedText(sample.version, JSON.parse(sample.json))).toBe(sample.signedText)
    const headers = { 'myfatoorah-signature': sample.signature, 'myfatoorah-webhook-version': sample.version }
    expect(verifyWebhookSignature(sample.json, headers, 'sample-webhook-secret')).toBe(true)
    expect(verifyWebhookSignature(sample.json, headers, 'another-secret')).toBe(false)
    const event = parseWebhookEvent(sample.json)
    expect(event.version).toBe(sample.version)
    expect(event.kind).toBe(sample.name.startsWith('payment') ? 'payment' : 'recurring')
  })
})
