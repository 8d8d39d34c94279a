import { parseArgs, type ParseArgsConfig } from 'node:util'

import { ConfigError } from '../config.js'

/** Bad usage of a command (unknown flag, missing or malformed value): exit code 2, like a bad setting. */
export class UsageError extends ConfigError {}

type Options = NonNullable<ParseArgsConfig['options']>

/** Flags every command that opens the database takes. */
export const DATABASE_FLAG = { database: { type: 'string' } } as const satisfies Options
/** Flags of listing and show commands. */
export const OUTPUT_FLAGS = { ...DATABASE_FLAG, json: { type: 'boolean', default: false } } as const satisfies Options

/** Parses `args` strictly; unknown flags and stray words are a {@link UsageError}. */
export function parseFlags<const O extends Options>(args: readonly string[], options: O, positionals: { readonly min: number; readonly max: number; readonly names: string } = { min: 0, max: 0, names: '' }) {
  let parsed
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: positionals.max > 0 })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '') : String(error))
  }
  if (parsed.positionals.length < positionals.min) throw new UsageError(`${positionals.names} is required`)
  if (parsed.positionals.length > positionals.max) throw new UsageError(`Unexpected argument "${parsed.positionals[positionals.max] ?? ''}"`)
  return parsed
}

/** A positive whole number given as `name`. */
export function readId(name: string, raw: string | undefined): number {
  if (raw === undefined) throw new UsageError(`${name} is required`)
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1) throw new UsageError(`${name} must be a positive whole number, got "${raw}"`)
  return Number(raw)
}

/** An optional whole number between `min` and `max`. */
export function readCount(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`)
  return Number(raw)
}

/** `--flag` / `--no-flag` pairs: true, false, or undefined when neither was given; both is an error. */
export function readSwitch(name: string, on: boolean | undefined, off: boolean | undefined): boolean | undefined {
  if (on && off) throw new UsageError(`Give --${name} or --no-${name}, not both`)
  return on ? true : off ? false : undefined
}

/** Whether the arguments ask for help. */
export const wantsHelp = (args: readonly string[]): boolean => args.includes('--help') || args.includes('-h')

/** Rows a listing prints unless `--limit` says otherwise. */
export const DEFAULT_LIST_LIMIT = 100
/** The largest `--limit`. */
export const MAX_LIST_LIMIT = 1_000_000
