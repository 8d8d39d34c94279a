import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { appendQuery, checkMerchantUrl, isLoopbackHost } from '../../src/domain/urls.js'

describe('appendQuery', () => {
  it('starts a query on a URL without one', () => {
    expect(appendQuery('https://shop.example.com/cb', { paymentId: '07071234567890', Id: '07071234567890' })).toBe(
      'https://shop.example.com/cb?paymentId=07071234567890&Id=07071234567890',
    )
  })

  it('extends an existing query', () => {
    expect(appendQuery('https://shop.example.com/cb?order=1', { paymentId: '1' })).toBe('https://shop.example.com/cb?order=1&paymentId=1')
    expect(appendQuery('https://shop.example.com/cb?', { paymentId: '1' })).toBe('https://shop.example.com/cb?paymentId=1')
    expect(appendQuery('https://shop.example.com/cb?order=1&', { paymentId: '1' })).toBe('https://shop.example.com/cb?order=1&paymentId=1')
  })

  it('keeps the fragment at the end', () => {
    expect(appendQuery('https://shop.example.com/cb#done', { paymentId: '1' })).toBe('https://shop.example.com/cb?paymentId=1#done')
    expect(appendQuery('https://shop.example.com/cb?a=1#/route?x=2', { paymentId: '1' })).toBe('https://shop.example.com/cb?a=1&paymentId=1#/route?x=2')
    expect(appendQuery('https://shop.example.com/cb#', { paymentId: '1' })).toBe('https://shop.example.com/cb?paymentId=1#')
  })

  it('encodes keys and values', () => {
    expect(appendQuery('https://x.test/', { 'a b': 'c&d=e', é: '#?' })).toBe('https://x.test/?a%20b=c%26d%3De&%C3%A9=%23%3F')
  })

  it('leaves the URL unchanged when there is nothing to add', () => {
    expect(appendQuery('https://shop.example.com/cb', {})).toBe('https://shop.example.com/cb')
    expect(appendQuery('https://shop.example.com/cb?a=1#h', {})).toBe('https://shop.example.com/cb?a=1#h')
  })

  it('gives URLSearchParams the original and the new parameters', () => {
    const key = fc.string({ minLength: 1, maxLength: 8 })
    const params = fc.dictionary(key, fc.string({ maxLength: 12 }), { minKeys: 1, maxKeys: 4 })
    const existing = fc.dictionary(key, fc.string({ maxLength: 12 }), { maxKeys: 3 })
    fc.assert(
      fc.property(existing, params, fc.option(fc.stringMatching(/^[a-z/]{0,6}$/), { nil: undefined }), (before, added, hash) => {
        const original = new URL('https://shop.example.com/path')
        for (const [k, v] of Object.entries(before)) original.searchParams.append(k, v)
        if (hash !== undefined) original.hash = hash
        const result = new URL(appendQuery(original.href, added))
        expect(result.pathname).toBe('/path')
        expect(result.hash).toBe(original.hash)
        const expected = [...original.searchParams.entries(), ...Object.entries(added)]
        expect([...result.searchParams.entries()]).toEqual(expected)
      }),
    )
  })
})

describe('isLoopbackHost', () => {
  it('recognises localhost names and loopback addresses', () => {
    for (const host of ['localhost', 'LOCALHOST', 'app.localhost', 'a.b.localhost', '127.0.0.1', '127.1.2.3', '127.255.255.255', '::1', '[::1]', '0.0.0.0', '::', '[::]', 'localhost.', 'app.localhost.', '::ffff:127.0.0.1', '[::ffff:7f00:1]', '0:0:0:0:0:0:0:1']) {
      expect(isLoopbackHost(host), host).toBe(true)
    }
  })

  it('does not flag other hosts', () => {
    for (const host of ['example.com', 'localhost.example.com', 'mylocalhost', 'notlocalhost', '128.0.0.1', '10.0.0.1', '192.168.1.1', '1.127.0.0', '::2', '[2001:db8::1]', 'localhostx', '127.0.0.1.nip.io', '::ffff:10.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(false)
    }
  })

  it('flags every loopback URL host as the WHATWG parser normalises it', () => {
    for (const url of ['http://127.1/', 'http://0x7f000001/', 'http://2130706433/', 'http://0/', 'http://[0:0:0:0:0:0:0:1]/', 'http://[::ffff:127.0.0.1]/', 'http://LocalHost./']) {
      expect(isLoopbackHost(new URL(url).hostname), url).toBe(true)
    }
  })
})

/** http(s) URLs with random hosts, ports, paths, queries and fragments (cheaper than fc.webUrl). */
const chars = (alphabet: string, maxLength: number, minLength = 0) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength })
const webUrl = fc
  .record({
    scheme: fc.constantFrom('http', 'https', 'HTTP', 'Https'),
    labels: fc.array(chars('abcdefghijklmnopqrstuvwxyz0123456789', 10, 1), { minLength: 1, maxLength: 4 }),
    tld: fc.constantFrom('com', 'test', 'example', 'co.uk', 'kw', 'sa'),
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    path: chars('abcdefghijklmnopqrstuvwxyz0123456789/-_.~%20', 40),
    query: fc.option(chars('abcdefghijklmnopqrstuvwxyz0123456789=&+%20', 40), { nil: undefined }),
    fragment: fc.option(chars('abcdefghijklmnopqrstuvwxyz0123456789/?', 20), { nil: undefined }),
  })
  .map(({ scheme, labels, tld, port, path, query, fragment }) =>
    `${scheme}://${labels.join('.')}.${tld}${port === undefined ? '' : `:${port}`}/${path}${query === undefined ? '' : `?${query}`}${fragment === undefined ? '' : `#${fragment}`}`,
  )

