/** ISO 4217 codes MyFatoorah accepts (reference §2.1 enum). */
export const CURRENCY_CODES = ['KWD', 'SAR', 'BHD', 'AED', 'QAR', 'OMR', 'JOD', 'EGP'] as const

/** One of the currencies MyFatoorah accepts. */
export type CurrencyCode = (typeof CURRENCY_CODES)[number]

/** Facts about a currency: its minor-unit exponent and the short symbol MyFatoorah shows. */
export interface Currency {
  readonly code: CurrencyCode
  /** Number of decimals of the minor unit (ISO 4217): 3 for KWD, BHD, OMR, JOD. */
  readonly exponent: number
  /** Display symbol used in transaction fields such as `PaidCurrency` (`KD`, `SR`). */
  readonly symbol: string
}

const CURRENCIES: Readonly<Record<CurrencyCode, Currency>> = {
  KWD: { code: 'KWD', exponent: 3, symbol: 'KD' },
  SAR: { code: 'SAR', exponent: 2, symbol: 'SR' },
  BHD: { code: 'BHD', exponent: 3, symbol: 'BD' },
  AED: { code: 'AED', exponent: 2, symbol: 'AED' },
  QAR: { code: 'QAR', exponent: 2, symbol: 'QR' },
  OMR: { code: 'OMR', exponent: 3, symbol: 'OR' },
  JOD: { code: 'JOD', exponent: 3, symbol: 'JD' },
  EGP: { code: 'EGP', exponent: 2, symbol: 'EGP' },
}

/** True when `value` names a supported currency (exact, upper-case ISO code). */
export function isCurrencyCode(value: string): value is CurrencyCode {
  return (CURRENCY_CODES as readonly string[]).includes(value)
}

/** The currency facts for a code. */
export function getCurrency(code: CurrencyCode): Currency {
  return CURRENCIES[code]
}
