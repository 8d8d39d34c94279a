import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import type { ExecutePaymentRules } from '../../src/domain/execute-payment-request.js'
import { invoiceNotifications, smsRecipient } from '../../src/domain/invoice-notification.js'
import { checkoutPaymentMethod, offeredPaymentMethods } from '../../src/domain/invoice-link.js'
import { defaultInvoicePaymentMethods, notificationChannels, parseSendPaymentRequest } from '../../src/domain/send-payment-request.js'

const RULES: ExecutePaymentRules = {
  baseCurrency: 'KWD',
  timeZone: 'Asia/Kuwait',
  now: Date.UTC(2026, 0, 10, 9, 0, 0),
  production: false,
  recurringEnabled: true,
  bypass3dsEnabled: false,
}
const BASE = { InvoiceValue: 10, CustomerName: 'Fatima', NotificationOption: 'LNK' }

const parse = (body: unknown) => parseSendPaymentRequest(body, RULES)
const names = (body: unknown) => {
  const parsed = parse(body)
  return parsed.ok ? [] : parsed.errors.map((error) => error.Name).sort()
}

describe('SendPayment request', () => {
  it('accepts every option in any case, and the fields each one needs', () => {
    for (const option of ['LNK', 'Lnk', 'lnk']) expect(parse({ ...BASE, NotificationOption: option, CustomerEmail: null }).ok).toBe(true)
    expect(names({ ...BASE, NotificationOption: 'eml' })).toEqual(['CustomerEmail'])
    expect(names({ ...BASE, NotificationOption: 'Sms' })).toEqual(['CustomerMobile'])
    expect(names({ ...BASE, NotificationOption: 'ALL' })).toEqual(['CustomerEmail', 'CustomerMobile'])
    const all = parse({ ...BASE, NotificationOption: 'all', CustomerEmail: 'a@b.co', CustomerMobile: '55512345' })
    expect(all.ok && all.command.notificationOption).toBe('ALL')
    expect(names({ ...BASE, NotificationOption: 'FAX' })).toEqual(['NotificationOption'])
    expect(names({ InvoiceValue: 10 })).toEqual(['CustomerName', 'NotificationOption'])
  })

  it('offers the listed methods in order without duplicates, else KNET and VISA/MASTER', () => {
    const listed = parse({ ...BASE, InvoicePaymentMethods: ['20', 1, 20] })
    expect(listed.ok && listed.command.invoicePaymentMethods).toEqual([20, 1])
    const absent = parse({ ...BASE, InvoicePaymentMethods: [] })
    expect(absent.ok && absent.command.invoicePaymentMethods).toEqual([1, 2])
    expect(defaultInvoicePaymentMethods()).toEqual([1, 2])
    expect(names({ ...BASE, InvoicePaymentMethods: [2, 77] })).toEqual(['InvoicePaymentMethods'])
    expect(names({ ...BASE, invoicePaymentMethods: 2 })).toEqual(['invoicePaymentMethods'])
    expect(names({ ...BASE, InvoicePaymentMethods: [1.5, 'x', null] })).toEqual(['InvoicePaymentMethods', 'InvoicePaymentMethods', 'InvoicePaymentMethods'])
  })

  it('refuses a RecurringModel and ignores PaymentMethodId and SessionId', () => {
    expect(names({ ...BASE, RecurringModel: { RecurringType: 'Daily' } })).toEqual(['RecurringModel'])
    expect(parse({ ...BASE, PaymentMethodId: 999, SessionId: 'nope' }).ok).toBe(true)
  })

  it('refuses AutoCapture false, once, whatever the other errors', () => {
    expect(names({ ...BASE, ProcessingDetails: { AutoCapture: false } })).toEqual(['ProcessingDetails.AutoCapture'])
    expect(names({ InvoiceValue: 0, CustomerName: 'A', NotificationOption: 'LNK', processingdetails: { autocapture: 'false' } })).toEqual(['InvoiceValue', 'processingdetails.autocapture'])
    expect(parse({ ...BASE, ProcessingDetails: { AutoCapture: true } }).ok).toBe(true)
  })

  it('never throws, whatever the body', () => {
    fc.assert(
      fc.property(fc.anything(), (body) => {
        const parsed = parse(body)
        if (!parsed.ok) expect(parsed.errors.length).toBeGreaterThan(0)
      }),
    )
  })
})

describe('SendPayment notifications and the invoice page', () => {
  it('maps options to channels', () => {
    expect(notificationChannels('LNK')).toEqual([])
    expect(notificationChannels('EML')).toEqual(['EML'])
    expect(notificationChannels('SMS')).toEqual(['SMS'])
    expect(notificationChannels('ALL')).toEqual(['EML', 'SMS'])
  })

  it('words the link in English and Arabic, to the e-mail and the full mobile number', () => {
    const facts = {
      merchantName: 'Shop', merchantCountry: 'KWT' as const, customerName: 'Fatima', customerEmail: 'f@example.test',
      mobileCountryCode: null, customerMobile: '55512345', amountMinor: 1_234_500, currency: 'KWD' as const, invoiceUrl: 'https://x.test/KWT/ie/k',
    }
    const [mail, sms] = invoiceNotifications(['EML', 'SMS'], { ...facts, language: 'EN' })
    expect(mail).toMatchObject({ channel: 'EML', recipient: 'f@example.test', subject: 'Invoice from Shop' })
    expect(mail?.body).toContain('1,234.500 KWD')
    expect(sms).toMatchObject({ channel: 'SMS', recipient: '+96555512345', subject: null })
    for (const notification of [mail, sms]) expect(notification?.body).toContain(facts.invoiceUrl)
    const arabic = invoiceNotifications(['EML'], { ...facts, language: 'AR' })
    expect(arabic[0]?.subject).toBe('فاتورة من Shop')
    expect(smsRecipient('+96655512345', '965', 'KWT')).toBe('+96655512345')
    expect(smsRecipient('55512345', '966', 'KWT')).toBe('+96655512345')
  })

  it('charges a SendPayment invoice only with a method it offers; an ExecutePayment invoice with its own', () => {
    const link = { payment_method_id: null, invoice_payment_methods: '[2,1]' }
    expect(offeredPaymentMethods(link)?.map((method) => method.id)).toEqual([2, 1])
    expect(checkoutPaymentMethod(link, '1')?.id).toBe(1)
    expect(checkoutPaymentMethod(link, '20')).toBeUndefined()
    expect(checkoutPaymentMethod(link, undefined)).toBeUndefined()
    const bound = { payment_method_id: 20, invoice_payment_methods: null }
    expect(offeredPaymentMethods(bound)).toBeUndefined()
    expect(checkoutPaymentMethod(bound, '1')?.id).toBe(20)
  })
})
