import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { findMerchantById, listApiKeys } from '../../src/store/merchant.repository.js'
import { DIALECTS } from '../support/dialects.js'
import { createTestDatabase, type TestDatabase } from '../support/test-database.js'

const CLI = join(process.cwd(), 'dist/cli/main.js')

function runCli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent', ...env } })
}

describe('dawri command line', () => {
  it('stops with exit code 2 and names the setting when a setting is bad', () => {
    const badPort = runCli(['serve', '--port', 'eighty'])
    expect(badPort.status).toBe(2)
    expect(badPort.stderr).toContain('--port must be a whole number')
    const badMode = runCli(['migrate'], { DAWRI_MODE: 'live' })
    expect(badMode.status).toBe(2)
    expect(badMode.stderr).toContain('DAWRI_MODE must be one of sandbox, production')
    const badDatabase = runCli(['migrate', '--database', 'mysql://x'])
    expect(badDatabase.status).toBe(2)
    expect(badDatabase.stderr).toContain('DATABASE_URL must be sqlite:PATH or postgres://')
    const unknownFlag = runCli(['serve', '--colour'])
    expect(unknownFlag.status).toBe(2)
  })

  it('starts on an empty SQLite database with a demo merchant and prints its key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dawri-cli-'))
    // At the default log level: the banner must still be text only.
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
      env: { ...process.env, DAWRI_DATA_DIR: dir, DAWRI_DEMO_API_KEY: 'cli_demo_key_0123456789', LOG_LEVEL: 'info' },
    })
    try {
      const output = await new Promise<string>((resolve, reject) => {
        let text = ''
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString()
          if (text.includes('API docs:')) resolve(text)
        })
        child.on('exit', (code) => reject(new Error(`exited with ${code}: ${text}`)))
      })
      expect(output).toContain('Demo merchant created (country KWT, recurring enabled)')
      expect(output).toContain('API key:        cli_demo_key_0123456789')
      expect(output).toMatch(/Webhook secret: \S+/)
      expect(output.trimEnd().split('\n')).toEqual([
        expect.stringMatching(/^dawri sandbox \(all\) on sqlite:/),
        expect.stringMatching(/^Base URL: +http:\/\/127\.0\.0\.1:/),
        'Demo merchant created (country KWT, recurring enabled):',
        '  API key:        cli_demo_key_0123456789',
        expect.stringMatching(/^ {2}Webhook secret: \S+$/),
        expect.stringMatching(/^API docs: +http:\/\/127\.0\.0\.1:\d+\/swagger$/),
      ])
    } finally {
      child.kill('SIGTERM')
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

for (const dialect of DIALECTS) {
  describe(`${dialect}: dawri merchant create and migrate`, () => {
    let database: TestDatabase
    beforeAll(async () => {
      database = await createTestDatabase(dialect)
    })
    afterAll(async () => database?.drop())

    it('prints one JSON object with the key, stored only as a hash', async () => {
      const migrate = runCli(['migrate', '--database', database.url])
      expect(migrate.status).toBe(0)
      const result = runCli(['merchant', 'create', '--name', 'Shop', '--country', 'SAU', '--recurring', '--database', database.url])
      expect(result.status, result.stderr).toBe(0)
      const created = JSON.parse(result.stdout) as { MerchantId: number; ApiKey: string; WebhookSecret: string }
      expect(created.ApiKey).toMatch(/^SK_SAU_[A-Za-z0-9_-]{64}$/)
      expect(created.WebhookSecret.length).toBeGreaterThan(20)
      const stored = await listApiKeys(database.store.db, created.MerchantId)
      expect(stored).toHaveLength(1)
      expect(JSON.stringify(stored)).not.toContain(created.ApiKey)
      const merchant = await findMerchantById(database.store.db, created.MerchantId)
      expect(merchant).toMatchObject({ country: 'SAU', currency: 'SAR', recurringEnabled: true })
    })
  })
}

describe('dawri serve on a port that is taken', () => {
  it('stops at once with exit code 2 and one line, before any worker starts', async () => {
    const { createServer } = await import('node:net')
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const address = blocker.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const dir = mkdtempSync(join(tmpdir(), 'dawri-cli-port-'))
    try {
      const started = Date.now()
      const result = spawnSync(process.execPath, [CLI, 'serve', '--port', String(port)], {
        encoding: 'utf8',
        timeout: 20_000,
        env: { ...process.env, DAWRI_DATA_DIR: dir, LOG_LEVEL: 'info' },
      })
      expect(result.status).toBe(2)
      expect(Date.now() - started).toBeLessThan(20_000)
      expect(result.stderr.trim().split('\n')).toEqual([`dawri: cannot listen on 127.0.0.1:${port}: the port is in use (set PORT/--port or HOST/--host)`])
      // Nothing was served and no worker ran: the start-up banner never printed.
      expect(result.stdout).not.toContain('Base URL')
    } finally {
      blocker.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('dawri with a database it cannot use', () => {
  it('names the setting in one line and exits with code 2, without a stack trace or a password', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dawri-cli-db-'))
    try {
      const cases: Array<[string[], string]> = [
        [['migrate', '--database', 'postgres://dawri:s3cret@127.0.0.1:1/dawri'], 'connection refused'],
        [['serve', '--port', '0', '--database', 'postgres://postgres@127.0.0.1:5432/dawri_missing_database_for_cli_test'], 'the database does not exist'],
        [['migrate', '--database', `sqlite:${join(dir, 'a-file', 'dawri.sqlite')}`], 'a part of the path is not a directory'],
      ]
      writeFileSync(join(dir, 'a-file'), 'not a directory')
      for (const [args, expected] of cases) {
        const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, DAWRI_DATA_DIR: dir, LOG_LEVEL: 'silent' } })
        expect(result.status, `${args.join(' ')}: ${result.stderr}`).toBe(2)
        const lines = result.stderr.trim().split('\n')
        expect(lines, args.join(' ')).toHaveLength(1)
        expect(lines[0]).toContain(expected)
        expect(lines[0]).toContain('DATABASE_URL or --database')
        expect(result.stderr).not.toContain('s3cret')
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('dawri serve a second time', () => {
  /** Starts `serve` on `dir`, returns its banner, and stops it. */
  async function banner(dir: string, env: Record<string, string>): Promise<string> {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { env: { ...process.env, DAWRI_DATA_DIR: dir, LOG_LEVEL: 'silent', ...env } })
    try {
      return await new Promise<string>((resolve, reject) => {
        let text = ''
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString()
          if (text.includes('API docs:')) resolve(text)
        })
        child.on('exit', (code) => reject(new Error(`exited with ${code}: ${text}`)))
      })
    } finally {
      child.kill('SIGKILL')
    }
  }

  it('says which key to use, or how to get one, instead of nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dawri-cli-again-'))
    try {
      expect(await banner(dir, { DAWRI_DEMO_API_KEY: 'cli_again_key_0123456789' })).toContain('Demo merchant created')
      const again = await banner(dir, { DAWRI_DEMO_API_KEY: 'cli_again_key_0123456789' })
      expect(again).not.toContain('Demo merchant created')
      expect(again).toContain('API key:        cli_again_key_0123456789 (DAWRI_DEMO_API_KEY)')
      expect(await banner(dir, {})).toContain('make another with `node bin/dawri.js merchant create --name NAME`')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('dawri help', () => {
  it('every command answers --help with its usage and exit code 0', () => {
    for (const [args, usage] of [
      [['serve', '--help'], 'Usage: dawri serve'],
      [['migrate', '--help'], 'Usage: dawri migrate'],
      [['merchant', 'create', '--help'], 'Usage: dawri merchant create --name NAME'],
      [['merchant', '-h'], 'dawri merchant create --name NAME'],
    ] as const) {
      const result = runCli([...args])
      expect(result.status, args.join(' ')).toBe(0)
      expect(result.stdout).toContain(usage)
    }
  })

  it('the top-level help names every setting of the README table', () => {
    const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8')
    const settings = [...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1])
    expect(settings.length).toBeGreaterThan(15)
    const help = runCli(['--help'])
    expect(help.status).toBe(0)
    for (const setting of settings) expect(help.stdout, setting).toContain(setting)
  })
})
