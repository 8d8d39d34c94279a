import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { CLI, runCli } from './cli-support.js'

/** Every command, as the top-level help lists it. */
async function commandNames(): Promise<string[]> {
  const help = await runCli(['--help'])
  const section = help.stdout.split('Commands:\n')[1]?.split('\n\n')[0] ?? ''
  return section.split('\n').map((line) => line.trim().split(/\s{2,}/)[0] ?? '')
}

describe('dawri --help and exit codes', () => {
  it('every command and group answers --help with its usage and examples, exit code 0', async () => {
    const names = await commandNames()
    expect(names).toEqual([
      'serve', 'migrate', 'merchant create', 'merchant list', 'merchant show', 'merchant update', 'key rotate',
      'recurring list', 'recurring show', 'recurring cancel', 'recurring resume', 'webhooks list', 'webhooks resend',
      'clock advance', 'doctor',
    ])
    for (const name of names) {
      const result = await runCli([...name.split(' '), '--help'])
      expect(result.status, name).toBe(0)
      expect(result.stdout, name).toMatch(new RegExp(`^Usage: dawri ${name}\\b`))
      expect(result.stdout, name).toMatch(/\nExamples:\n {2}dawri /)
    }
    for (const group of ['merchant', 'key', 'recurring', 'webhooks', 'clock']) {
      const help = await runCli([group, '--help'])
      expect(help.status, group).toBe(0)
      expect(help.stdout).toMatch(new RegExp(`^Usage: dawri ${group} <`))
      const bare = await runCli([group])
      expect(bare.status, group).toBe(2)
      expect(bare.stderr).toBe(`${help.stdout}`)
    }
  })

  it('the top-level help and docs/cli.md document every command and every exit code', async () => {
    const help = await runCli(['--help'])
    expect(help.stdout).toMatch(/Exit codes:\n {2}0 {2}done\n {2}1 {2}the command ran but could not do it/)
    expect(help.stdout).toMatch(/\n {2}2 {2}bad usage/)
    const docs = readFileSync(join(process.cwd(), 'docs', 'cli.md'), 'utf8')
    for (const name of await commandNames()) expect(docs, name).toContain(`### \`dawri ${name}\``)
    for (const code of ['| 0 |', '| 1 |', '| 2 |']) expect(docs).toContain(code)
  })

  it('bad usage and bad settings stop with exit code 2 and one line naming the problem', async () => {
    for (const [args, env, message] of [
      [['frobnicate'], {}, 'dawri: Unknown command "frobnicate" (see `dawri --help`)'],
      [['merchant', 'delete', '1'], {}, 'dawri: Unknown command "merchant delete" (see `dawri merchant --help`)'],
      [['recurring', 'list', '--colour'], {}, "dawri: Unknown option '--colour' (see `dawri recurring list --help`)"],
      [['merchant', 'list'], { DATABASE_URL: 'mysql://db/dawri' }, 'dawri: DATABASE_URL must be sqlite:PATH or postgres://…, got "mysql://db/dawri"'],
      [['webhooks', 'list'], { DAWRI_MODE: 'live' }, 'dawri: DAWRI_MODE must be one of sandbox, production, got "live"'],
      [['recurring', 'list', '--database', 'postgres://postgres@127.0.0.1:1/x'], {}, 'dawri: cannot use the database postgres://***@127.0.0.1:1/x: connection refused (set DATABASE_URL or --database)'],
    ] as const) {
      const result = await runCli([...args], { ...env })
      expect(result.status, args.join(' ')).toBe(2)
      expect(result.stderr, args.join(' ')).toBe(`${message}\n`)
      expect(result.stdout).toBe('')
    }
  })

  it('migrate shows progress on a terminal only; a pipe gets the result alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dawri-cli-progress-'))
    try {
      const piped = spawnSync(process.execPath, [CLI, 'migrate'], { encoding: 'utf8', env: { ...process.env, DAWRI_DATA_DIR: dir } })
      expect(piped.status).toBe(0)
      expect(piped.stdout).toMatch(/^Applied: 0001-core, /)
      expect(piped.stderr).toBe('')
      // `script` gives the command a terminal; its output is what the terminal showed.
      const terminal = spawnSync('script', ['-qec', `${process.execPath} ${CLI} migrate --database sqlite:${join(dir, 'tty.sqlite')}`, '/dev/null'], { encoding: 'utf8', env: { ...process.env, DAWRI_DATA_DIR: dir } })
      expect(terminal.status).toBe(0)
      expect(terminal.stdout).toContain('| Migrating the database… 0.0s')
      expect(terminal.stdout).toContain('\r\u001b[2K')
      expect(terminal.stdout).toMatch(/Applied: 0001-core, /)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
