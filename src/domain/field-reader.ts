import type { FieldError } from './errors.js'

/**
 * Reads a JSON request the way ASP.NET model binding does for MyFatoorah: property names match
 * case-insensitively, numbers may arrive as numeric strings, and empty strings or nulls mean
 * "not given" for optional fields (reference §2.2 note, §11). Every problem is collected as a
 * field error named as the client spelled it, so one response lists every bad field.
 */
/** Lower-case spellings of the field names code asks for (a fixed, small set). */
const lowerNames = new Map<string, string>()
function lowerName(field: string): string {
  let lower = lowerNames.get(field)
  if (lower === undefined) {
    lower = field.toLowerCase()
    if (lowerNames.size < 2048) lowerNames.set(field, lower)
  }
  return lower
}

export class FieldReader {
  private readonly entries: Map<string, { key: string; value: unknown }>
  readonly isObject: boolean

  constructor(
    raw: unknown,
    private readonly errors: FieldError[],
    private readonly prefix = '',
  ) {
    this.entries = new Map()
    this.isObject = typeof raw === 'object' && raw !== null && !Array.isArray(raw)
    if (this.isObject) {
      for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
        const lower = key.toLowerCase()
        // With duplicate spellings the first non-empty value wins, as the binder would take one.
        const existing = this.entries.get(lower)
        if (!existing || isAbsent(existing.value)) this.entries.set(lower, { key, value })
      }
    }
  }

  /** Field errors collected so far (shared with nested readers). */
  get fieldErrors(): readonly FieldError[] {
    return this.errors
  }

  /** The path of a field as the client spelled it (or as documented when absent). */
  nameOf(field: string): string {
    return this.prefix + (this.entries.get(lowerName(field))?.key ?? field)
  }

  /** Records an error against a field. */
  fail(field: string, message: string): undefined {
    this.errors.push({ Name: this.nameOf(field), Error: message })
    return undefined
  }

  /** True when the client sent the field with a non-empty value. */
  has(field: string): boolean {
    return !isAbsent(this.entries.get(lowerName(field))?.value)
  }

  /** The raw value, or undefined when absent, null or an empty/blank string. */
  raw(field: string): unknown {
    const value = this.entries.get(lowerName(field))?.value
    return isAbsent(value) ? undefined : value
  }

  /** Reads a string; numbers and booleans are accepted as their text. */
  string(field: string, rules: { required?: boolean; max?: number; pattern?: RegExp; patternMessage?: string } = {}): string | undefined {
    const value = this.raw(field)
    if (value === undefined) {
      if (rules.required) this.fail(field, `${field} is required`)
      return undefined
    }
    if (typeof value === 'object') return this.fail(field, `${field} must be a text value`)
    const text = String(value)
    // One rule for both databases: PostgreSQL cannot store U+0000 in text, so no text field takes it.
    if (text.includes('\u0000')) return this.fail(field, `${field} must not contain the NUL character`)
    if (rules.max !== undefined && text.length > rules.max) {
      return this.fail(field, `${field} must not be longer than ${rules.max} characters`)
    }
    if (rules.pattern && !rules.pattern.test(text)) {
      return this.fail(field, rules.patternMessage ?? `${field} is not in the expected format`)
    }
    return text
  }

  /** Reads a whole number (JSON number or numeric string). */
  integer(field: string, rules: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    const value = this.raw(field)
    if (value === undefined) {
      if (rules.required) this.fail(field, `${field} is required`)
      return undefined
    }
    const number = toNumber(value)
    if (number === undefined || !Number.isSafeInteger(number)) return this.fail(field, `${field} must be a whole number`)
    if (rules.min !== undefined && number < rules.min) return this.fail(field, rangeMessage(field, rules.min, rules.max))
    if (rules.max !== undefined && number > rules.max) return this.fail(field, rangeMessage(field, rules.min, rules.max))
    return number
  }

  /** Reads a decimal number as text (for exact money parsing) or a JSON number. */
  decimal(field: string, rules: { required?: boolean } = {}): number | string | undefined {
    const value = this.raw(field)
    if (value === undefined) {
      if (rules.required) this.fail(field, `${field} is required`)
      return undefined
    }
    if (typeof value === 'number' && Number.isFinite(value)) return value
    if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return value.trim()
    return this.fail(field, `${field} must be a number`)
  }

  /** Reads a boolean; accepts true/false, "true"/"false" (any case), 1/0. */
  boolean(field: string): boolean | undefined {
    const value = this.raw(field)
    if (value === undefined) return undefined
    if (typeof value === 'boolean') return value
    if (value === 1 || value === 0) return value === 1
    if (typeof value === 'string') {
      const lower = value.trim().toLowerCase()
      if (lower === 'true' || lower === '1') return true
      if (lower === 'false' || lower === '0') return false
    }
    return this.fail(field, `${field} must be true or false`)
  }

  /** Reads a value from a closed set, case-insensitively, returning the canonical spelling. */
  choice<T extends string>(field: string, choices: readonly T[], rules: { required?: boolean } = {}): T | undefined {
    const value = this.string(field, rules)
    if (value === undefined) return undefined
    const match = choices.find((choice) => choice.toLowerCase() === value.trim().toLowerCase())
    if (match === undefined) return this.fail(field, `${field} must be one of: ${choices.join(', ')}`)
    return match
  }

  /** A reader for a nested object, or undefined when absent. */
  object(field: string, rules: { required?: boolean } = {}): FieldReader | undefined {
    const value = this.raw(field)
    if (value === undefined) {
      if (rules.required) this.fail(field, `${field} is required`)
      return undefined
    }
    if (typeof value !== 'object' || Array.isArray(value)) return this.fail(field, `${field} must be an object`)
    return new FieldReader(value, this.errors, `${this.nameOf(field)}.`)
  }

  /** Readers for each element of an array of objects, or undefined when absent. */
  array(field: string, rules: { max?: number } = {}): FieldReader[] | undefined {
    const value = this.raw(field)
    if (value === undefined) return undefined
    if (!Array.isArray(value)) return this.fail(field, `${field} must be a list`)
    if (rules.max !== undefined && value.length > rules.max) {
      return this.fail(field, `${field} must not have more than ${rules.max} entries`)
    }
    const name = this.nameOf(field)
    const readers: FieldReader[] = []
    value.forEach((element, index) => {
      const reader = new FieldReader(element, this.errors, `${name}[${index}].`)
      if (!reader.isObject) this.errors.push({ Name: `${name}[${index}]`, Error: `${field} entries must be objects` })
      else readers.push(reader)
    })
    return readers
  }
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value === 'string' && /^\s*[-+]?\d+(\.\d+)?\s*$/.test(value)) return Number(value)
  return undefined
}

function rangeMessage(field: string, min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `${field} must be between ${min} and ${max}`
  if (min !== undefined) return `${field} must be at least ${min}`
  return `${field} must be at most ${max}`
}
