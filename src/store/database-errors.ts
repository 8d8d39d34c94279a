/** The database cannot be reached or opened; the message names what to fix, never a password. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError'
}

/** PostgreSQL and socket error codes that mean "this database is not there for us". */
const UNAVAILABLE: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  '3D000': 'the database does not exist (create it first, e.g. createdb)',
  '28P01': 'authentication failed',
  '28000': 'authentication failed',
  SQLITE_CANTOPEN: 'the file cannot be opened',
  SQLITE_READONLY: 'the file is read-only',
  EACCES: 'permission denied',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'a part of the path is not a directory',
}

/** Turns "cannot reach the database" into a {@link DatabaseUnavailableError}; other errors pass. */
export function explainDatabaseError(error: unknown, url: string): unknown {
  const code = (error as { code?: unknown } | null)?.code
  const reason = typeof code === 'string' ? UNAVAILABLE[code] : undefined
  if (reason === undefined) return error
  const shown = url.replace(/\/\/[^@/]*@/, '//***@')
  return new DatabaseUnavailableError(`cannot use the database ${shown}: ${reason} (set DATABASE_URL or --database)`)
}
