import type { Command } from './command.js'

const doctor: Command = {
  name: 'doctor',
  usage: 'dawri doctor [--json] [--database URL]',
  summary: 'Checks the setup, one line per check: configuration, database reachable, migrations current, vault key.',
  details:
    'Reads the same settings as `dawri serve` and changes nothing. Exit code 0 when every check passes,\n' +
    '1 when one fails. With --json: [{"Check": …, "Status": "ok" | "FAIL" | "skip", "Detail": …}].',
  examples: ['dawri doctor', 'DATABASE_URL=postgres://postgres@127.0.0.1:5432/dawri dawri doctor', 'dawri doctor --json'],
  run: (args) => import('./doctor-actions.js').then((actions) => actions.doctorAction(args)),
}

/** `dawri doctor` */
export const DOCTOR_COMMANDS: readonly Command[] = [doctor]
