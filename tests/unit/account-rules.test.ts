import { describe, expect, it } from 'vitest'

import { DOMAIN_NAME_ERRORS, parseDomainName } from '../../src/domain/apple-pay-domains.js'
import { CURRENCY_CODES } from '../../src/domain/currencies.js'
import { exchangeRateList, NO_CONVERSION_RATE } from '../../src/domain/exchange-rates.js'
import {
  cancelTokenRefusal,
  canonicalTokenText,
  readSessionTokenType,
  sessionStateRefusal,
  sessionTokenRefusal,
  type TokenFacts,
} from '../../src/domain/saved-tokens.js'

const SAVED: TokenFacts = { purpose: 'saved', deleted: false, customerIdentifier: 'cust-1' }

describe('canonicalTokenText', () => {
  it('accepts TKN- and a UUID in any case, trimmed, and writes it as tokens are stored', () => {
    expect(canonicalTokenText('TKN-0B6A4C1E-6F0E-4F4E-9D3A-2F1C5B7E8A90 ')).toBe('TKN-0b6a4c1e-6f0e-4f4e-9d3a-2f1c5b7e8a90')
    expect(canonicalTokenText('tkn-0b6a4c1e-6f0e-4f4e-9d3a-2f1c5b7e8a90')).toBe('TKN-0b6a4c1e-6f0e-4f4e-9d3a-2f1c5b7e8a90')
  })

  it('refuses anything else without a look-up', () => {
    for (const text of ['', 'TKN-', 'TOKEN2439', 'TKN-0b6a4c1e-6f0e-4f4e-9d3a-2f1c5b7e8a9', 'TKN-0b6a4c1e-6f0e-4f4e-9d3a-2f1c5b7e8a90x', 'TKN-\u0000']) {
      expect(canonicalTokenText(text), text).toBeUndefined()
    }
  })
})

describe('cancelTokenRefusal', () => {
  it('cancels a live saved card', () => {
    expect(cancelTokenRefusal(SAVED)).toBeUndefined()
    expect(cancelTokenRefusal({ ...SAVED, customerIdentifier: null })).toBeUndefined()
  })

  it('reads unknown, one-payment and recurrence tokens alike; a cancelled one says so', () => {
    expect(cancelTokenRefusal(undefined)).toBe('unknown')
    expect(cancelTokenRefusal({ ...SAVED, purpose: 'session' })).toBe('unknown')
    expect(cancelTokenRefusal({ ...SAVED, purpose: 'recurring' })).toBe('unknown')
    expect(cancelTokenRefusal({ ...SAVED, deleted: true })).toBe('already-canceled')
    expect(cancelTokenRefusal({ ...SAVED, purpose: 'recurring', deleted: true })).toBe('unknown')
  })
})

describe('readSessionTokenType', () => {
  it('takes mftoken in any case', () => {
    expect(readSessionTokenType('mftoken')).toEqual({ ok: true, type: 'mftoken' })
    expect(readSessionTokenType(' MFToken ')).toEqual({ ok: true, type: 'mftoken' })
  })

  it('refuses wallets by name and anything else', () => {
    for (const wallet of ['applepay', 'GooglePay', 'samsungpay']) {
      const read = readSessionTokenType(wallet)
      expect(read.ok).toBe(false)
      expect(!read.ok && read.error).toContain(`TokenType ${wallet.toLowerCase()} is not supported`)
    }
    expect(readSessionTokenType('card')).toEqual({ ok: false, error: 'TokenType must be mftoken (a saved card token, TKN-…)' })
  })
})

