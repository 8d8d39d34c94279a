import { RECURRENCE_STATUSES } from '../domain/recurrence.js'
import { DEFAULT_LIST_LIMIT } from './args.js'
import type { Command } from './command.js'

const list: Command = {
  name: 'recurring list',
  usage: `dawri recurring list [--merchant ID] [--status ${RECURRENCE_STATUSES.join('|')}] [--limit ${DEFAULT_LIST_LIMIT}] [--json] [--database URL]`,
  summary: 'Lists recurring payments, oldest first, of one merchant or of all.',
  details: `Prints at most --limit rows (default ${DEFAULT_LIST_LIMIT}) and says so on stderr when there are more.\nWith --json: GetRecurringPayment's entries, each with its MerchantId.`,
  examples: ['dawri recurring list', 'dawri recurring list --merchant 1 --status Uncompleted', 'dawri recurring list --json --limit 1000'],
  run: (args) => import('./recurring-actions.js').then((actions) => actions.listRecurringAction(args)),
}

const show: Command = {
  name: 'recurring show',
  usage: 'dawri recurring show RECURRING_ID [--merchant ID] [--json] [--database URL]',
  summary: 'Shows one recurring payment and its invoices, as GetRecurringPayment answers.',
  examples: ['dawri recurring show RECUR12', 'dawri recurring show RECUR12 --json'],
  run: (args) => import('./recurring-actions.js').then((actions) => actions.showRecurringAction(args)),
}

function actionCommand(action: 'cancel' | 'resume'): Command {
  const cancel = action === 'cancel'
  return {
    name: `recurring ${action}`,
    usage: `dawri recurring ${action} RECURRING_ID [--merchant ID] [--database URL]`,
    summary: cancel
      ? 'Cancels a recurring payment for good, as CancelRecurringPayment does (and sends its webhook).'
      : 'Resumes an Uncompleted recurring payment: charges the failed cycle now, as ResumeRecurringPayment does.',
    details: cancel
      ? 'Cancelling is final. A Canceled or Completed recurring payment cannot be cancelled (exit code 1).'
      : 'Only an Uncompleted recurring payment can be resumed. A declined charge leaves it Uncompleted (exit code 1).',
    examples: [`dawri recurring ${action} RECUR12`, `dawri recurring ${action} RECUR12 --merchant 1`],
    run: (args) => import('./recurring-actions.js').then((actions) => actions.changeRecurringAction(action, args)),
  }
}

/** `dawri recurring …` */
export const RECURRING_COMMANDS: readonly Command[] = [list, show, actionCommand('cancel'), actionCommand('resume')]
