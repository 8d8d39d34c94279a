import { DIALECT_NAMES, type DialectName } from '../../src/store/adapter.js'

/**
 * Dialects the integration suite runs on, from TEST_DIALECTS=sqlite,postgres (default: both).
 * Each integration file loops: for (const dialect of DIALECTS) describe(`${dialect}: …`, …).
 */
export const DIALECTS: readonly DialectName[] = (process.env.TEST_DIALECTS ?? DIALECT_NAMES.join(','))
  .split(',')
  .map((name) => name.trim())
  .filter((name): name is DialectName => (DIALECT_NAMES as readonly string[]).includes(name))

/** Server URL of the PostgreSQL used by tests (trust auth on loopback). */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
