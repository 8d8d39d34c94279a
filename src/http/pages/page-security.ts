import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

import type { Store } from '../../store/create-database.js'
import { ensureSetting } from '../../store/migrate.js'

/** How long a rendered form can be submitted. */
export const CSRF_LIFETIME_MS = 2 * 3_600_000

/** Name of the instance setting holding the pages' HMAC secret. */
export const PAGES_SECRET_SETTING = 'pages_secret'

/**
 * Stateless secrets of the hosted pages, all HMACs under one instance secret, so any number of
 * api processes agree without shared memory or cookies:
 * - CSRF tokens bind a form to what it acts on (an invoice key or a payment id) and to the time
 *   it was rendered;
 * - the OTP access key is the `sessionId` of a hosted or direct payment's OTP URL. The URL has
 *   the shape of MyFatoorah's (`MpgsAuthentication?paymentId=…&sessionId=…`, reference §2.2), and
 *   the key keeps a guessed PaymentId from opening someone else's OTP step.
 */
export interface PageSecurity {
  /** A token for a form acting on `subject`, issued at `now` (real time, epoch ms). */
  csrfToken(subject: string, now: number): string
  /** True when `token` was issued for `subject` less than {@link CSRF_LIFETIME_MS} ago. */
  checkCsrf(subject: string, token: unknown, now: number): boolean
  /** The `sessionId` query value that opens the OTP step of a hosted or direct payment. */
  otpAccessKey(paymentId: string): string
}

/** Loads (creating on first use) the instance secret and builds {@link PageSecurity}. */
export async function loadPageSecurity(store: Store): Promise<PageSecurity> {
  const secret = await ensureSetting(store, PAGES_SECRET_SETTING, () => randomBytes(32).toString('hex'))
  return createPageSecurity(secret)
}

/** {@link PageSecurity} over a secret. */
export function createPageSecurity(secret: string): PageSecurity {
  const mac = (text: string) => createHmac('sha256', secret).update(text, 'utf8').digest('base64url')
  return {
    csrfToken(subject, now) {
      const issued = Math.floor(now).toString(36)
      return `${issued}.${mac(`csrf\n${subject}\n${issued}`)}`
    },
    checkCsrf(subject, token, now) {
      if (typeof token !== 'string' || token.length > 200) return false
      const [issued = '', signature = ''] = token.split('.')
      const issuedAt = parseInt(issued, 36)
      // A minute of leeway for clocks of different api processes.
      if (!Number.isSafeInteger(issuedAt) || issuedAt > now + 60_000 || now - issuedAt > CSRF_LIFETIME_MS) return false
      return equalText(signature, mac(`csrf\n${subject}\n${issued}`))
    },
    otpAccessKey(paymentId) {
      return mac(`otp\n${paymentId}`).slice(0, 32)
    },
  }
}

/** Constant-time comparison of two texts. */
export function equalText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8')
  const right = Buffer.from(b, 'utf8')
  return left.length === right.length && timingSafeEqual(left, right)
}
