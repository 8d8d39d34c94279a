import { spawn } from 'node:child_process'
import { join } from 'node:path'

/** The built command (global setup builds dist/ before integration tests). */
export const CLI = join(process.cwd(), 'dist/cli/main.js')

/** The card vault key of tests/support/start-test-app.ts, so the command reads the same cards. */
export const TEST_APP_VAULT_KEY = Buffer.alloc(32, 7).toString('base64')

/** What one run of the command gave. */
export interface CliResult {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs `dawri …` as a separate process without blocking this one (the test's server and webhook
 * receiver keep answering while it runs). Logs stay quiet unless the test sets LOG_LEVEL.
 */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, LOG_LEVEL: 'silent', ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000)
    child.on('error', reject)
    child.on('close', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
  })
}

/** Runs the command and parses its `--json` answer; fails with stderr when it did not exit 0. */
export async function runCliJson<T = any>(args: readonly string[], env: Record<string, string> = {}): Promise<T> {
  const result = await runCli([...args, '--json'], env)
  if (result.status !== 0) throw new Error(`dawri ${args.join(' ')} exited ${result.status}: ${result.stderr}`)
  return JSON.parse(result.stdout) as T
}
