import type { FastifyBaseLogger } from 'fastify'

import type { Config } from './config.js'
import type { Clock } from './domain/clock.js'
import type { PublicIdKeys } from './domain/public-ids.js'
import type { CardProcessor } from './processor/card-processor.js'
import type { CardVault } from './processor/card-vault.js'
import type { Store } from './store/create-database.js'

/** What services need from the outside world, passed as one plain argument. */
export interface Deps {
  readonly config: Config
  readonly store: Store
  readonly ids: PublicIdKeys
  readonly clock: Clock
  readonly logger: FastifyBaseLogger
  /** The acquirer seam; the TestProcessor in sandbox. Never call it inside a DB transaction. */
  readonly processor: CardProcessor
  /** Encrypts card numbers at rest. */
  readonly vault: CardVault
}
