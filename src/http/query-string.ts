/**
 * The query string parser of every route: each parameter once, its first value, as text.
 * Handlers read `request.query.x` as a string; a repeated parameter (`?language=a&language=b`)
 * would otherwise arrive as an array and break them (found by tests/integration/fuzz-pages).
 * No route takes a list in its query. A value holding U+0000 counts as absent, one rule for
 * every route on both databases (PostgreSQL cannot compare text with NUL: it answered 500).
 */
export function parseQueryString(text: string): Record<string, string> {
  const values: Record<string, string> = Object.create(null) as Record<string, string>
  for (const [name, value] of new URLSearchParams(text)) {
    if (!(name in values) && !value.includes('\u0000')) values[name] = value
  }
  return values
}

/**
 * True when the path of a request target (the part before `?`) holds an encoded U+0000. Such a
 * path names nothing: routes would receive the NUL as a parameter, and PostgreSQL cannot compare
 * text holding it (a hosted invoice page answered 500; found by tests/integration/fuzz-pages).
 */
export function pathHoldsNul(url: string): boolean {
  const queryStart = url.indexOf('?')
  const path = queryStart === -1 ? url : url.slice(0, queryStart)
  return path.includes('%00') || path.includes('\u0000')
}
