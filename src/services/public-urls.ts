import type { Config } from '../config.js'
import type { Merchant } from '../domain/merchant.js'

/** Every URL handed to clients starts from DAWRI_PUBLIC_URL (the DAWRI_PUBLIC_URL setting). */

const languageSegment = (language: 'EN' | 'AR') => (language === 'AR' ? 'Ar' : 'En')

/** Hosted checkout: `/{En|Ar}/{KWT…}/PayInvoice/Checkout?invoiceKey=…&paymentGatewayId=…`. */
export function checkoutUrl(config: Config, merchant: Merchant, language: 'EN' | 'AR', invoiceKey: string, methodId: number): string {
  return `${config.publicUrl}/${languageSegment(language)}/${merchant.country}/PayInvoice/Checkout?invoiceKey=${encodeURIComponent(invoiceKey)}&paymentGatewayId=${methodId}`
}

/**
 * The hosted invoice page of a SendPayment invoice: `/{KWT…}/ie/{invoiceKey}`, MyFatoorah's shape
 * (no language segment; the page speaks the invoice's language, `/{En|Ar}/{KWT…}/ie/{key}` picks one).
 */
export function invoicePageUrl(config: Config, merchant: Pick<Merchant, 'country'>, invoiceKey: string, language?: 'EN' | 'AR'): string {
  const segment = language === undefined ? '' : `/${languageSegment(language)}`
  return `${config.publicUrl}${segment}/${merchant.country}/ie/${encodeURIComponent(invoiceKey)}`
}

/** The OTP (3-D Secure) step: `/{En|Ar}/{KWT…}/PayInvoice/MpgsAuthentication?paymentId=…`. */
export function otpUrl(config: Config, merchant: Merchant, language: 'EN' | 'AR', paymentId: string, sessionId?: string): string {
  const session = sessionId === undefined ? '' : `&sessionId=${encodeURIComponent(sessionId)}`
  return `${config.publicUrl}/${languageSegment(language)}/${merchant.country}/PayInvoice/MpgsAuthentication?paymentId=${paymentId}${session}`
}

/** DirectPayment endpoint on the API host (reference §2.5). */
export function directPaymentUrl(config: Config, invoiceKey: string, methodId: number): string {
  return `${config.publicUrl}/v2/DirectPayment/${encodeURIComponent(invoiceKey)}/${methodId}`
}

/** The Card View script of a version (reference §3.3). */
export function cardViewScriptUrl(config: Config, version: 1 | 2 | 3): string {
  return `${config.publicUrl}/cardview/v${version}/session.js`
}
