import { checkCard, type CardProblem, type CheckedCard } from '../domain/cards.js'
import type { FieldError } from '../domain/errors.js'
import type { FieldReader } from '../domain/field-reader.js'

/** Card fields as typed by a customer or sent by a client, before any check. */
export interface RawCardFields {
  readonly number: string
  readonly expiryMonth: string
  readonly expiryYear: string
  readonly securityCode: string
  readonly holderName: string | null
}

/** The card field each problem is about, and the sentence the API answers with. */
export const CARD_PROBLEM_FIELDS: Readonly<Record<CardProblem, { field: keyof RawCardFields; apiName: string; message: string }>> = {
  'number-malformed': { field: 'number', apiName: 'Number', message: 'Card number is not valid' },
  'number-unsupported-brand': { field: 'number', apiName: 'Number', message: 'Card brand is not supported: use Visa, Mastercard, Amex or Mada' },
  'expiry-month-malformed': { field: 'expiryMonth', apiName: 'ExpiryMonth', message: 'ExpiryMonth must be two digits, 01 to 12' },
  'expiry-year-malformed': { field: 'expiryYear', apiName: 'ExpiryYear', message: 'ExpiryYear must be two digits (YY)' },
  'security-code-malformed': { field: 'securityCode', apiName: 'SecurityCode', message: 'SecurityCode must be 3 digits (4 for Amex)' },
}

/** `9` → `09`; other text is kept for the check to refuse. */
export function normalizeExpiryMonth(text: string): string {
  const trimmed = text.trim()
  return /^\d$/.test(trimmed) ? `0${trimmed}` : trimmed
}

/** `2030` → `30`; other text is kept for the check to refuse. */
export function normalizeExpiryYear(text: string): string {
  const trimmed = text.trim()
  return /^20\d{2}$/.test(trimmed) ? trimmed.slice(2) : trimmed
}

/** Checks raw card fields (domain/cards.ts `checkCard`) after normalising the expiry. */
export function checkRawCard(fields: RawCardFields): { ok: true; card: CheckedCard } | { ok: false; problems: readonly CardProblem[] } {
  return checkCard({
    number: fields.number,
    expiryMonth: normalizeExpiryMonth(fields.expiryMonth),
    expiryYear: normalizeExpiryYear(fields.expiryYear),
    securityCode: fields.securityCode.trim(),
  })
}

/**
 * Reads a `Card` object of an API body (`Number`, `ExpiryMonth`, `ExpiryYear`, `SecurityCode`,
 * `HolderName`, any casing) and checks it. Problems are added to the reader's field errors,
 * named as the client spelled them (`Card.Number`); no message ever repeats a value.
 */
export function readApiCard(card: FieldReader): CheckedCard & { holderName: string | null } | undefined {
  const before = card.fieldErrors.length
  const number = card.string('Number', { required: true, max: 40 })
  const expiryMonth = card.string('ExpiryMonth', { required: true, max: 4 })
  const expiryYear = card.string('ExpiryYear', { required: true, max: 4 })
  const securityCode = card.string('SecurityCode', { required: true, max: 8 })
  const holderName = card.string('HolderName', { max: 100 }) ?? null
  if (card.fieldErrors.length > before || !number || !expiryMonth || !expiryYear || !securityCode) return undefined
  const checked = checkRawCard({ number, expiryMonth, expiryYear, securityCode, holderName })
  if (!checked.ok) {
    for (const problem of checked.problems) card.fail(CARD_PROBLEM_FIELDS[problem].apiName, CARD_PROBLEM_FIELDS[problem].message)
    return undefined
  }
  return { ...checked.card, holderName }
}

/** Field errors for card problems, for endpoints that answer with a flat list. */
export function cardProblemErrors(problems: readonly CardProblem[], prefix = ''): FieldError[] {
  return problems.map((problem) => ({ Name: prefix + CARD_PROBLEM_FIELDS[problem].apiName, Error: CARD_PROBLEM_FIELDS[problem].message }))
}
