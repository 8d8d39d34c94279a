import { rotateMerchantApiKey } from '../services/rotate-merchant-api-key.js'
import { OUTPUT_FLAGS, parseFlags, readId } from './args.js'
import { printJson, printLines } from './output.js'
import { CommandFailure, commandConfig, withDeps } from './session.js'

export async function rotateKeyAction(args: readonly string[]): Promise<number> {
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
}
