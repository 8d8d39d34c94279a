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
