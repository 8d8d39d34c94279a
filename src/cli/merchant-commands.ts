import { COUNTRY_CODES } from '../domain/countries.js'
import type { Command } from './command.js'

const create: Command = {
  name: 'merchant create',
  usage: 'dawri merchant create --name NAME [--country KWT] [--recurring] [--bypass-3ds] [--authorize-capture] [--webhook-url URL] [--webhook-version v1|v2] [--database URL]',
  summary: 'Creates a merchant and prints one JSON object: {"MerchantId": …, "ApiKey": "…", "WebhookSecret": "…"}.',
  details:
    'The API key is shown once and stored only as a hash (`dawri key rotate` makes a new one).\n' +
    '--recurring approves recurring payments (RecurringModel), --bypass-3ds lets DirectPayment skip the\n' +
    'OTP step, --authorize-capture allows ProcessingDetails.AutoCapture false. Country: one of\n' +
    `${COUNTRY_CODES.join(', ')}.`,
  examples: [
    'dawri merchant create --name "Coffee Club" --recurring --bypass-3ds',
    'dawri merchant create --name Shop --country SAU --webhook-url https://shop.example/webhooks',
  ],
  run: (args) => import('./merchant-actions.js').then((actions) => actions.createMerchantAction(args)),
}

const list: Command = {
  name: 'merchant list',
  usage: 'dawri merchant list [--json] [--database URL]',
  summary: 'Lists every merchant with its approved features and webhook settings.',
  examples: ['dawri merchant list', 'dawri merchant list --json | jq ".[].MerchantId"'],
  run: (args) => import('./merchant-actions.js').then((actions) => actions.listMerchantsAction(args)),
}

const show: Command = {
  name: 'merchant show',
  usage: 'dawri merchant show ID [--json] [--database URL]',
  summary: "Shows one merchant: settings, sandbox clock, webhook secret and its API keys' prefixes.",
  details: 'API keys are stored only as hashes: their first characters tell them apart; `dawri key rotate` makes a new key.',
  examples: ['dawri merchant show 1', 'dawri merchant show 1 --json'],
  run: (args) => import('./merchant-actions.js').then((actions) => actions.showMerchantAction(args)),
}

const update: Command = {
  name: 'merchant update',
  usage:
    'dawri merchant update ID [--webhook-url URL | --no-webhook-url] [--webhook-version v1|v2] [--recurring | --no-recurring] [--bypass-3ds | --no-bypass-3ds] [--authorize-capture | --no-authorize-capture] [--json] [--database URL]',
  summary: "Changes a merchant's webhook URL and version and its approved features; prints the merchant.",
  details:
    '--recurring approves recurring payments; --bypass-3ds lets DirectPayment skip the OTP step;\n' +
    '--authorize-capture allows ProcessingDetails.AutoCapture false. Flags not given stay as they are.\n' +
    'Running servers see the change on their next request.',
  examples: [
    'dawri merchant update 2 --bypass-3ds --recurring',
    'dawri merchant update 1 --webhook-url http://127.0.0.1:9000/webhooks --webhook-version v2',
    'dawri merchant update 1 --no-webhook-url',
  ],
  run: (args) => import('./merchant-actions.js').then((actions) => actions.updateMerchantAction(args)),
}

/** `dawri merchant …` */
export const MERCHANT_COMMANDS: readonly Command[] = [create, list, show, update]
