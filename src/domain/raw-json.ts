/**
 * Reading numbers as the client wrote them. `JSON.parse` turns every number into a double, so
 * a key such as `100202312116138082` (beyond 2^53, sent as a JSON number by MyFatoorah's PHP
 * library) would silently lose digits. These functions find the number's own text in the raw
 * request body instead.
 */

/**
 * The text of the number a top-level property of a JSON object holds, matched by name
 * case-insensitively (the first such property, as the binder takes it); undefined when the body
 * is not an object, the property is absent, or its value is not a number. Assumes `raw` is valid
 * JSON (it was parsed already).
 */
export function topLevelNumberText(raw: string, field: string): string | undefined {
  const wanted = field.toLowerCase()
  let i = skipSpace(raw, 0)
  if (raw[i] !== '{') return undefined
  i++
  for (;;) {
    i = skipSpace(raw, i)
    if (raw[i] !== '"') return undefined
    const keyEnd = stringEnd(raw, i)
    if (keyEnd < 0) return undefined
    const key = JSON.parse(raw.slice(i, keyEnd)) as string
    i = skipSpace(raw, keyEnd)
    if (raw[i] !== ':') return undefined
    i = skipSpace(raw, i + 1)
    const valueEnd = valueEndAt(raw, i)
    if (valueEnd < 0) return undefined
    if (key.toLowerCase() === wanted) {
      const text = raw.slice(i, valueEnd)
      return /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text) ? text : undefined
    }
    i = skipSpace(raw, valueEnd)
    if (raw[i] !== ',') return undefined
    i++
  }
}

function skipSpace(raw: string, from: number): number {
  let i = from
  while (i < raw.length && (raw[i] === ' ' || raw[i] === '\n' || raw[i] === '\r' || raw[i] === '\t')) i++
  return i
}

/** Index just past the string starting at `from` (a `"`), or -1. */
function stringEnd(raw: string, from: number): number {
  for (let i = from + 1; i < raw.length; i++) {
    if (raw[i] === '\\') i++
    else if (raw[i] === '"') return i + 1
  }
  return -1
}

/** Index just past the JSON value starting at `from`, or -1. */
function valueEndAt(raw: string, from: number): number {
  const first = raw[from]
  if (first === '"') return stringEnd(raw, from)
  if (first === '{' || first === '[') {
    let depth = 0
    for (let i = from; i < raw.length; i++) {
      const c = raw[i]
      if (c === '"') {
        const end = stringEnd(raw, i)
        if (end < 0) return -1
        i = end - 1
      } else if (c === '{' || c === '[') depth++
      else if (c === '}' || c === ']') {
        depth--
        if (depth === 0) return i + 1
      }
    }
    return -1
  }
  let i = from
  while (i < raw.length && !/[\s,}\]]/.test(raw[i] ?? '')) i++
  return i > from ? i : -1
}
