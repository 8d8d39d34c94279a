/** One command of `dawri`, with what its `--help` prints. */
export interface Command {
  /** The words that name it after `dawri`, e.g. `merchant list`. */
  readonly name: string
  /** The synopsis after `Usage:`. */
  readonly usage: string
  /** One line for the command lists. */
  readonly summary: string
  /** Paragraphs after the summary: what it does, what it prints. */
  readonly details?: string
  readonly examples: readonly string[]
  /** Runs it; resolves to the exit code (serve never resolves while it runs). */
  run(args: readonly string[]): Promise<number>
}

/** What `dawri <command> --help` prints. */
export function commandHelp(command: Command): string {
  return [
    `Usage: ${command.usage}`,
    '',
    command.summary,
    ...(command.details ? ['', command.details] : []),
    '',
    'Examples:',
    ...command.examples.map((example) => `  ${example}`),
    '',
    'Settings (DATABASE_URL and the others) and exit codes: see `dawri --help`.',
  ].join('\n')
}
