#!/usr/bin/env node
import { ConfigError } from '../config.js'
import { DatabaseUnavailableError } from '../store/database-errors.js'
import { UsageError, wantsHelp } from './args.js'
import { CLOCK_COMMANDS } from './clock-commands.js'
import { commandHelp, type Command } from './command.js'
import { DOCTOR_COMMANDS } from './doctor-commands.js'
import { CommandFailure } from './errors.js'
import { KEY_COMMANDS } from './key-commands.js'
import { MERCHANT_COMMANDS } from './merchant-commands.js'
import { RECURRING_COMMANDS } from './recurring-commands.js'
import { SERVER_COMMANDS } from './server-commands.js'
import { WEBHOOK_COMMANDS } from './webhook-commands.js'

/** Every command, in the order the help lists them. */
const COMMANDS: readonly Command[] = [
  ...SERVER_COMMANDS,
  ...MERCHANT_COMMANDS,
  ...KEY_COMMANDS,
  ...RECURRING_COMMANDS,
  ...WEBHOOK_COMMANDS,
  ...CLOCK_COMMANDS,
  ...DOCTOR_COMMANDS,
]

/** Exit codes, as the help and docs/cli.md list them. */
export const EXIT_CODES = `Exit codes:
  0  done
  1  the command ran but could not do it: not found, refused (e.g. cancelling a Canceled recurring
     payment, a declined resume), a failed doctor check, a resent webhook not delivered, an
     unexpected error
  2  bad usage (unknown command or flag, malformed value) or a bad setting: a setting that cannot
     be used, a database that cannot be reached, a port that cannot be bound; one line on stderr`

const USAGE = `Usage: dawri <command> [flags]      (dawri <command> --help: its flags and examples)

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(17)} ${command.summary}`).join('\n')}

Every command that reads the database takes --database URL (else DATABASE_URL); listings and
show commands print a table, or JSON with --json.

Settings (environment; flags win where both exist; README, "Configuration", says what each does):
  DATABASE_URL, PORT, HOST, DAWRI_ROLE, DAWRI_MODE, DAWRI_PUBLIC_URL, DAWRI_DATA_DIR,
  DAWRI_DEMO_API_KEY, DAWRI_VAULT_KEY, DAWRI_TEST_PROCESSOR_LATENCY_MS, DAWRI_CHARGE_HOUR,
  DAWRI_WEBHOOK_RETRY_HOURS, DAWRI_WEBHOOK_TIMEOUT_MS, DAWRI_POLL_INTERVAL_MS,
  DAWRI_BILLING_LEASE_MS, DAWRI_REQUEST_TIMEOUT_MS, DAWRI_HEADERS_TIMEOUT_MS,
  DAWRI_KEEP_ALIVE_TIMEOUT_MS, DAWRI_TRUST_PROXY, DAWRI_METRICS_TOKEN, DAWRI_RATE_LIMIT_PER_KEY,
  DAWRI_RATE_LIMIT_PER_IP, DAWRI_RATE_LIMIT_FORMS_PER_IP, DAWRI_ADMIN_TOKEN, LOG_LEVEL

${EXIT_CODES}

Examples:
  dawri serve
  dawri merchant create --name "Coffee Club" --recurring --bypass-3ds
  dawri recurring list --merchant 1 --status Uncompleted
  dawri clock advance --merchant 1 --days 30
  dawri doctor`

/** The commands of a group (`merchant`, `recurring`, …), as `dawri <group> --help` lists them. */
function groupHelp(group: string, commands: readonly Command[]): string {
  return [
    `Usage: dawri ${group} <${commands.map((command) => command.name.split(' ')[1]).join('|')}> [flags]`,
    '',
    ...commands.map((command) => `  ${command.usage}\n      ${command.summary}`),
    '',
    `dawri ${group} <command> --help: its flags and examples.`,
  ].join('\n')
}

async function main(argv: readonly string[]): Promise<number> {
  const [first, second, ...rest] = argv
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    process.stdout.write(`${USAGE}\n`)
    return first === undefined ? 2 : 0
  }
  const single = COMMANDS.find((command) => command.name === first)
  if (single) {
    const args = argv.slice(1)
    if (wantsHelp(args)) return help(commandHelp(single))
    return run(single, args)
  }
  const group = COMMANDS.filter((command) => command.name.startsWith(`${first} `))
  if (group.length === 0) throw new UsageError(`Unknown command "${first}" (see \`dawri --help\`)`)
  const command = group.find((candidate) => candidate.name === `${first} ${second ?? ''}`)
  if (!command) {
    if (second === undefined || second === '--help' || second === '-h') return help(groupHelp(first, group), second === undefined ? 2 : 0)
    throw new UsageError(`Unknown command "${first} ${second}" (see \`dawri ${first} --help\`)`)
  }
  if (wantsHelp(rest)) return help(commandHelp(command))
  return run(command, rest)
}

/** Runs a command; a usage error points to that command's help. */
async function run(command: Command, args: readonly string[]): Promise<number> {
  try {
    return await command.run(args)
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${error.message} (see \`dawri ${command.name} --help\`)`)
    throw error
  }
}

function help(text: string, code = 0): number {
  ;(code === 0 ? process.stdout : process.stderr).write(`${text}\n`)
  return code
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`dawri: ${error.message}\n`)
      process.exitCode = 2
    } else if (error instanceof DatabaseUnavailableError) {
      process.stderr.write(`dawri: ${error.message}\n`)
      process.exitCode = 2
    } else if (error instanceof CommandFailure) {
      process.stderr.write(`dawri: ${error.message}\n`)
      process.exitCode = 1
    } else {
      process.stderr.write(`dawri: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
      process.exitCode = 1
    }
  },
)
