/**
 * Errors a database raises when concurrent transactions collide rather than because anything
 * is wrong: PostgreSQL's deadlock (40P01), serialization failure (40001) and lock not available
 * (55P03), SQLite's busy and locked. The transaction that got one was rolled back whole; billing
 * work is idempotent (attempts are keyed and recorded at most once), so the unit can simply run
 * again.
 */
const CONTENTION_CODES: ReadonlySet<string> = new Set(['40P01', '40001', '55P03', 'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED'])

/** True when `thrown` (or its cause) is a collision of concurrent transactions, worth retrying. */
export function isContention(thrown: unknown): boolean {
  for (let error = thrown, depth = 0; error !== null && typeof error === 'object' && depth < 5; depth++) {
    const code = (error as { code?: unknown }).code
    if (typeof code === 'string' && CONTENTION_CODES.has(code)) return true
    error = (error as { cause?: unknown }).cause
  }
  return false
}
