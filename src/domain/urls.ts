/** Rules for URLs that merchants give us (callbacks, webhooks). */

/** Options for {@link checkMerchantUrl}. */
export interface MerchantUrlRules {
  /** Reject loopback and `localhost` hosts (production mode; reference §2.2). */
  readonly forbidLocalhost: boolean
  /** Require https (production webhooks, reference §7.1). Default is false. */
  readonly requireHttps?: boolean
  /** Maximum length. Default is 254 (reference §2.2). */
  readonly maxLength?: number
}

/** Why a URL was refused, as a sentence for ValidationErrors, or undefined when it is fine. */
export function checkMerchantUrl(field: string, value: string, rules: MerchantUrlRules): string | undefined {
  const maxLength = rules.maxLength ?? 254
  if (value.length > maxLength) return `${field} must not be longer than ${maxLength} characters`
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return `${field} must be an absolute http or https URL`
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${field} must be an absolute http or https URL`
  if (rules.requireHttps && url.protocol !== 'https:') return `${field} must use https`
  if (rules.forbidLocalhost && isLoopbackHost(url.hostname)) return `${field} must not point to localhost`
  return undefined
}

/** True for `localhost`, `*.localhost`, 127.0.0.0/8, ::1 and 0.0.0.0. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '')
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\.\d+\.\d+\.\d+$/.test(host) ||
    host === '::1' ||
    host === '0.0.0.0' ||
    host === '::'
  )
}

/** Appends `?`/`&` query parameters to a URL that may already have a query (reference §4.1). */
export function appendQuery(url: string, params: Readonly<Record<string, string>>): string {
  const query = Object.entries(params)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&')
  const hashAt = url.indexOf('#')
  const base = hashAt === -1 ? url : url.slice(0, hashAt)
  const hash = hashAt === -1 ? '' : url.slice(hashAt)
  const separator = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?'
  return base + separator + query + hash
}
