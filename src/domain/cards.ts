/**
 * Card facts that need no I/O: number normalisation, the Luhn check, brand detection, masking,
 * expiry and security-code shape. Nothing here stores or logs a card number.
 */

/** The card brands dawri accepts (internal names; see the two display tables below). */
export const CARD_BRANDS = ['visa', 'mastercard', 'amex', 'mada'] as const

/** One of {@link CARD_BRANDS}. */
export type CardBrand = (typeof CARD_BRANDS)[number]

/**
 * Brand names as the Card View `submit()` result (`cardBrand`) and CustomerTokens print them
 * (reference §3.3: `Master`, `Visa`, `Mada`, `Amex`).
 */
export const CARD_VIEW_BRAND_NAMES: Readonly<Record<CardBrand, string>> = {
  visa: 'Visa',
  mastercard: 'Master',
  amex: 'Amex',
  mada: 'Mada',
}

/**
 * Brand names as GetPaymentStatus prints them in `InvoiceTransactions[].Card.Brand` (reference
 * §4.2 sample: `Mastercard`). The public record shows no Amex or Mada sample; we print `Amex`
 * and `Mada` like the Card View does.
 */
export const PAYMENT_STATUS_BRAND_NAMES: Readonly<Record<CardBrand, string>> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'Amex',
  mada: 'Mada',
}

/** True when `value` is one of {@link CARD_BRANDS} (e.g. a `card_tokens.brand` column). */
export function isCardBrand(value: string): value is CardBrand {
  return (CARD_BRANDS as readonly string[]).includes(value)
}

/** Removes the spaces and dashes people type between digit groups; other characters stay. */
export function normalizeCardNumber(input: string): string {
  return input.replace(/[\s-]/g, '')
}

/** True when `digits` is 12–19 decimal digits whose Luhn (mod 10) checksum is zero. */
export function isLuhnValid(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48
    if (double) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
    double = !double
  }
  return sum % 10 === 0
}

/**
 * A few Saudi Mada BINs. Mada cards are co-branded, so these prefixes would otherwise read as
 * Visa or Mastercard; a real acquirer's BIN table is authoritative, this list only makes the
 * documented Mada test cards (reference §8.2: 446404…, 529741…) and their neighbours show as Mada.
 */
export const MADA_BINS: readonly string[] = [
  '440647',
  '440795',
  '446393',
  '446404',
  '457865',
  '484783',
  '529741',
  '535825',
  '543357',
  '588845',
  '604906',
  '968208',
]

/**
 * The brand of a card number (or of its first digits, as the Card View's `onCardBinChanged`
 * sees them), or `undefined` when no accepted brand matches. KNET numbers (888888…) are debit
 * cards of a local network, not a card brand here, so they give `undefined`.
 */
export function detectCardBrand(number: string): CardBrand | undefined {
  const digits = normalizeCardNumber(number)
  if (!/^\d+$/.test(digits)) return undefined
  // Mada first: its BINs overlap the Visa and Mastercard ranges.
  if (MADA_BINS.includes(digits.slice(0, 6))) return 'mada'
  if (digits.startsWith('4')) return 'visa'
  if (/^3[47]/.test(digits)) return 'amex'
  if (/^5[1-5]/.test(digits)) return 'mastercard'
  const four = Number(digits.slice(0, 4))
  if (four >= 2221 && four <= 2720) return 'mastercard'
  return undefined
}

/** Card number lengths each brand issues. */
const BRAND_LENGTHS: Readonly<Record<CardBrand, readonly number[]>> = {
  visa: [13, 16, 19],
  mastercard: [16],
  amex: [15],
  mada: [16],
}

/**
 * Masks a card number the way MyFatoorah prints it (`CardNumber`, `Card.Number`): the first six
 * and last four digits, every digit between them as `x` (`512345xxxxxx0008`).
 */
export function maskCardNumber(number: string): string {
  const digits = normalizeCardNumber(number)
  // Too short to keep 10 digits visible without revealing most of it: hide everything.
  if (digits.length < 13) return 'x'.repeat(digits.length)
  return `${digits.slice(0, 6)}${'x'.repeat(digits.length - 10)}${digits.slice(-4)}`
}

