/**
 * A tiny HTML template: `html` escapes every interpolated value unless it is already
 * {@link SafeHtml} (the result of another `html` call or of {@link raw}). Arrays are joined.
 * Pages are built only with it, so customer and merchant text can never become markup.
 */

/** Markup that is safe to insert as is. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

/** A value a template accepts. */
export type HtmlValue = SafeHtml | string | number | null | undefined | false | readonly HtmlValue[]

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char)
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return ''
  if (value instanceof SafeHtml) return value.value
  if (Array.isArray(value)) return value.map((item: HtmlValue) => render(item)).join('')
  return escapeHtml(String(value))
}

/** Tagged template producing {@link SafeHtml}. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? ''
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '')
  })
  return new SafeHtml(out)
}

/** Trusted markup, e.g. a constant. Never pass user input. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup)
}
