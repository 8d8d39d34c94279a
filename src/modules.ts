import type { FastifyInstance } from 'fastify'

import type { Deps } from './services/deps.js'

/** Route registrations of feature modules, added inside the authenticated /v2 scope. */
export const routeModules: ReadonlyArray<(app: FastifyInstance, deps: Deps) => void | Promise<void>> = []

/** Background loops (billing worker, webhook dispatcher); each returns its stop function. */
export const workerModules: ReadonlyArray<(deps: Deps) => Promise<() => Promise<void>>> = []
