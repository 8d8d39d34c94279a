import { exchangeRateList, type ExchangeRateItem } from '../domain/exchange-rates.js'
import type { Merchant } from '../domain/merchant.js'

/**
 * GetCurrenciesExchangeList: every currency an invoice may be in, the account's base currency
 * first, each at rate `"1.00000000"` because dawri never converts (domain/exchange-rates.ts).
 * The same list for every merchant of one base currency; nothing is read from the database.
 */
export function getCurrenciesExchangeList(merchant: Pick<Merchant, 'currency'>): ExchangeRateItem[] {
  return exchangeRateList(merchant.currency)
}