describe('sessionTokenRefusal', () => {
  const plain = { isRecurring: false, customerIdentifier: null }

  it('a live saved card may pay any ordinary session, and its own customer’s', () => {
    expect(sessionTokenRefusal(SAVED, plain)).toBeUndefined()
    expect(sessionTokenRefusal(SAVED, { isRecurring: false, customerIdentifier: 'cust-1' })).toBeUndefined()
    expect(sessionTokenRefusal({ ...SAVED, customerIdentifier: null }, { isRecurring: false, customerIdentifier: 'cust-2' })).toBeUndefined()
  })

  it('refuses missing, cancelled, internal tokens; recurring sessions; another customer’s card', () => {
    expect(sessionTokenRefusal(undefined, plain)).toBe('invalid')
    expect(sessionTokenRefusal({ ...SAVED, deleted: true }, plain)).toBe('invalid')
    expect(sessionTokenRefusal({ ...SAVED, purpose: 'session' }, plain)).toBe('invalid')
    expect(sessionTokenRefusal({ ...SAVED, purpose: 'recurring' }, plain)).toBe('invalid')
    expect(sessionTokenRefusal(SAVED, { isRecurring: true, customerIdentifier: null })).toBe('recurring-session')
    expect(sessionTokenRefusal(SAVED, { isRecurring: false, customerIdentifier: 'cust-2' })).toBe('other-customer')
  })
})

describe('sessionStateRefusal', () => {
  it('a session takes a card until it is used or expires', () => {
    expect(sessionStateRefusal({ usedAt: null, expiresAt: 2000 }, 1999)).toBeUndefined()
    expect(sessionStateRefusal({ usedAt: null, expiresAt: 2000 }, 2000)).toBe('expired')
    expect(sessionStateRefusal({ usedAt: 1500, expiresAt: 2000 }, 1000)).toBe('used')
  })
})

describe('exchangeRateList', () => {
  it('lists every invoice currency once, the base first, all at the no-conversion rate', () => {
    for (const base of CURRENCY_CODES) {
      const list = exchangeRateList(base)
      expect(list[0]).toEqual({ Text: base, Value: '1.00000000' })
      expect(list.map((item) => item.Text).sort()).toEqual([...CURRENCY_CODES].sort())
      for (const item of list) expect(item.Value).toBe(NO_CONVERSION_RATE)
      expect(NO_CONVERSION_RATE).toMatch(/^\d+\.\d{8}$/)
    }
  })

  it('keeps the table order after the base', () => {
    expect(exchangeRateList('SAR').map((item) => item.Text)).toEqual(['SAR', 'KWD', 'BHD', 'AED', 'QAR', 'OMR', 'JOD', 'EGP'])
  })
})

describe('parseDomainName', () => {
  it('accepts host names, normalised', () => {
    expect(parseDomainName('shop.example.com')).toEqual({ ok: true, domain: 'shop.example.com' })
    expect(parseDomainName('  WWW.Example.COM. ')).toEqual({ ok: true, domain: 'www.example.com' })
    expect(parseDomainName('xn--mgbh0fb.example')).toEqual({ ok: true, domain: 'xn--mgbh0fb.example' })
    expect(parseDomainName('a-b.c1.io')).toEqual({ ok: true, domain: 'a-b.c1.io' })
    expect(parseDomainName(`${'a'.repeat(63)}.com`).ok).toBe(true)
  })

  it('refuses URLs, ports, paths, wildcards, bad labels and non-ASCII names', () => {
    for (const text of [
      'https://shop.example.com',
      'shop.example.com/',
      'shop.example.com:443',
      '*.example.com',
      'shop..example.com',
      '-shop.example.com',
      'shop-.example.com',
      'shop_1.example.com',
      'متجر.example.com',
      'user@example.com',
      `${'a'.repeat(64)}.com`,
      '.',
      '[::1]',
    ]) {
      expect(parseDomainName(text), text).toEqual({ ok: false, error: DOMAIN_NAME_ERRORS.shape })
    }
  })

  it('refuses single labels, IP addresses and names over 253 characters', () => {
    expect(parseDomainName('localhost')).toEqual({ ok: false, error: DOMAIN_NAME_ERRORS.singleLabel })
    expect(parseDomainName('192.168.0.1')).toEqual({ ok: false, error: DOMAIN_NAME_ERRORS.ipAddress })
    const long = `${Array.from({ length: 4 }, () => 'a'.repeat(63)).join('.')}.com`
    expect(long.length).toBeGreaterThan(253)
    expect(parseDomainName(long)).toEqual({ ok: false, error: DOMAIN_NAME_ERRORS.tooLong })
  })
})
