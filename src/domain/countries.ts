import type { CurrencyCode } from './currencies.js'

/** ISO-3 country codes of MyFatoorah accounts (reference §8.3). */
export const COUNTRY_CODES = ['KWT', 'SAU', 'BHR', 'ARE', 'QAT', 'OMN', 'JOR', 'EGY'] as const

/** A MyFatoorah account country. */
export type CountryCode = (typeof COUNTRY_CODES)[number]

/** Facts about an account country. */
export interface Country {
  readonly code: CountryCode
  readonly nameEn: string
  /** Base currency of accounts in this country. */
  readonly currency: CurrencyCode
  /** IANA time zone in which recurring dates and API timestamps are expressed. */
  readonly timeZone: string
  /** International dialling code with a leading `+`. */
  readonly mobileCode: string
}

const COUNTRIES: Readonly<Record<CountryCode, Country>> = {
  KWT: { code: 'KWT', nameEn: 'Kuwait', currency: 'KWD', timeZone: 'Asia/Kuwait', mobileCode: '+965' },
  SAU: { code: 'SAU', nameEn: 'Saudi Arabia', currency: 'SAR', timeZone: 'Asia/Riyadh', mobileCode: '+966' },
  BHR: { code: 'BHR', nameEn: 'Bahrain', currency: 'BHD', timeZone: 'Asia/Bahrain', mobileCode: '+973' },
  ARE: { code: 'ARE', nameEn: 'United Arab Emirates', currency: 'AED', timeZone: 'Asia/Dubai', mobileCode: '+971' },
  QAT: { code: 'QAT', nameEn: 'Qatar', currency: 'QAR', timeZone: 'Asia/Qatar', mobileCode: '+974' },
  OMN: { code: 'OMN', nameEn: 'Oman', currency: 'OMR', timeZone: 'Asia/Muscat', mobileCode: '+968' },
  JOR: { code: 'JOR', nameEn: 'Jordan', currency: 'JOD', timeZone: 'Asia/Amman', mobileCode: '+962' },
  EGY: { code: 'EGY', nameEn: 'Egypt', currency: 'EGP', timeZone: 'Africa/Cairo', mobileCode: '+20' },
}

/** True when `value` is a supported country code (exact, upper-case). */
export function isCountryCode(value: string): value is CountryCode {
  return (COUNTRY_CODES as readonly string[]).includes(value)
}

/** The facts for a country code. */
export function getCountry(code: CountryCode): Country {
  return COUNTRIES[code]
}
