import { describe, expect, it } from 'vitest'

import { ConfigError, loadConfig, parseServeFlags, type ConfigFlags } from '../../src/config.js'

type Env = Record<string, string | undefined>

function load(env: Env = {}, flags: ConfigFlags = {}) {
  return loadConfig(flags, env)
}

/** Asserts that loading fails with a ConfigError whose message starts with the setting's name. */
function expectConfigError(env: Env, setting: string, flags: ConfigFlags = {}): void {
  let thrown: unknown
  try {
    load(env, flags)
  } catch (error) {
    thrown = error
  }
  expect(thrown, `${JSON.stringify(env)} ${JSON.stringify(flags)}`).toBeInstanceOf(ConfigError)
  const error = thrown as ConfigError
  expect(error.name).toBe('ConfigError')
  expect(error.message.startsWith(`${setting} `), error.message).toBe(true)
}

describe('loadConfig: defaults', () => {
  it('uses the documented defaults with an empty environment', () => {
    expect(load()).toEqual({
      mode: 'sandbox',
      role: 'all',
      host: '127.0.0.1',
      port: 8080,
      databaseUrl: 'sqlite:./data/dawri.sqlite',
      publicUrl: 'http://127.0.0.1:8080',
      dataDir: './data',
      demoApiKey: undefined,
      vaultKey: undefined,
      testProcessorLatencyMs: 0,
      chargeHour: 4,
      webhookRetryWindowMs: 72 * 3_600_000,
      webhookTimeoutMs: 10_000,
      logLevel: 'info',
      pollIntervalMs: 1000,
      billingLeaseMs: 30_000,
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 5_000,
      trustProxy: [],
      rateLimitPerKey: 10_000,
      rateLimitPerIp: 20_000,
      rateLimitFormsPerIp: 100,
    })
  })

  it('returns a frozen object', () => {
    const config = load()
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('treats empty variables as unset', () => {
    const empty = {
      PORT: '',
      HOST: '',
      DAWRI_MODE: '',
      DAWRI_ROLE: '',
      DATABASE_URL: '',
      DAWRI_DATA_DIR: '',
      DAWRI_PUBLIC_URL: '',
      LOG_LEVEL: '',
      DAWRI_DEMO_API_KEY: '',
      DAWRI_VAULT_KEY: '',
      DAWRI_CHARGE_HOUR: '',
      DAWRI_TEST_PROCESSOR_LATENCY_MS: '',
      DAWRI_WEBHOOK_RETRY_HOURS: '',
      DAWRI_WEBHOOK_TIMEOUT_MS: '',
      DAWRI_POLL_INTERVAL_MS: '',
      DAWRI_BILLING_LEASE_MS: '',
      DAWRI_REQUEST_TIMEOUT_MS: '',
      DAWRI_HEADERS_TIMEOUT_MS: '',
      DAWRI_KEEP_ALIVE_TIMEOUT_MS: '',
      DAWRI_TRUST_PROXY: '',
      DAWRI_METRICS_TOKEN: '',
      DAWRI_RATE_LIMIT_PER_KEY: '',
      DAWRI_RATE_LIMIT_PER_IP: '',
      DAWRI_RATE_LIMIT_FORMS_PER_IP: '',
    }
    expect(load(empty)).toEqual(load())
  })

  it('derives the SQLite file from DAWRI_DATA_DIR', () => {
    expect(load({ DAWRI_DATA_DIR: '/var/lib/dawri' })).toMatchObject({ dataDir: '/var/lib/dawri', databaseUrl: 'sqlite:/var/lib/dawri/dawri.sqlite' })
    expect(load({ DAWRI_DATA_DIR: '/var/lib/dawri', DATABASE_URL: 'sqlite::memory:' }).databaseUrl).toBe('sqlite::memory:')
  })

  it('derives the public URL from HOST and PORT', () => {
    expect(load({ HOST: '0.0.0.0', PORT: '3000' }).publicUrl).toBe('http://0.0.0.0:3000')
    expect(load({ HOST: '::1' }).publicUrl).toBe('http://[::1]:8080')
    expect(load({}, { host: 'localhost', port: '9090' }).publicUrl).toBe('http://localhost:9090')
  })
})

describe('loadConfig: settings', () => {
  it('reads every setting from the environment', () => {
    const config = load({
      DAWRI_MODE: 'production',
      DAWRI_ROLE: 'worker',
      HOST: '0.0.0.0',
      PORT: '3000',
      DATABASE_URL: 'postgres://dawri@db:5432/dawri',
      DAWRI_PUBLIC_URL: 'https://pay.example.test',
      DAWRI_DATA_DIR: '/data',
      DAWRI_DEMO_API_KEY: 'demo_key_0123456789',
      DAWRI_VAULT_KEY: 'a'.repeat(64),
      DAWRI_TEST_PROCESSOR_LATENCY_MS: '250',
      DAWRI_CHARGE_HOUR: '0',
      DAWRI_WEBHOOK_RETRY_HOURS: '24',
      DAWRI_WEBHOOK_TIMEOUT_MS: '5000',
      LOG_LEVEL: 'silent',
      DAWRI_POLL_INTERVAL_MS: '50',
      DAWRI_BILLING_LEASE_MS: '2000',
      DAWRI_REQUEST_TIMEOUT_MS: '20000',
      DAWRI_HEADERS_TIMEOUT_MS: '5000',
      DAWRI_KEEP_ALIVE_TIMEOUT_MS: '3000',
      DAWRI_TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,loopback',
      DAWRI_METRICS_TOKEN: 'scrape-token-0123456789',
      DAWRI_RATE_LIMIT_PER_KEY: '50',
      DAWRI_RATE_LIMIT_PER_IP: '0',
      DAWRI_RATE_LIMIT_FORMS_PER_IP: '3',
    })
    expect(config).toEqual({
      mode: 'production',
      role: 'worker',
      host: '0.0.0.0',
      port: 3000,
      databaseUrl: 'postgres://dawri@db:5432/dawri',
      publicUrl: 'https://pay.example.test',
      dataDir: '/data',
      demoApiKey: 'demo_key_0123456789',
      vaultKey: 'a'.repeat(64),
      testProcessorLatencyMs: 250,
      chargeHour: 0,
      webhookRetryWindowMs: 24 * 3_600_000,
      webhookTimeoutMs: 5000,
      logLevel: 'silent',
      pollIntervalMs: 50,
      billingLeaseMs: 2000,
      requestTimeoutMs: 20_000,
      headersTimeoutMs: 5000,
      keepAliveTimeoutMs: 3000,
      trustProxy: ['10.0.0.1', '192.168.0.0/16', 'loopback'],
      metricsToken: 'scrape-token-0123456789',
      rateLimitPerKey: 50,
      rateLimitPerIp: 0,
      rateLimitFormsPerIp: 3,
    })
    expect(load({}).trustProxy).toEqual([])
    expect(load({ DAWRI_TRUST_PROXY: 'false' }).trustProxy).toEqual([])
  })

  it('lets flags override the environment', () => {
    const config = load(
      { PORT: '1', HOST: '10.0.0.1', DATABASE_URL: 'sqlite:env.sqlite', DAWRI_ROLE: 'worker' },
      { port: '0', host: '127.0.0.2', database: 'postgresql://u@h/db', role: 'api' },
    )
    expect(config).toMatchObject({ port: 0, host: '127.0.0.2', databaseUrl: 'postgresql://u@h/db', role: 'api' })
  })

  it('trims trailing slashes of DAWRI_PUBLIC_URL', () => {
    expect(load({ DAWRI_PUBLIC_URL: 'https://pay.example.test/' }).publicUrl).toBe('https://pay.example.test')
    expect(load({ DAWRI_PUBLIC_URL: 'https://pay.example.test///' }).publicUrl).toBe('https://pay.example.test')
    expect(load({ DAWRI_PUBLIC_URL: 'https://example.test/dawri/' }).publicUrl).toBe('https://example.test/dawri')
    expect(load({ DAWRI_PUBLIC_URL: 'http://127.0.0.1:4000' }).publicUrl).toBe('http://127.0.0.1:4000')
  })

  it('accepts every port, log level, mode and role in range', () => {
    for (const port of ['0', '1', '80', '65535']) expect(load({ PORT: port }).port).toBe(Number(port))
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) expect(load({ LOG_LEVEL: level }).logLevel).toBe(level)
    for (const role of ['all', 'api', 'worker']) expect(load({ DAWRI_ROLE: role }).role).toBe(role)
    expect(load({ DAWRI_CHARGE_HOUR: '23' }).chargeHour).toBe(23)
  })
})

describe('loadConfig: every bad setting throws ConfigError naming it', () => {
  it('PORT and --port', () => {
    for (const port of ['eighty', '-1', '65536', '8080.0', '1e3', ' 8080', '0x50', '99999999999999999999']) {
      expectConfigError({ PORT: port }, 'PORT')
    }
    expectConfigError({}, '--port', { port: 'eighty' })
    expectConfigError({ PORT: '80' }, '--port', { port: '70000' })
  })

  it('DAWRI_MODE', () => {
    for (const mode of ['live', 'Sandbox', 'PRODUCTION', 'test']) expectConfigError({ DAWRI_MODE: mode }, 'DAWRI_MODE')
  })

  it('DAWRI_ROLE and --role', () => {
    expectConfigError({ DAWRI_ROLE: 'web' }, 'DAWRI_ROLE')
    expectConfigError({}, '--role', { role: 'web' })
  })

  it('HOST', () => {
    expectConfigError({ HOST: '   ' }, 'HOST')
    expectConfigError({}, '--host', { host: '' })
    expectConfigError({ HOST: 'bad host' }, 'HOST')
  })

  it('DATABASE_URL', () => {
    for (const url of ['mysql://x', 'sqlite:', 'postgres://', 'postgres:x', 'dawri.sqlite', './data/dawri.sqlite', 'SQLITE:x', ' sqlite:x']) {
      expectConfigError({ DATABASE_URL: url }, 'DATABASE_URL')
    }
    expectConfigError({}, 'DATABASE_URL', { database: 'mysql://x' })
  })

  it('DAWRI_PUBLIC_URL', () => {
    for (const url of ['pay.example.test', '/relative', 'ftp://pay.example.test', 'https://', 'not a url', 'https://pay.example.test/?x=1', 'https://pay.example.test/#top', ' https://pay.example.test', 'https://pay.example.test/\n', 'https://pay example.test']) {
      expectConfigError({ DAWRI_PUBLIC_URL: url }, 'DAWRI_PUBLIC_URL')
    }
  })

  it('LOG_LEVEL', () => {
    for (const level of ['INFO', 'verbose', 'warning', '30']) expectConfigError({ LOG_LEVEL: level }, 'LOG_LEVEL')
  })

  it('DAWRI_DEMO_API_KEY', () => {
    for (const key of ['short', 'x'.repeat(15), 'has a space in it 0123', 'x'.repeat(513), 'tab\there_0123456789', 'ключ_0123456789abcdef']) {
      expectConfigError({ DAWRI_DEMO_API_KEY: key }, 'DAWRI_DEMO_API_KEY')
    }
    expect(load({ DAWRI_DEMO_API_KEY: 'x'.repeat(16) }).demoApiKey).toBe('x'.repeat(16))
    expect(load({ DAWRI_DEMO_API_KEY: 'x'.repeat(512) }).demoApiKey).toHaveLength(512)
  })

  it('DAWRI_METRICS_TOKEN', () => {
    for (const token of ['short', 'has a space in it 0123', 'x'.repeat(513)]) expectConfigError({ DAWRI_METRICS_TOKEN: token }, 'DAWRI_METRICS_TOKEN')
    expect(load({}).metricsToken).toBeUndefined()
    expect(load({ DAWRI_METRICS_TOKEN: 'y'.repeat(16) }).metricsToken).toBe('y'.repeat(16))
  })

  it('the numeric tuning settings', () => {
    const cases: Array<[string, string[]]> = [
      ['DAWRI_TEST_PROCESSOR_LATENCY_MS', ['-1', '60001', 'fast']],
      ['DAWRI_CHARGE_HOUR', ['24', '-1', '4.5', 'four']],
      ['DAWRI_WEBHOOK_RETRY_HOURS', ['721', 'x']],
      ['DAWRI_WEBHOOK_TIMEOUT_MS', ['99', '120001', '1s']],
      ['DAWRI_POLL_INTERVAL_MS', ['9', '600001', '1.5']],
      ['DAWRI_BILLING_LEASE_MS', ['499', '3600001', '1.5']],
      ['DAWRI_REQUEST_TIMEOUT_MS', ['999', '600001', 'x']],
      ['DAWRI_HEADERS_TIMEOUT_MS', ['999', '600001']],
      ['DAWRI_KEEP_ALIVE_TIMEOUT_MS', ['999', '600001']],
      ['DAWRI_RATE_LIMIT_PER_KEY', ['-1', '1000001', '2.5']],
      ['DAWRI_RATE_LIMIT_PER_IP', ['-1', 'many']],
      ['DAWRI_RATE_LIMIT_FORMS_PER_IP', ['-1', '1e3']],
      ['DAWRI_TRUST_PROXY', ['true', '10.0.0.1/33', 'proxy.example.test', '::1/129', '1.2.3.4/8/1']],
    ]
    for (const [name, values] of cases) {
      for (const value of values) expectConfigError({ [name]: value }, name)
    }
  })
})

describe('parseServeFlags', () => {
  it('reads the serve and migrate flags', () => {
    expect(parseServeFlags(['--port', '9000', '--host', '0.0.0.0', '--database', 'sqlite:x', '--role', 'api'])).toEqual({
      port: '9000',
      host: '0.0.0.0',
      database: 'sqlite:x',
      role: 'api',
    })
    expect(parseServeFlags([])).toEqual({})
  })

  it('turns unknown flags and positionals into ConfigError', () => {
    expect(() => parseServeFlags(['--colour'])).toThrow(ConfigError)
    expect(() => parseServeFlags(['extra'])).toThrow(ConfigError)
    expect(() => parseServeFlags(['--port'])).toThrow(ConfigError)
  })
})
