import { lookup as dnsLookup } from 'node:dns/promises'
import { isIP } from 'node:net'

/**
 * Server-side request forgery rules for webhook deliveries in production (reference §7.1
 * requires https; dawri adds the address rules). A merchant controls the URL and its DNS, so the
 * URL is checked where it matters: every address its host resolves to must be public, and the
 * connection is then made to that checked address (no second lookup an attacker could rebind).
 */

/** Address classes; only `public` may be called in production. */
export const ADDRESS_CLASSES = [
  'public',
  'loopback',
  'private',
  'link-local',
  'unique-local',
  'unspecified',
  'multicast',
  'reserved',
] as const

/** One of {@link ADDRESS_CLASSES}. */
export type AddressClass = (typeof ADDRESS_CLASSES)[number]

function ipv4ToNumber(address: string): number | undefined {
  const parts = address.split('.')
  if (parts.length !== 4) return undefined
  let value = 0
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined
    const octet = Number(part)
    if (octet > 255) return undefined
    value = value * 256 + octet
  }
  return value
}

const V4_RANGES: ReadonlyArray<readonly [string, number, AddressClass]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'], // carrier-grade NAT
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'], // includes cloud metadata, 169.254.169.254
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'], // includes broadcast 255.255.255.255
]

function classifyIpv4(address: string): AddressClass {
  const value = ipv4ToNumber(address)
  if (value === undefined) return 'reserved'
  for (const [base, bits, kind] of V4_RANGES) {
    const size = 2 ** (32 - bits)
    const start = ipv4ToNumber(base) ?? 0
    if (value >= start && value < start + size) return kind
  }
  return 'public'
}

/** The 8 groups of an IPv6 address (dotted IPv4 tails expanded), or undefined. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase().replace(/%.*$/, '')
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted?.[1]) {
    const v4 = ipv4ToNumber(dotted[1])
    if (v4 === undefined) return undefined
    text = text.slice(0, -dotted[1].length) + `${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`
  }
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)))
  const head = parse(halves[0] ?? '')
  const tail = halves.length === 2 ? parse(halves[1] ?? '') : []
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 0) return undefined
  const groups = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail]
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined
}

function embeddedIpv4(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.')
}

function classifyIpv6(address: string): AddressClass {
  const g = ipv6Groups(address)
  if (!g) return 'reserved'
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g
  const upperZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0
  if (upperZero && g5 === 0 && g6 === 0 && g7 === 0) return 'unspecified'
  if (upperZero && g5 === 0 && g6 === 0 && g7 === 1) return 'loopback'
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses reach the IPv4 host.
  if (upperZero && (g5 === 0xffff || g5 === 0)) return classifyIpv4(embeddedIpv4(g6, g7))
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) embed an IPv4 address too.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return classifyIpv4(embeddedIpv4(g6, g7))
  if (g0 === 0x2002) return classifyIpv4(embeddedIpv4(g1, g2))
  // Local-use NAT64 (64:ff9b:1::/48) translates to networks of the operator's own choosing.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return 'reserved'
  // 2001::/23, IETF protocol assignments: Teredo (2001::/32, a tunnel to an IPv4 host given in
  // obfuscated form), benchmarking, ORCHID; none is an ordinary public host.
  if (g0 === 0x2001 && g1 < 0x0200) return 'reserved'
  if ((g0 & 0xfe00) === 0xfc00) return 'unique-local'
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local'
  if ((g0 & 0xffc0) === 0xfec0) return 'private' // deprecated site-local
  if ((g0 & 0xff00) === 0xff00) return 'multicast'
  if (g0 === 0x2001 && g1 === 0x0db8) return 'reserved' // documentation
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return 'reserved' // discard-only
  return 'public'
}

/** The class of an IP address (v4 or v6 text); anything unparseable is `reserved`. */
export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[|\]$/g, '')
  const family = isIP(bare.replace(/%.*$/, ''))
  if (family === 4) return classifyIpv4(bare)
  if (family === 6) return classifyIpv6(bare)
  return 'reserved'
}

/** A resolved address: what `dns.lookup(host, { all: true })` returns per entry. */
export interface ResolvedAddress {
  readonly address: string
  readonly family: number
}

/** Resolves a host name to all its addresses. */
export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>

/** `dns.lookup` with `all: true`: the resolver the operating system uses for connections. */
export const systemResolver: HostResolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true })

/** Outcome of {@link checkProductionTarget}: the address to connect to, or why not. */
export type TargetCheck =
  | { readonly ok: true; readonly address: string; readonly family: number }
  | { readonly ok: false; readonly reason: string }

/**
 * Production rule for a webhook URL: https, and every address of its host public. Returns the
 * first checked address, which the sender must connect to.
 */
export async function checkProductionTarget(url: URL, resolve: HostResolver = systemResolver): Promise<TargetCheck> {
  if (url.protocol !== 'https:') return { ok: false, reason: 'Webhook URLs must use https in production' }
  const host = url.hostname.replace(/^\[|\]$/g, '')
  let addresses: readonly ResolvedAddress[]
  if (isIP(host) !== 0) {
    addresses = [{ address: host, family: isIP(host) }]
  } else {
    try {
      addresses = await resolve(host)
    } catch (error) {
      return { ok: false, reason: `DNS lookup of ${host} failed: ${error instanceof Error ? error.message : String(error)}` }
    }
  }
  if (addresses.length === 0) return { ok: false, reason: `DNS lookup of ${host} returned no address` }
  for (const { address } of addresses) {
    const kind = classifyAddress(address)
    if (kind !== 'public') return { ok: false, reason: `Refused: ${host} resolves to a ${kind} address (${address})` }
  }
  const first = addresses[0]
  return first ? { ok: true, address: first.address, family: first.family } : { ok: false, reason: 'No address' }
}
