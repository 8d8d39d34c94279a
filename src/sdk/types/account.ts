/** One currency of GetCurrenciesExchangeList (MyFatoorah answers a bare list, no envelope). */
export interface CurrencyExchangeRate {
  readonly Text: string
  /** Rate as decimal text, e.g. `1.00000000`. */
  readonly Value: string
}

/** `POST /v2/RegisterApplePayDomain`. */
export interface RegisterApplePayDomainRequest {
  readonly DomainName: string
}
