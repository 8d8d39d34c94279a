import { isIP } from 'node:net'
import { parseArgs } from 'node:util'

/** Default of `DAWRI_BILLING_LEASE_MS`. */
export const DEFAULT_BILLING_LEASE_MS = 30_000

/** How dawri behaves towards money: a faithful sandbox, or a real billing engine. */
export const MODES = ['sandbox', 'production'] as const
export type Mode = (typeof MODES)[number]

/** Which loops a process runs. */
export const ROLES = ['all', 'api', 'worker'] as const
export type Role = (typeof ROLES)[number]

/** Every setting of dawri, read once at start-up, validated and frozen. */
export interface Config {
  readonly mode: Mode
  readonly role: Role
  readonly host: string
  readonly port: number
  /** Database URL: `sqlite:PATH` or `postgres://…`. */
  readonly databaseUrl: string
  /** Base of every URL handed out (PaymentURL, card view script, OTP page), without trailing slash. */
  readonly publicUrl: string
  /** Directory for local state (SQLite default, generated sandbox vault key). */
  readonly dataDir: string
  /** Fixed API key for the demo merchant created on an empty database. */
  readonly demoApiKey: string | undefined
  /** Card vault key (base64 or hex of 32 bytes); generated into dataDir in sandbox when unset. */
  readonly vaultKey: string | undefined
  /** Simulated latency of the test processor, in milliseconds. */
  readonly testProcessorLatencyMs: number
  /** Local hour (0–23, merchant's time zone) at which automatic charges run. */
  readonly chargeHour: number
  /** How long webhook deliveries are retried before the event is marked failed. */
  readonly webhookRetryWindowMs: number
  /** Timeout of one webhook delivery. */
  readonly webhookTimeoutMs: number
  /** Pino level: fatal, error, warn, info, debug, trace or silent. */
  readonly logLevel: string
  /** How often the worker loops look for due work when idle. */
  readonly pollIntervalMs: number
  /**
   * How long a worker owns the recurrences it claimed: after a crash, their attempts wait this
   * long before another worker resolves them. Must outlast a charge (processor latency and
   * recording), or live workers take over each other's attempts (safe, but wasted calls).
   */
  readonly billingLeaseMs: number
  /** Longest a client may take to send one whole request (headers and body); then the socket closes. */
  readonly requestTimeoutMs: number
  /** Longest a client may take to send a request's headers. */
  readonly headersTimeoutMs: number
  /** How long an idle keep-alive connection stays open. */
  readonly keepAliveTimeoutMs: number
  /**
   * The proxies whose forwarded headers (`X-Forwarded-For`, `-Host`, `-Proto`) count: addresses,
   * CIDR ranges or `loopback`/`linklocal`/`uniquelocal`. Empty (the default): none count.
   */
  readonly trustProxy: readonly string[]
  /** Token of the console's operator sign-in (every merchant); undefined (the default): no operator sign-in. */
  readonly adminToken: string | undefined
  /** Bearer token /metrics requires; undefined (the default): /metrics answers without one. */
  readonly metricsToken: string | undefined
  /** `/v2` requests per second per API key, per process (burst: one second's worth); 0 = no limit. */
  readonly rateLimitPerKey: number
  /** `/v2` requests per second per client address (IPv6: per /64), per process; 0 = no limit. */
  readonly rateLimitPerIp: number
  /** Card-form, OTP-form and Card View card posts per second per client address, per process; 0 = no limit. */
  readonly rateLimitFormsPerIp: number
}

/** A setting that cannot be used; start-up stops with exit code 2 and this message. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

type Env = Readonly<Record<string, string | undefined>>

function readInteger(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`)
  const value = Number(raw)
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`)
  return value
}

/** An environment variable; empty counts as unset (`FOO=` in a compose file), as for PORT. */
function envValue(env: Env, name: string): string | undefined {
  const value = env[name]
  return value === '' ? undefined : value
}

