import { validationError } from '../domain/errors.js'
import { invoiceNotifications } from '../domain/invoice-notification.js'
import { merchantNow, type Merchant } from '../domain/merchant.js'
import { toInvoiceId } from '../domain/public-ids.js'
import { notificationChannels, parseSendPaymentRequest } from '../domain/send-payment-request.js'
import { insertInvoice } from '../store/invoice.repository.js'
import { insertNotifications } from '../store/notification.repository.js'
import type { Deps } from '../deps.js'
import { invoiceRules, newInvoiceRow } from './new-invoice.js'
import { invoicePageUrl } from './public-urls.js'

/** `Data` of a successful SendPayment (reference §12.1). */
export interface SendPaymentData {
  InvoiceId: number
  InvoiceURL: string
  CustomerReference: string | null
  UserDefinedField: string | null
}

/**
 * Creates an invoice the customer pays from its invoice page, choosing among the offered methods.
 * `EML`, `SMS` and `ALL` never send anything: in the sandbox the e-mail and SMS are written to
 * the merchant's notification outbox (GET /v2/sandbox/Notifications) in the same transaction as
 * the invoice; in production nothing is stored. Every option answers the InvoiceURL.
 */
export async function sendPayment(deps: Deps, merchant: Merchant, body: unknown): Promise<SendPaymentData> {
  const now = merchantNow(deps.clock.now(), merchant)
  const parsed = parseSendPaymentRequest(body, invoiceRules(deps, merchant, now))
  if (!parsed.ok) throw validationError(parsed.errors)
  const command = parsed.command

  return deps.store.db.transaction().execute(async (trx) => {
    const row = newInvoiceRow(merchant, command, { kind: 'choice', methodIds: command.invoicePaymentMethods }, now)
    const invoice = await insertInvoice(trx, row)
    const invoiceUrl = invoicePageUrl(deps.config, merchant, invoice.invoice_key)
    if (deps.config.mode === 'sandbox') {
      const notifications = invoiceNotifications(notificationChannels(command.notificationOption), {
        merchantName: merchant.name,
        merchantCountry: merchant.country,
        customerName: command.customerName,
        customerEmail: command.customerEmail,
        mobileCountryCode: command.mobileCountryCode,
        customerMobile: command.customerMobile,
        amountMinor: command.invoiceValueMinor,
        currency: command.currency,
        language: command.language,
        invoiceUrl,
      })
      await insertNotifications(
        trx,
        notifications.map((notification) => ({
          merchant_id: merchant.id,
          invoice_id: invoice.id,
          channel: notification.channel,
          recipient: notification.recipient,
          language: command.language,
          subject: notification.subject,
          body: notification.body,
          invoice_url: invoiceUrl,
          created_at: now,
        })),
      )
    }
    return {
      InvoiceId: toInvoiceId(invoice.id, deps.ids),
      InvoiceURL: invoiceUrl,
      CustomerReference: command.customerReference,
      UserDefinedField: command.userDefinedField,
    }
  })
}
