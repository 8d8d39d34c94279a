const decoder = new TextDecoder('utf-8')

/** The body as text: strings as they are, bytes decoded as UTF-8. */
export function bodyText(rawBody: string | Uint8Array): string {
  if (typeof rawBody === 'string') return rawBody
  if (rawBody instanceof Uint8Array) return decoder.decode(rawBody)
  throw new TypeError('The webhook body must be the raw request body: a string or a Uint8Array/Buffer')
}
