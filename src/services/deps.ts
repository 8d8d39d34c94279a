import type { FastifyBaseLogger } from 'fastify'

import type { Config } from '../config.js'
import type { Clock } from '../domain/clock.js'
import type { PublicIdKeys } from '../domain/public-ids.js'
import type { Store } from '../store/create-database.js'

/** What services need from the outside world, passed as one plain argument. */
export interface Deps {
  readonly config: Config
  readonly store: Store
  readonly ids: PublicIdKeys
  readonly clock: Clock
  readonly logger: FastifyBaseLogger
}