/** True when `month` is `MM`, 01 to 12 (Card `ExpiryMonth`). */
export function isValidExpiryMonth(month: string): boolean {
  return /^(0[1-9]|1[0-2])$/.test(month)
}

/** True when `year` is `YY`, two digits (Card `ExpiryYear`), read as 2000 + YY. */
export function isValidExpiryYear(year: string): boolean {
  return /^\d{2}$/.test(year)
}

/**
 * The first instant (epoch ms, UTC) at which a card expiring `MM`/`YY` is no longer valid: a
 * card is good through the last day of its expiry month. UTC is our choice; issuers differ by a
 * few hours around the boundary, and nobody should rely on them. Throws on a malformed month or
 * year, which validation must have refused first.
 */
export function cardExpiresAt(month: string, year: string): number {
  if (!isValidExpiryMonth(month) || !isValidExpiryYear(year)) {
    throw new Error(`Malformed card expiry "${month}/${year}": expected MM and YY`)
  }
  // Date.UTC takes 0-based months, so the 1-based expiry month is the index of the next month.
  return Date.UTC(2000 + Number(year), Number(month), 1)
}

/** True when the card expiring `MM`/`YY` is past its expiry month at `now` (epoch ms). */
export function isCardExpired(month: string, year: string, now: number): boolean {
  return now >= cardExpiresAt(month, year)
}

/** True when `code` has the security-code shape for `brand`: 4 digits for Amex, 3 otherwise. */
export function isValidSecurityCode(code: string, brand: CardBrand | undefined): boolean {
  return brand === 'amex' ? /^\d{4}$/.test(code) : /^\d{3}$/.test(code)
}

/** Why one field of a card is refused before any processor sees it. */
export const CARD_PROBLEMS = [
  'number-malformed',
  'number-unsupported-brand',
  'expiry-month-malformed',
  'expiry-year-malformed',
  'security-code-malformed',
] as const

/** One of {@link CARD_PROBLEMS}. */
export type CardProblem = (typeof CARD_PROBLEMS)[number]

/** Card fields as a client sends them (reference §2.5 `Card`). */
export interface CardInput {
  readonly number: string
  readonly expiryMonth: string
  readonly expiryYear: string
  /** `null` when the card is stored and no code is asked for. */
  readonly securityCode: string | null
}

/** A card whose fields have the right shape, with its number normalised and brand known. */
export interface CheckedCard {
  readonly number: string
  readonly brand: CardBrand
  readonly expiryMonth: string
  readonly expiryYear: string
  readonly securityCode: string | null
}

/**
 * Checks the shape of every card field and reports all problems at once, so a validation
 * envelope can list each bad field. An expiry in the past is not a problem here: it is a
 * payment outcome (MF007) that the processor decides, as MyFatoorah does.
 */
export function checkCard(
  input: CardInput,
): { ok: true; card: CheckedCard } | { ok: false; problems: readonly CardProblem[] } {
  const problems: CardProblem[] = []
  const number = normalizeCardNumber(input.number)
  const brand = detectCardBrand(number)
  if (!isLuhnValid(number)) problems.push('number-malformed')
  else if (brand === undefined || !BRAND_LENGTHS[brand].includes(number.length)) {
    problems.push('number-unsupported-brand')
  }
  if (!isValidExpiryMonth(input.expiryMonth)) problems.push('expiry-month-malformed')
  if (!isValidExpiryYear(input.expiryYear)) problems.push('expiry-year-malformed')
  if (input.securityCode !== null && !isValidSecurityCode(input.securityCode, brand)) {
    problems.push('security-code-malformed')
  }
  if (problems.length > 0 || brand === undefined) return { ok: false, problems }
  return {
    ok: true,
    card: {
      number,
      brand,
      expiryMonth: input.expiryMonth,
      expiryYear: input.expiryYear,
      securityCode: input.securityCode,
    },
  }
}

/** What a stored card token is for: one payment, a customer's saved card, or a recurrence's card. */
export const CARD_TOKEN_PURPOSES = ['session', 'saved', 'recurring'] as const
export type CardTokenPurpose = (typeof CARD_TOKEN_PURPOSES)[number]
