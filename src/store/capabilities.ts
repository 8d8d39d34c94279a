/** The SQL dialects dawri runs on. Only store/ may branch on the name; others use capabilities. */
export const DIALECT_NAMES = ['sqlite', 'postgres'] as const

/** One of {@link DIALECT_NAMES}. */
export type DialectName = (typeof DIALECT_NAMES)[number]

/** What the database can do; code branches on these, never on the dialect name. */
export interface Capabilities {
  readonly dialect: DialectName
  /** `SELECT … FOR UPDATE SKIP LOCKED` for claiming work among concurrent workers. */
  readonly skipLocked: boolean
  /** Several processes may write at once (false for the embedded SQLite file). */
  readonly concurrentWriters: boolean
}

export const CAPABILITIES: Readonly<Record<DialectName, Capabilities>> = {
  sqlite: { dialect: 'sqlite', skipLocked: false, concurrentWriters: false },
  postgres: { dialect: 'postgres', skipLocked: true, concurrentWriters: true },
}
