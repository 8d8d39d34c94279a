import { DEFAULT_LIST_LIMIT } from './args.js'
import type { Command } from './command.js'


const list: Command = {
  name: 'webhooks list',
  usage: `dawri webhooks list [--merchant ID] [--status Waiting|Running|Succeeded|Failed|Skipped] [--limit ${DEFAULT_LIST_LIMIT}] [--json] [--database URL]`,
  summary: 'Lists webhook events, oldest first, with their delivery status, of one merchant or of all.',
  details:
    'Statuses: Waiting (not attempted yet), Running (retries continue), Succeeded, Failed (retries over),\n' +
    `Skipped (no webhook URL when it happened). At most --limit rows (default ${DEFAULT_LIST_LIMIT}).\n` +
    "With --json: GetWebhooks' items (body, signature and attempts), each with its MerchantId.",
  examples: ['dawri webhooks list --merchant 1', 'dawri webhooks list --status Failed', 'dawri webhooks list --json | jq ".[].WebhookReference"'],
  run: (args) => import('./webhook-actions.js').then((actions) => actions.listWebhooksAction(args)),
}

const resend: Command = {
  name: 'webhooks resend',
  usage: 'dawri webhooks resend REFERENCE [--merchant ID] [--json] [--database URL]',
  summary: "Delivers one webhook event again now, with the same body and reference, to the merchant's URL.",
  details:
    "References count each merchant's own events (WH-1, WH-2… per merchant): --merchant says whose WH-<n>\n" +
    'is meant. Without it the reference must name an event of exactly one merchant; when several merchants\n' +
    'have that number the command stops (exit code 2) and names them.\n' +
    'Exit code 0 when the merchant answered 2xx, 1 when this delivery failed too (its status and any retry\n' +
    'stay as ResendWebhook leaves them) or no such event exists. With --json: the event as GetWebhooks lists it.',
  examples: ['dawri webhooks resend WH-42 --merchant 3', 'dawri webhooks resend WH-42', 'dawri webhooks resend WH-42 --merchant 3 --json'],
  run: (args) => import('./webhook-actions.js').then((actions) => actions.resendWebhookAction(args)),
}

/** `dawri webhooks …` */
export const WEBHOOK_COMMANDS: readonly Command[] = [list, resend]
