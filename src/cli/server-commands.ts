import type { Command } from './command.js'

const serveCommand: Command = {
  name: 'serve',
  usage: 'dawri serve [--port 8080] [--host 127.0.0.1] [--database URL] [--role all|api|worker]',
  summary: 'Runs the HTTP API and hosted pages (role api), the billing and webhook workers (role worker), or both (all, the default).',
  details:
    'Migrates the database first; on an empty one it creates a demo merchant (KWT, recurring, Bypass3DS\n' +
    'and authorize/capture enabled) and prints its API key and webhook secret. Stops on SIGINT/SIGTERM.',
  examples: ['dawri serve', 'dawri serve --port 3000 --database postgres://postgres@127.0.0.1:5432/dawri', 'DAWRI_ROLE=worker dawri serve --port 9100'],
  run: (args) => import('./server-actions.js').then((actions) => actions.serveAction(args)),
}

const migrate: Command = {
  name: 'migrate',
  usage: 'dawri migrate [--database URL]',
  summary: 'Brings the database schema to the latest version, then exits.',
  details: 'Prints the migrations it applied, or "Already up to date". `dawri serve` migrates too; run this before\nrolling out several processes.',
  examples: ['dawri migrate', 'dawri migrate --database postgres://postgres@127.0.0.1:5432/dawri'],
  run: (args) => import('./server-actions.js').then((actions) => actions.migrateAction(args)),
}

/** `dawri serve` and `dawri migrate`. */
export const SERVER_COMMANDS: readonly Command[] = [serveCommand, migrate]
