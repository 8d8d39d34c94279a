import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { adminTokenMatches, createConsoleSecurity, SignInThrottle, type SessionClaims } from '../../src/http/console/session.js'
import { niceCeiling } from '../../src/http/console/views/charts.js'

const NOW = Date.parse('2026-11-27T10:00:00Z')
const claims: SessionClaims = { kind: 'merchant', keyId: 7, nonce: 'n0nce', expiresAt: NOW + 60_000 }

describe('console sessions', () => {
  const security = createConsoleSecurity('a'.repeat(64))

  it('opens what it sealed until it expires', () => {
    const cookie = security.seal(claims)
    expect(security.open(cookie, NOW)).toEqual(claims)
    expect(security.open(cookie, NOW + 60_000)).toBeUndefined()
  })

  it('refuses any change to a sealed cookie, and cookies sealed under another secret', () => {
    const cookie = security.seal(claims)
    fc.assert(
      fc.property(fc.nat({ max: cookie.length - 1 }), fc.constantFrom(...'ABCxyz019-_.'), (index, char) => {
        const changed = cookie.slice(0, index) + char + cookie.slice(index + 1)
        fc.pre(changed !== cookie)
        expect(security.open(changed, NOW)).toBeUndefined()
      }),
    )
    expect(createConsoleSecurity('b'.repeat(64)).open(cookie, NOW)).toBeUndefined()
    expect(security.open(undefined, NOW)).toBeUndefined()
    expect(security.open('', NOW)).toBeUndefined()
  })

  it("binds CSRF tokens to their session's nonce", () => {
    const token = security.csrfToken('nonce-1', NOW)
    expect(security.checkCsrf('nonce-1', token, NOW + 1000)).toBe(true)
    expect(security.checkCsrf('nonce-2', token, NOW + 1000)).toBe(false)
    expect(security.checkCsrf('nonce-1', `${token}x`, NOW + 1000)).toBe(false)
    expect(security.checkCsrf('nonce-1', token, NOW + 3 * 3_600_000)).toBe(false)
  })

  it('compares admin tokens exactly', () => {
    expect(adminTokenMatches('token-0123456789abcdef', 'token-0123456789abcdef')).toBe(true)
    expect(adminTokenMatches('token-0123456789abcdeF', 'token-0123456789abcdef')).toBe(false)
    expect(adminTokenMatches('token-0123456789abcde', 'token-0123456789abcdef')).toBe(false)
  })

  it('blocks an address after ten failures within five minutes, and forgets them after', () => {
    const throttle = new SignInThrottle()
    for (let failure = 0; failure < 9; failure += 1) throttle.fail('10.0.0.1', NOW)
    expect(throttle.blocked('10.0.0.1', NOW)).toBe(false)
    throttle.fail('10.0.0.1', NOW)
    expect(throttle.blocked('10.0.0.1', NOW + 1000)).toBe(true)
    expect(throttle.blocked('10.0.0.2', NOW + 1000)).toBe(false)
    expect(throttle.blocked('10.0.0.1', NOW + 5 * 60_000 + 1)).toBe(false)
  })
})

describe('chart axes', () => {
  it('tops an axis at 1, 2 or 5 times a power of ten, never below the largest value', () => {
    expect([0, 1, 3, 7, 10, 11, 4_500, 10_001].map(niceCeiling)).toEqual([1, 1, 5, 10, 10, 20, 5_000, 20_000])
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 ** 12 }), (max) => {
        const top = niceCeiling(max)
        expect(top).toBeGreaterThanOrEqual(max)
        expect(top).toBeLessThan(max * 5 + 1)
      }),
    )
  })
})
