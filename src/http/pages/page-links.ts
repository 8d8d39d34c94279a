import type { Merchant } from '../../domain/merchant.js'
import type { DirectPaymentLinks } from '../../services/direct-payment.js'
import type { Deps } from '../../deps.js'
import { otpUrl } from '../../services/public-urls.js'
import { languageSegment, type PageLanguage } from './i18n.js'
import type { PageSecurity } from './page-security.js'

/** URLs of the hosted pages, always built from DAWRI_PUBLIC_URL. */
export interface PageLinks extends DirectPaymentLinks {
  /** The OTP step of a hosted or direct payment, with its access key as `sessionId`. */
  otpUrl(merchant: Merchant, language: PageLanguage, paymentId: string): string
  /** Our result page (`…/PayInvoice/Result?paymentId=…`, the shape the PHP library builds, reference §2.2). */
  resultUrl(merchant: Pick<Merchant, 'country'>, language: PageLanguage, paymentId: string): string
  /** The same page in the other language: swaps the `/En/` or `/Ar/` segment of a path with query. */
  switchLanguage(pathWithQuery: string, language: PageLanguage): string
}

/** Builds {@link PageLinks}; reads `deps.config` at each call, so a config fixed up after start counts. */
export function createPageLinks(deps: Pick<Deps, 'config'>, security: PageSecurity): PageLinks {
  return {
    otpUrl: (merchant, language, paymentId) => otpUrl(deps.config, merchant, language, paymentId, security.otpAccessKey(paymentId)),
    resultUrl: (merchant, language, paymentId) =>
      `${deps.config.publicUrl}/${languageSegment(language)}/${merchant.country}/PayInvoice/Result?paymentId=${encodeURIComponent(paymentId)}`,
    switchLanguage: (pathWithQuery, language) => {
      const other = language === 'AR' ? 'En' : 'Ar'
      // The invoice page's own URL (`/{KWT…}/ie/{key}`) has no language segment: one is added.
      if (!/^\/(en|ar)\//i.test(pathWithQuery)) return `/${other}${pathWithQuery}`
      return pathWithQuery.replace(/^\/(en|ar)\//i, `/${other}/`)
    },
  }
}
