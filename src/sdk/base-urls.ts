import type { CountryCode } from './types/common.js'

/** Which MyFatoorah environment a client talks to. */
export type Environment = 'test' | 'live'

/** MyFatoorah's test API host, shared by every country. */
export const MYFATOORAH_TEST_URL = 'https://apitest.myfatoorah.com'

/**
 * MyFatoorah's live API hosts per account country. UAE follows MyFatoorah's current live-token
 * documentation (`api-ae`); older documents and the PHP library's table say `api.myfatoorah.com`:
 * pass `baseUrl` if your account uses that one.
 */
export const MYFATOORAH_LIVE_URLS: Readonly<Record<CountryCode, string>> = {
  KWT: 'https://api.myfatoorah.com',
  BHR: 'https://api.myfatoorah.com',
  JOR: 'https://api.myfatoorah.com',
  OMN: 'https://api.myfatoorah.com',
  ARE: 'https://api-ae.myfatoorah.com',
  SAU: 'https://api-sa.myfatoorah.com',
  QAT: 'https://api-qa.myfatoorah.com',
  EGY: 'https://api-eg.myfatoorah.com',
}

/** The API base URL of a country's account in an environment. */
export function myFatoorahBaseUrl(country: CountryCode, environment: Environment): string {
  if (environment === 'test') return MYFATOORAH_TEST_URL
  const url = MYFATOORAH_LIVE_URLS[country]
  if (url === undefined) throw new TypeError(`Unknown MyFatoorah country '${String(country)}'; expected one of ${Object.keys(MYFATOORAH_LIVE_URLS).join(', ')}`)
  return url
}
