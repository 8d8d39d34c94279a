import { rotateMerchantApiKey } from '../services/rotate-merchant-api-key.js'
import { OUTPUT_FLAGS, parseFlags, readId } from './args.js'
import type { Command } from './command.js'
import { printJson, printLines } from './output.js'
import { CommandFailure, commandConfig, withDeps } from './session.js'

const rotate: Command = {
  name: 'key rotate',
  usage: 'dawri key rotate --merchant ID [--json] [--database URL]',
  summary: "Gives a merchant a new API key and revokes its old ones; prints the new key once.",
  details:
    'The old keys stop working at once, in every running server. The new key is stored only as a\n' +
    'hash: copy it now. With --json: {"MerchantId": …, "ApiKey": "…", "RevokedKeys": n}.',
  examples: ['dawri key rotate --merchant 1', 'KEY=$(dawri key rotate --merchant 1 --json | jq -r .ApiKey)'],
  async run(args) {
    const { values } = parseFlags(args, { merchant: { type: 'string' }, ...OUTPUT_FLAGS })
    const merchantId = readId('--merchant', values.merchant)
    return withDeps(commandConfig(values), async (deps) => {
      const rotated = await rotateMerchantApiKey(deps.store, merchantId, deps.clock.now())
      if (!rotated) throw new CommandFailure(`No merchant has id ${merchantId} (see \`dawri merchant list\`)`)
      if (values.json) printJson({ MerchantId: rotated.merchant.id, ApiKey: rotated.apiKey, RevokedKeys: rotated.revokedKeys })
      else {
        printLines(
          `New API key for merchant ${rotated.merchant.id} (${rotated.merchant.name}); ${rotated.revokedKeys} old key${rotated.revokedKeys === 1 ? '' : 's'} revoked.`,
          'It is shown only this once:',
          '',
          `  ${rotated.apiKey}`,
        )
      }
      return 0
    })
  },
}

/** `dawri key …` */
export const KEY_COMMANDS: readonly Command[] = [rotate]
