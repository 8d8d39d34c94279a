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

/**
 * True for `localhost`, `*.localhost`, 127.0.0.0/8, ::1, 0.0.0.0, :: and IPv4-mapped loopback
 * (`::ffff:127.0.0.1`). A trailing dot (`localhost.`) names the same host, so it is ignored.
 */
export function isLoopbackHost(hostname: string): boolean {
  let host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '')
  if (host.includes(':')) {
    // Compare IPv6 in the compressed form the URL parser prints (0:0:0:0:0:0:0:1 → ::1,
    // ::ffff:127.0.0.1 → ::ffff:7f00:1).
    try {
      host = new URL(`http://[${host}]/`).hostname.slice(1, -1)
    } catch {
      return false
    }
    return host === '::1' || host === '::' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host)
  }
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\.\d+\.\d+\.\d+$/.test(host) ||
    host === '0.0.0.0'
  )
}

/** Appends `?`/`&` query parameters to a URL that may already have a query (reference §4.1). */
export function appendQuery(url: string, params: Readonly<Record<string, string>>): string {
  const query = Object.entries(params)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&')
  if (query === '') return url
  const hashAt = url.indexOf('#')
  const base = hashAt === -1 ? url : url.slice(0, hashAt)
  const hash = hashAt === -1 ? '' : url.slice(hashAt)
  const separator = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?'
  return base + separator + query + hash
}
