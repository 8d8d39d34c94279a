import type { Command } from './command.js'

const rotate: Command = {
  name: 'key rotate',
  usage: 'dawri key rotate --merchant ID [--json] [--database URL]',
  summary: "Gives a merchant a new API key and revokes its old ones; prints the new key once.",
  details:
    'The old keys stop working at once, in every running server. The new key is stored only as a\n' +
    'hash: copy it now. With --json: {"MerchantId": …, "ApiKey": "…", "RevokedKeys": n}.',
  examples: ['dawri key rotate --merchant 1', 'KEY=$(dawri key rotate --merchant 1 --json | jq -r .ApiKey)'],
  run: (args) => import('./key-actions.js').then((actions) => actions.rotateKeyAction(args)),
}

/** `dawri key …` */
export const KEY_COMMANDS: readonly Command[] = [rotate]
