import { describe, expect, it } from 'vitest'

import { createHttpTransport } from '../../src/webhooks/deliver.js'
import { checkProductionTarget, classifyAddress, type HostResolver } from '../../src/webhooks/ssrf.js'

const resolverOf =
  (...addresses: string[]): HostResolver =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:c0a8:0101::1', 'private'],
    ['64:ff9b:1::a00:1', 'reserved'],
    ['64:ff9b:1:ffff::8.8.8.8', 'reserved'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'],
    ['2001::1', 'reserved'],
    ['2001:2::1', 'reserved'],
    ['2001:10::1', 'reserved'],
    ['2001:4860:4860::8888', 'public'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['not an address', 'reserved'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['1.1.1.1', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['::ffff:8.8.8.8', 'public'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind)
  })
})

describe('checkProductionTarget', () => {
  it('requires https', async () => {
    expect(await checkProductionTarget(new URL('http://example.com/hook'), resolverOf('93.184.216.34'))).toEqual({
      ok: false,
      reason: 'Webhook URLs must use https in production',
    })
  })

  it('accepts a host whose every address is public and returns the address to connect to', async () => {
    expect(await checkProductionTarget(new URL('https://example.com/hook'), resolverOf('93.184.216.34', '2606:2800:220:1::1'))).toEqual({
      ok: true,
      address: '93.184.216.34',
      family: 4,
    })
  })

  it('refuses a host with any private, loopback or link-local address (no mixed answers)', async () => {
    const mixed = await checkProductionTarget(new URL('https://evil.example/hook'), resolverOf('93.184.216.34', '10.0.0.5'))
    expect(mixed).toEqual({ ok: false, reason: 'Refused: evil.example resolves to a private address (10.0.0.5)' })
    const metadata = await checkProductionTarget(new URL('https://169.254.169.254/latest'), resolverOf())
    expect(metadata).toMatchObject({ ok: false, reason: expect.stringMatching(/link-local/) })
    const v6 = await checkProductionTarget(new URL('https://[::1]:8443/hook'), resolverOf())
    expect(v6).toMatchObject({ ok: false, reason: expect.stringMatching(/loopback/) })
  })

  it('reports DNS failures and empty answers', async () => {
    const failing: HostResolver = async () => {
      throw new Error('getaddrinfo ENOTFOUND nowhere.invalid')
    }
    expect(await checkProductionTarget(new URL('https://nowhere.invalid/'), failing)).toMatchObject({ ok: false, reason: expect.stringMatching(/DNS lookup/) })
    expect(await checkProductionTarget(new URL('https://empty.example/'), resolverOf())).toMatchObject({ ok: false })
  })
})

describe('production transport', () => {
  it('never connects to a refused target and says why', async () => {
    const transport = createHttpTransport({ production: true, resolve: resolverOf('192.168.0.10') })
    const result = await transport({ url: 'https://intranet.example/hook', headers: {}, body: '{}', timeoutMs: 1000 })
    expect(result).toMatchObject({ statusCode: null, error: 'Refused: intranet.example resolves to a private address (192.168.0.10)' })
  })
})
