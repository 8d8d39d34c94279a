import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'

import { createCardVault, loadVaultKey, VAULT_KEY_FILE } from '../../src/processor/card-vault.js'

const KEY = Buffer.alloc(32, 7)
const PAN = '5123450000000008'

describe('card vault', () => {
  const vault = createCardVault(KEY)

  it('round-trips any text', () => {
    fc.assert(fc.property(fc.string(), (text) => vault.decrypt(vault.encrypt(text)) === text))
    expect(vault.decrypt(vault.encrypt(PAN))).toBe(PAN)
  })

  it('never shows the number in the blob and uses a new IV each time', () => {
    const blobs = Array.from({ length: 50 }, () => vault.encrypt(PAN))
    expect(new Set(blobs).size).toBe(blobs.length)
    const ivs = blobs.map((blob) => Buffer.from(blob, 'base64').subarray(0, 12).toString('hex'))
    expect(new Set(ivs).size).toBe(ivs.length)
    for (const blob of blobs) {
      expect(blob).not.toContain(PAN)
      expect(Buffer.from(blob, 'base64').toString('latin1')).not.toContain(PAN)
      // iv (12) + tag (16) + one byte per digit.
      expect(Buffer.from(blob, 'base64')).toHaveLength(12 + 16 + PAN.length)
    }
  })

  it('detects any altered byte', () => {
    const blob = Buffer.from(vault.encrypt(PAN), 'base64')
    for (let i = 0; i < blob.length; i++) {
      const altered = Buffer.from(blob)
      altered[i] = (altered[i] ?? 0) ^ 0x01
      expect(() => vault.decrypt(altered.toString('base64')), `byte ${i}`).toThrow(/altered|DAWRI_VAULT_KEY/)
    }
    expect(() => vault.decrypt(blob.subarray(0, 20).toString('base64'))).toThrow(/too short/)
  })

  it('refuses a blob encrypted under another key, without echoing the number', () => {
    const other = createCardVault(Buffer.alloc(32, 8))
    const attempt = () => other.decrypt(vault.encrypt(PAN))
    expect(attempt).toThrow(/DAWRI_VAULT_KEY/)
    try {
      attempt()
    } catch (error: unknown) {
      expect(String(error)).not.toContain(PAN)
    }
  })

  it('hashes with the key: stable for one key, different across keys and cards', () => {
    expect(vault.hashPan(PAN)).toBe(vault.hashPan(PAN))
    expect(vault.hashPan(PAN)).toMatch(/^[0-9a-f]{64}$/)
    expect(vault.hashPan(PAN)).not.toBe(vault.hashPan('4508750015741019'))
    expect(createCardVault(Buffer.alloc(32, 8)).hashPan(PAN)).not.toBe(vault.hashPan(PAN))
  })

  it('is not affected by later changes to the caller’s key buffer', () => {
    const key = Buffer.alloc(32, 3)
    const own = createCardVault(key)
    const blob = own.encrypt(PAN)
    key.fill(0)
    expect(own.decrypt(blob)).toBe(PAN)
  })

  it('wants a 32-byte key', () => {
    expect(() => createCardVault(Buffer.alloc(16))).toThrow(/32 bytes/)
  })
})

describe('loadVaultKey', () => {
  const dirs: string[] = []
  const freshDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'dawri-vault-'))
    dirs.push(dir)
    return dir
  }
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  it('reads a configured key as base64 or hex, in either mode', () => {
    const key = randomBytes(32)
    for (const mode of ['sandbox', 'production'] as const) {
      const dataDir = freshDir()
      expect(loadVaultKey({ configuredKey: key.toString('base64'), dataDir, mode })).toEqual(key)
      expect(loadVaultKey({ configuredKey: key.toString('hex'), dataDir, mode })).toEqual(key)
      expect(loadVaultKey({ configuredKey: key.toString('hex').toUpperCase(), dataDir, mode })).toEqual(key)
      expect(loadVaultKey({ configuredKey: ` ${key.toString('base64url')}\n`, dataDir, mode })).toEqual(key)
      // A configured key never creates a file.
      expect(existsSync(join(dataDir, VAULT_KEY_FILE))).toBe(false)
    }
  })

  it('names DAWRI_VAULT_KEY when the configured key is malformed', () => {
    const dataDir = freshDir()
    for (const configuredKey of [
      randomBytes(16).toString('base64'),
      randomBytes(33).toString('base64'),
      randomBytes(31).toString('hex'),
      'not a key at all',
      'g'.repeat(64),
    ]) {
      expect(() => loadVaultKey({ configuredKey, dataDir, mode: 'sandbox' }), configuredKey).toThrow(/DAWRI_VAULT_KEY/)
    }
  })

  it('requires DAWRI_VAULT_KEY in production', () => {
    const dataDir = freshDir()
    expect(() => loadVaultKey({ configuredKey: undefined, dataDir, mode: 'production' })).toThrow(
      /DAWRI_VAULT_KEY is required/,
    )
    expect(() => loadVaultKey({ configuredKey: '', dataDir, mode: 'production' })).toThrow(/DAWRI_VAULT_KEY/)
    expect(existsSync(join(dataDir, VAULT_KEY_FILE))).toBe(false)
  })

  it('generates a sandbox key once, with mode 0600, and reuses it', () => {
    const dataDir = join(freshDir(), 'nested', 'data')
    const first = loadVaultKey({ configuredKey: undefined, dataDir, mode: 'sandbox' })
    expect(first).toHaveLength(32)
    const path = join(dataDir, VAULT_KEY_FILE)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    const second = loadVaultKey({ configuredKey: '', dataDir, mode: 'sandbox' })
    expect(second).toEqual(first)
    // The file holds the key as DAWRI_VAULT_KEY would, so it can be moved into configuration.
    const text = readFileSync(path, 'utf8').trim()
    expect(loadVaultKey({ configuredKey: text, dataDir: freshDir(), mode: 'production' })).toEqual(first)
    // No temporary files are left behind.
    expect(readdirSync(dataDir)).toEqual([VAULT_KEY_FILE])
    expect(loadVaultKey({ configuredKey: undefined, dataDir: freshDir(), mode: 'sandbox' })).not.toEqual(first)
  })

  it('refuses a corrupt key file instead of replacing it', () => {
    const dataDir = freshDir()
    writeFileSync(join(dataDir, VAULT_KEY_FILE), 'garbage\n')
    expect(() => loadVaultKey({ configuredKey: undefined, dataDir, mode: 'sandbox' })).toThrow(/malformed/)
    expect(readFileSync(join(dataDir, VAULT_KEY_FILE), 'utf8')).toBe('garbage\n')
  })
})
