import { getCountry, type CountryCode } from './countries.js'
import type { CurrencyCode } from './currencies.js'
import { formatAmount } from './money.js'
import type { NotificationChannel } from './send-payment-request.js'

/** What an invoice-link notification says; no card data, only the link and the amount. */
export interface InvoiceNotification {
  readonly channel: NotificationChannel
  readonly recipient: string
  readonly subject: string | null
  readonly body: string
}

/** The facts a notification words. */
export interface InvoiceNotificationFacts {
  readonly merchantName: string
  readonly merchantCountry: CountryCode
  readonly customerName: string
  readonly customerEmail: string | null
  readonly mobileCountryCode: string | null
  readonly customerMobile: string | null
  readonly amountMinor: number
  readonly currency: CurrencyCode
  readonly language: 'EN' | 'AR'
  readonly invoiceUrl: string
}

/**
 * The mobile number an SMS goes to: as sent when it starts with `+` or `00`, else prefixed with
 * `MobileCountryCode` (default: the merchant's country's dialling code).
 */
export function smsRecipient(mobile: string, mobileCountryCode: string | null, country: CountryCode): string {
  if (/^(\+|00)/.test(mobile)) return mobile
  const code = (mobileCountryCode ?? getCountry(country).mobileCode).replace(/^\+?/, '+')
  return `${code}${mobile}`
}

/** The e-mail and SMS of an invoice link, in the invoice's language, for the channels asked. */
export function invoiceNotifications(channels: readonly NotificationChannel[], facts: InvoiceNotificationFacts): InvoiceNotification[] {
  const amount = `${formatAmount(facts.amountMinor, facts.currency, { grouping: true })} ${facts.currency}`
  const arabic = facts.language === 'AR'
  const notifications: InvoiceNotification[] = []
  for (const channel of channels) {
    if (channel === 'EML' && facts.customerEmail !== null) {
      notifications.push({
        channel,
        recipient: facts.customerEmail,
        subject: arabic ? `فاتورة من ${facts.merchantName}` : `Invoice from ${facts.merchantName}`,
        body: arabic
          ? `مرحبًا ${facts.customerName}،\n\nأرسل إليك ${facts.merchantName} فاتورة بمبلغ ${amount}.\nادفعها من هنا: ${facts.invoiceUrl}\n`
          : `Dear ${facts.customerName},\n\n${facts.merchantName} has sent you an invoice of ${amount}.\nPay it here: ${facts.invoiceUrl}\n`,
      })
    }
    if (channel === 'SMS' && facts.customerMobile !== null) {
      notifications.push({
        channel,
        recipient: smsRecipient(facts.customerMobile, facts.mobileCountryCode, facts.merchantCountry),
        subject: null,
        body: arabic
          ? `فاتورة من ${facts.merchantName} بمبلغ ${amount}: ${facts.invoiceUrl}`
          : `${facts.merchantName}: invoice of ${amount}. Pay here: ${facts.invoiceUrl}`,
      })
    }
  }
  return notifications
}