describe('checkMerchantUrl', () => {
  const sandbox = { forbidLocalhost: false }
  const production = { forbidLocalhost: true }

  it('accepts absolute http and https URLs', () => {
    for (const url of ['https://shop.example.com/cb', 'http://shop.example.com/cb?x=1#y', 'https://shop.example.com:8443/', 'HTTPS://SHOP.EXAMPLE.COM/']) {
      expect(checkMerchantUrl('CallBackUrl', url, production), url).toBeUndefined()
    }
  })

  it('refuses non-URLs and other schemes', () => {
    for (const url of ['', 'not a url', '/relative', '//shop.example.com/cb', 'shop.example.com', 'ftp://shop.example.com/', 'javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd', 'mailto:a@b.c', 'http://']) {
      expect(checkMerchantUrl('CallBackUrl', url, sandbox), url).toBe('CallBackUrl must be an absolute http or https URL')
    }
  })

  it('limits the length to 254 by default, or to maxLength', () => {
    const base = 'https://shop.example.com/'
    expect(checkMerchantUrl('ErrorUrl', base + 'x'.repeat(254 - base.length), sandbox)).toBeUndefined()
    expect(checkMerchantUrl('ErrorUrl', base + 'x'.repeat(255 - base.length), sandbox)).toBe('ErrorUrl must not be longer than 254 characters')
    expect(checkMerchantUrl('WebhookUrl', base + 'x'.repeat(20), { ...sandbox, maxLength: 30 })).toBe('WebhookUrl must not be longer than 30 characters')
    expect(checkMerchantUrl('WebhookUrl', base + 'x'.repeat(1000), { ...sandbox, maxLength: 2048 })).toBeUndefined()
  })

  it('refuses loopback hosts only when asked', () => {
    for (const url of ['http://localhost/cb', 'http://localhost:3000/cb', 'http://127.0.0.1/', 'http://[::1]:8080/', 'http://shop.localhost/', 'http://127.1/', 'http://localhost./', 'http://[::ffff:127.0.0.1]/', 'http://0/']) {
      expect(checkMerchantUrl('CallBackUrl', url, sandbox), url).toBeUndefined()
      expect(checkMerchantUrl('CallBackUrl', url, production), url).toBe('CallBackUrl must not point to localhost')
    }
  })

  it('requires https when asked', () => {
    expect(checkMerchantUrl('WebhookUrl', 'http://shop.example.com/hook', { forbidLocalhost: true, requireHttps: true })).toBe('WebhookUrl must use https')
    expect(checkMerchantUrl('WebhookUrl', 'https://shop.example.com/hook', { forbidLocalhost: true, requireHttps: true })).toBeUndefined()
    expect(checkMerchantUrl('WebhookUrl', 'http://shop.example.com/hook', { forbidLocalhost: true, requireHttps: false })).toBeUndefined()
  })

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), webUrl), fc.boolean(), fc.boolean(), (url, forbidLocalhost, requireHttps) => {
        const problem = checkMerchantUrl('CallBackUrl', url, { forbidLocalhost, requireHttps })
        return problem === undefined || problem.startsWith('CallBackUrl ')
      }),
    )
  })

  it('accepts every public web URL of reasonable length, even in production', () => {
    fc.assert(
      fc.property(webUrl, (url) => url.length > 254 || checkMerchantUrl('CallBackUrl', url, { forbidLocalhost: true, requireHttps: false }) === undefined),
    )
  })
})
