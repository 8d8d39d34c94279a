import * as crypto from 'node:crypto'

/**
 * SHA-256 of UTF-8 text, as hex. Every API request hashes its key (the rate limit's bucket and
 * the merchant lookup), so the one-shot `crypto.hash` is used where Node has it (20.12 and
 * later): it skips building a Hash object per call.
 */
export const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex')
