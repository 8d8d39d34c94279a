import pino from 'pino'

import { openRuntime } from '../app/runtime.js'
import { loadConfig, type Config } from '../config.js'
import type { Deps } from '../deps.js'
import { AppError } from '../domain/errors.js'
import type { Merchant } from '../domain/merchant.js'
import { loggerOptions } from '../http/logger.js'
import { findMerchantById } from '../store/merchant.repository.js'
import { UsageError } from './args.js'
import { CommandFailure } from './errors.js'
import { withProgress } from './output.js'

export { CommandFailure }

/** The settings of a command that opens the database: the environment, `--database` winning. */
export function commandConfig(flags: { readonly database?: string | undefined }): Config {
  return loadConfig({ database: flags.database })
}

/**
 * Opens the database (migrating it, as `serve` does) with the services' dependencies, runs
 * `work`, and closes it. Logs go to stderr, so stdout holds only the command's answer.
 */
export async function withDeps<T>(config: Config, work: (deps: Deps) => Promise<T>): Promise<T> {
  const opened = await withProgress('Opening the database…', () => openRuntime({ ...config, logLevel: 'silent' }))
  const deps: Deps = { ...opened, logger: pino(loggerOptions(config.logLevel === 'info' ? 'warn' : config.logLevel), pino.destination(2)) }
  try {
    return await work(deps)
  } finally {
    await deps.store.close()
  }
}

/** The merchant with this id, or a {@link CommandFailure} naming it. */
export async function requireMerchant(deps: Deps, merchantId: number): Promise<Merchant> {
  const merchant = await findMerchantById(deps.store.db, merchantId)
  if (!merchant) throw new CommandFailure(`No merchant has id ${merchantId} (see \`dawri merchant list\`)`)
  return merchant
}

/** A service's refusal as one line: its first field error, else its message. */
export function failureOf(error: AppError): CommandFailure {
  const detail = error.fieldErrors[0]?.Error
  return new CommandFailure(detail ?? error.message)
}

/**
 * Runs a service call, turning its AppError (except internal ones) into a {@link CommandFailure};
 * with `invalidInputIsUsage`, a validation error is about what the command was given: a {@link UsageError}.
 */
export async function service<T>(call: () => Promise<T>, options: { readonly invalidInputIsUsage?: boolean } = {}): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof AppError && error.code === 'VALIDATION_FAILED' && options.invalidInputIsUsage) {
      throw new UsageError(error.fieldErrors[0]?.Error ?? error.message)
    }
    if (error instanceof AppError && error.code !== 'INTERNAL') throw failureOf(error)
    throw error
  }
}