function readChoice<T extends string>(name: string, raw: string | undefined, choices: readonly T[], fallback: T): T {
  if (raw === undefined || raw === '') return fallback
  if (!(choices as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${choices.join(', ')}, got "${raw}"`)
  }
  return raw as T
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal']

/** `DAWRI_TRUST_PROXY`: comma-separated addresses, CIDR ranges or proxy-addr's names; empty is none. */
function readTrustProxy(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '' || raw.trim() === 'false') return []
  return raw.split(',').map((entry) => {
    const item = entry.trim()
    const [address, bits, extra] = item.split('/')
    const family = isIP(address ?? '')
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32))
    if (PROXY_NAMES.includes(item) || (family !== 0 && bitsOk && extra === undefined)) return item
    throw new ConfigError(`DAWRI_TRUST_PROXY must list addresses, CIDR ranges or ${PROXY_NAMES.join('/')}, got "${item}"`)
  })
}

/** Flags of `dawri serve` and `dawri migrate` that override the environment. */
export interface ConfigFlags {
  readonly port?: string | undefined
  readonly host?: string | undefined
  readonly database?: string | undefined
  readonly role?: string | undefined
}

/** Builds the configuration from flags and environment. Throws ConfigError on a bad setting. */
export function loadConfig(flags: ConfigFlags = {}, env: Env = process.env): Config {
  const mode = readChoice('DAWRI_MODE', env.DAWRI_MODE, MODES, 'sandbox')
  const role = readChoice(flags.role !== undefined ? '--role' : 'DAWRI_ROLE', flags.role ?? env.DAWRI_ROLE, ROLES, 'all')
  const host = flags.host ?? envValue(env, 'HOST') ?? '127.0.0.1'
  if (host.trim() === '') throw new ConfigError(`${flags.host !== undefined ? '--host' : 'HOST'} must not be empty`)
  const port = readInteger(flags.port !== undefined ? '--port' : 'PORT', flags.port ?? env.PORT, 8080, 0, 65535)
  const dataDir = envValue(env, 'DAWRI_DATA_DIR') ?? './data'
  const databaseUrl = flags.database ?? envValue(env, 'DATABASE_URL') ?? `sqlite:${dataDir}/dawri.sqlite`
  if (!/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must be sqlite:PATH or postgres://…, got "${databaseUrl}"`)
  }
  const explicitPublicUrl = envValue(env, 'DAWRI_PUBLIC_URL')
  const publicUrl = (explicitPublicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '')
  // Without DAWRI_PUBLIC_URL the base comes from HOST, so a bad HOST is the setting to name.
  const publicUrlName = explicitPublicUrl !== undefined ? 'DAWRI_PUBLIC_URL' : flags.host !== undefined ? '--host' : 'HOST'
  try {
    const parsed = new URL(publicUrl)
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme')
  } catch {
    throw new ConfigError(`${publicUrlName} must be an absolute http(s) URL, got "${publicUrl}"`)
  }
  // Every handed-out URL is this text plus a path, so a query, a fragment or whitespace (which
  // the URL parser forgives but clients do not) would end up inside every URL.
  if (/[?#\s]/.test(publicUrl)) {
    throw new ConfigError(`${publicUrlName} must not contain whitespace, a query or a fragment, got "${publicUrl}"`)
  }
  const logLevel = envValue(env, 'LOG_LEVEL') ?? 'info'
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`)
  const demoApiKey = env.DAWRI_DEMO_API_KEY || undefined
  if (demoApiKey !== undefined && !/^[\x21-\x7e]{16,512}$/.test(demoApiKey)) {
    throw new ConfigError('DAWRI_DEMO_API_KEY must be 16 to 512 printable characters without spaces')
  }
  const metricsToken = envValue(env, 'DAWRI_METRICS_TOKEN')
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,512}$/.test(metricsToken)) {
    throw new ConfigError('DAWRI_METRICS_TOKEN must be 16 to 512 printable characters without spaces')
  }
  const adminToken = envValue(env, 'DAWRI_ADMIN_TOKEN')
  if (adminToken !== undefined && !/^[\x21-\x7e]{16,512}$/.test(adminToken)) {
    throw new ConfigError('DAWRI_ADMIN_TOKEN must be 16 to 512 printable characters without spaces')
  }
  return Object.freeze({
    mode,
    role,
    host,
    port,
    databaseUrl,
    publicUrl,
    dataDir,
    demoApiKey,
    vaultKey: env.DAWRI_VAULT_KEY || undefined,
    testProcessorLatencyMs: readInteger('DAWRI_TEST_PROCESSOR_LATENCY_MS', env.DAWRI_TEST_PROCESSOR_LATENCY_MS, 0, 0, 60_000),
    chargeHour: readInteger('DAWRI_CHARGE_HOUR', env.DAWRI_CHARGE_HOUR, 4, 0, 23),
    webhookRetryWindowMs:
      readInteger('DAWRI_WEBHOOK_RETRY_HOURS', env.DAWRI_WEBHOOK_RETRY_HOURS, 72, 0, 24 * 30) * 3_600_000,
    webhookTimeoutMs: readInteger('DAWRI_WEBHOOK_TIMEOUT_MS', env.DAWRI_WEBHOOK_TIMEOUT_MS, 10_000, 100, 120_000),
    logLevel,
    pollIntervalMs: readInteger('DAWRI_POLL_INTERVAL_MS', env.DAWRI_POLL_INTERVAL_MS, 1000, 10, 600_000),
    billingLeaseMs: readInteger('DAWRI_BILLING_LEASE_MS', env.DAWRI_BILLING_LEASE_MS, DEFAULT_BILLING_LEASE_MS, 500, 3_600_000),
    requestTimeoutMs: readInteger('DAWRI_REQUEST_TIMEOUT_MS', env.DAWRI_REQUEST_TIMEOUT_MS, 30_000, 1000, 600_000),
    headersTimeoutMs: readInteger('DAWRI_HEADERS_TIMEOUT_MS', env.DAWRI_HEADERS_TIMEOUT_MS, 10_000, 1000, 600_000),
    keepAliveTimeoutMs: readInteger('DAWRI_KEEP_ALIVE_TIMEOUT_MS', env.DAWRI_KEEP_ALIVE_TIMEOUT_MS, 5_000, 1000, 600_000),
    trustProxy: Object.freeze(readTrustProxy(env.DAWRI_TRUST_PROXY)),
    adminToken,
    metricsToken,
    // Far above one merchant's real traffic (the benchmark sends ~5k/s with one key from one address).
    rateLimitPerKey: readInteger('DAWRI_RATE_LIMIT_PER_KEY', env.DAWRI_RATE_LIMIT_PER_KEY, 10_000, 0, 1_000_000),
    rateLimitPerIp: readInteger('DAWRI_RATE_LIMIT_PER_IP', env.DAWRI_RATE_LIMIT_PER_IP, 20_000, 0, 1_000_000),
    rateLimitFormsPerIp: readInteger('DAWRI_RATE_LIMIT_FORMS_PER_IP', env.DAWRI_RATE_LIMIT_FORMS_PER_IP, 100, 0, 1_000_000),
  })
}

/** Parses `dawri serve|migrate` flags; unknown flags are a ConfigError. */
export function parseServeFlags(args: readonly string[]): ConfigFlags {
  try {
    const { values } = parseArgs({
      args: [...args],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        database: { type: 'string' },
        role: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    })
    return values
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error))
  }
}
