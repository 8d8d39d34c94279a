import type { Command } from './command.js'

const advance: Command = {
  name: 'clock advance',
  usage: 'dawri clock advance --merchant ID (--days N | --until ISO_TIME) [--json] [--database URL]',
  summary: "Moves a merchant's sandbox clock forward and runs everything due until then, as POST /v2/sandbox/AdvanceClock does.",
  details:
    'Charges, retries, status changes and webhook deliveries due up to the new time run before it\n' +
    `returns, in this process. At most 366 days per call; the clock never goes back. --until without\n` +
    "an offset is the merchant's local time. Sandbox mode only (DAWRI_MODE=sandbox); otherwise exit code 2.\n" +
    'With --json: the same Data as AdvanceClock ({"Now": …, "Charges": …, …}).',
  examples: ['dawri clock advance --merchant 1 --days 30', 'dawri clock advance --merchant 1 --until 2027-01-01T04:00:00'],
  run: (args) => import('./clock-actions.js').then((actions) => actions.advanceClockAction(args)),
}

/** `dawri clock …` */
export const CLOCK_COMMANDS: readonly Command[] = [advance]
