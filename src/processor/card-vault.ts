import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Encrypts card numbers for storage and fingerprints them for matching. */
export interface CardVault {
  /** AES-256-GCM with a fresh 12-byte IV: base64 of iv | tag | ciphertext. */
  encrypt(pan: string): string
  /** Reverses {@link CardVault.encrypt}; throws when the blob was altered or the key differs. */
  decrypt(blob: string): string
  /** HMAC-SHA256 (hex) of the number under the vault key: equal cards give equal hashes. */
  hashPan(pan: string): string
}

const KEY_BYTES = 32
const IV_BYTES = 12
const TAG_BYTES = 16

/** Builds the vault around a 32-byte key (see {@link loadVaultKey}). */
export function createCardVault(key: Buffer): CardVault {
  if (key.length !== KEY_BYTES) throw new Error(`The card vault key must be ${KEY_BYTES} bytes, got ${key.length}`)
  // Keep our own copy so a caller zeroing or reusing its buffer cannot change the vault's key.
  const secret = Buffer.from(key)
  return {
    encrypt(pan) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', secret, iv)
      const ciphertext = Buffer.concat([cipher.update(pan, 'utf8'), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')
    },
    decrypt(blob) {
      const bytes = Buffer.from(blob, 'base64')
      if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('Card vault blob is too short to be ours')
      const decipher = createDecipheriv('aes-256-gcm', secret, bytes.subarray(0, IV_BYTES))
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
      try {
        return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
          'utf8',
        )
      } catch (error: unknown) {
        // Node's message ("Unsupported state or unable to authenticate data") does not say
        // which of the two likely causes applies; both are worth naming.
        throw new Error('Card vault blob failed authentication: it was altered or DAWRI_VAULT_KEY changed', {
          cause: error,
        })
      }
    },
    hashPan(pan) {
      return createHmac('sha256', secret).update(pan, 'utf8').digest('hex')
    },
  }
}

/** Options for {@link loadVaultKey}. */
export interface LoadVaultKeyOptions {
  /** DAWRI_VAULT_KEY: 32 bytes as base64 or as 64 hex characters. Empty counts as absent. */
  readonly configuredKey: string | undefined
  /** Directory of instance data; the sandbox keeps its generated key in `vault.key` there. */
  readonly dataDir: string
  readonly mode: 'sandbox' | 'production'
}

/** Name of the generated key file inside the data directory. */
export const VAULT_KEY_FILE = 'vault.key'

/**
 * The vault key: DAWRI_VAULT_KEY when set; otherwise, in the sandbox, a key generated into
 * `<dataDir>/vault.key` (mode 0600) on first start and reused afterwards. Production refuses to
 * start without a configured key, because losing a generated file would make every stored card
 * unreadable.
 */
export function loadVaultKey(options: LoadVaultKeyOptions): Buffer {
  const configured = options.configuredKey?.trim() ?? ''
  if (configured !== '') {
    const key = parseVaultKey(configured)
    if (!key) {
      throw new Error(
        'DAWRI_VAULT_KEY is malformed: give 32 bytes as base64 (44 characters) or as 64 hex characters, ' +
          'e.g. the output of `openssl rand -base64 32`',
      )
    }
    return key
  }
  if (options.mode === 'production') {
    throw new Error(
      'DAWRI_VAULT_KEY is required in production mode: set it to 32 random bytes as base64 or 64 hex ' +
        'characters, and keep it safe; stored cards cannot be read without it',
    )
  }
  return readOrCreateKeyFile(options.dataDir)
}

function readOrCreateKeyFile(dataDir: string): Buffer {
  const path = join(dataDir, VAULT_KEY_FILE)
  const existing = readKeyFile(path)
  if (existing) return existing
  mkdirSync(dataDir, { recursive: true })
  // Write a temporary file, then hard-link it into place: link() fails when the name exists, so
  // two processes starting together agree on one key and neither reads a half-written file.
  const temporary = join(dataDir, `${VAULT_KEY_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  writeFileSync(temporary, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
  try {
    linkSync(temporary, path)
  } catch (error: unknown) {
    if (!isErrnoException(error) || error.code !== 'EEXIST') throw error
  } finally {
    rmSync(temporary, { force: true })
  }
  const key = readKeyFile(path)
  if (!key) throw new Error(`Could not create the sandbox vault key file ${path}`)
  return key
}

/** The key in `path`, or `undefined` when the file does not exist. Throws when it is malformed. */
function readKeyFile(path: string): Buffer | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error: unknown) {
    if (isErrnoException(error) && error.code === 'ENOENT') return undefined
    throw error
  }
  const key = parseVaultKey(text.trim())
  if (!key) {
    throw new Error(
      `The sandbox vault key file ${path} is malformed (expected 32 bytes as base64 or hex). ` +
        'Restore it, or delete it together with the stored cards, or set DAWRI_VAULT_KEY',
    )
  }
  return key
}

/** 32 bytes from 64 hex characters or from (standard or URL-safe) base64, else `undefined`. */
function parseVaultKey(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex')
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const key = Buffer.from(text, 'base64')
    return key.length === KEY_BYTES ? key : undefined
  }
  return undefined
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error
}
