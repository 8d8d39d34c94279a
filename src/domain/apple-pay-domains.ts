/**
 * RegisterApplePayDomain's rules. dawri only records the web domains a merchant registers for
 * the Apple Pay button; it never fetches them and offers no Apple Pay payments.
 */

/** Longest host name DNS allows. */
export const MAX_DOMAIN_NAME_LENGTH = 253

/** dawri's own limit of registered domains per account, so one key cannot grow the table without end. */
export const MAX_APPLE_PAY_DOMAINS = 100

/** RegisterApplePayDomain's error texts (field `DomainName`). */
export const DOMAIN_NAME_ERRORS = {
  shape: 'DomainName must be a bare host name such as shop.example.com: no scheme, port, path or wildcard; international names in punycode (xn--)',
  tooLong: `DomainName must not be longer than ${MAX_DOMAIN_NAME_LENGTH} characters`,
  singleLabel: 'DomainName must be a fully qualified host name such as shop.example.com',
  ipAddress: 'DomainName must be a host name, not an IP address',
  tooMany: `An account can register at most ${MAX_APPLE_PAY_DOMAINS} Apple Pay domains`,
} as const

/** One DNS label: letters, digits and inner hyphens, 1 to 63 characters. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/**
 * Checks and normalises a domain name as clients send it (the host of the shop's URL, e.g.
 * `parse_url($url, PHP_URL_HOST)`): trimmed, lower-cased, one trailing dot dropped. `www.` is
 * kept: it is another host.
 */
export function parseDomainName(input: string): { ok: true; domain: string } | { ok: false; error: string } {
  let domain = input.trim().toLowerCase()
  if (domain.endsWith('.')) domain = domain.slice(0, -1)
  if (domain.length > MAX_DOMAIN_NAME_LENGTH) return { ok: false, error: DOMAIN_NAME_ERRORS.tooLong }
  const labels = domain.split('.')
  if (!labels.every((label) => LABEL.test(label))) return { ok: false, error: DOMAIN_NAME_ERRORS.shape }
  if (labels.length < 2) return { ok: false, error: DOMAIN_NAME_ERRORS.singleLabel }
  // A top-level label is never all digits: this is an IPv4 address.
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return { ok: false, error: DOMAIN_NAME_ERRORS.ipAddress }
  return { ok: true, domain }
}
