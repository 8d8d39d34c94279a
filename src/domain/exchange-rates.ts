import { CURRENCY_CODES, type CurrencyCode } from './currencies.js'

/**
 * GetCurrenciesExchangeList's answer. dawri never converts between currencies: an invoice is
 * denominated in its own currency, and every base-currency field echoes that amount
 * (docs/compatibility.md, "No currency conversion"). The only rate consistent with those fields
 * is 1 for every currency, so that a client converting with this list (the official PHP library
 * divides by the display currency's rate) gets back the amount dawri reports.
 */

/** The one rate dawri applies between any two currencies: none, written as MyFatoorah writes rates (8 decimals). */
export const NO_CONVERSION_RATE = '1.00000000'

/** One item of the list: `Text` the ISO code, `Value` units of it per unit of the base currency. */
export interface ExchangeRateItem {
  readonly Text: CurrencyCode
  readonly Value: string
}

/**
 * Every currency an invoice may be in (`DisplayCurrencyIso`), the account's base currency
 * first (clients look for it there), then the others in the order of {@link CURRENCY_CODES}.
 */
export function exchangeRateList(base: CurrencyCode): ExchangeRateItem[] {
  return [base, ...CURRENCY_CODES.filter((code) => code !== base)].map((code) => ({ Text: code, Value: NO_CONVERSION_RATE }))
}
