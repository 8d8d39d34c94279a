import { isCardBrand, PAYMENT_STATUS_BRAND_NAMES } from '../domain/cards.js'
import { AppError, validationError, type FieldError } from '../domain/errors.js'
import { FieldReader } from '../domain/field-reader.js'
import { findPaymentMethod } from '../domain/payment-methods.js'
import { toPaymentId, toRecurringId } from '../domain/public-ids.js'
import { findCardTokenByToken, type CardTokenRow } from '../store/card-token.repository.js'
import { findInvoiceByKey } from '../store/invoice.repository.js'
import { chargeCustomer, chargeStoredCard } from '../charging/customer-charge.js'
import type { InvoiceRefusal } from '../domain/invoice.js'
import { merchantNow, type Merchant } from '../domain/merchant.js'
import { readApiCard } from './card-input.js'
import type { Deps } from '../deps.js'
import { createCardTransaction, startCardPayment, type CardTransaction, type PaymentSource } from './start-card-payment.js'

/** Where DirectPayment sends the customer next; built by the pages module (it holds the OTP key). */
export interface DirectPaymentLinks {
  /** The OTP (3-D Secure) step of a payment. */
  otpUrl(merchant: Merchant, language: 'EN' | 'AR', paymentId: string): string
  /** Our result page of a payment. */
  resultUrl(merchant: Merchant, language: 'EN' | 'AR', paymentId: string): string
}

/** `Data` of DirectPayment (reference §2.5). */
export interface DirectPaymentData {
  /** `SUCCESS` when the payment went ahead (OTP step next, or approved); `FAILURE` when declined. */
  Status: 'SUCCESS' | 'FAILURE'
  ErrorMessage: string
  PaymentId: string
  /** The saved token (SaveToken, or the token paid with); empty otherwise. */
  Token: string
  RecurringId: string
  PaymentURL: string
  CardInfo: { Number: string; ExpiryMonth: string; ExpiryYear: string; Brand: string; Issuer: string }
}

const PAYMENT_TYPES = ['card', 'token'] as const

const REFUSAL_MESSAGES: Readonly<Record<InvoiceRefusal, string>> = {
  paid: 'This invoice is already paid',
  expired: 'This invoice has expired; create a new one with ExecutePayment',
  canceled: 'This invoice can no longer be paid',
  busy: 'A payment of this invoice is already being processed; query GetPaymentStatus',
}

/** Options for {@link directPayment}. */
export interface DirectPaymentOptions {
  readonly merchant: Merchant
  readonly invoiceKey: string
  readonly paymentGatewayId: string
  readonly body: unknown
  readonly ipAddress: string | null
  readonly links: DirectPaymentLinks
}

/**
 * `POST /v2/DirectPayment/{invoiceKey}/{paymentGatewayId}` (reference §2.5): a PCI merchant posts
 * the card (or a saved token) itself. The card is tokenised at once; the answer's PaymentURL is
 * the OTP step, or, with Bypass3DS (a per-merchant feature), the card is charged at once and
 * PaymentURL is the result page.
 */
export async function directPayment(deps: Deps, options: DirectPaymentOptions): Promise<DirectPaymentData> {
  const { merchant } = options
  const invoice = await findInvoiceByKey(deps.store.db, options.invoiceKey)
  // Another merchant's invoice answers exactly like a missing one.
  if (!invoice || invoice.merchant_id !== merchant.id) {
    throw new AppError('NOT_FOUND', 'No invoice matches this invoiceKey', {
      fieldErrors: [{ Name: 'invoiceKey', Error: 'No invoice matches this invoiceKey' }],
    })
  }
  const method = /^\d{1,6}$/.test(options.paymentGatewayId) ? findPaymentMethod(Number(options.paymentGatewayId)) : undefined
  if (!method?.isDirectPayment) {
    throw validationError([{ Name: 'paymentGatewayId', Error: 'paymentGatewayId must be a payment method with IsDirectPayment: true' }])
  }

  const errors: FieldError[] = []
  const reader = new FieldReader(options.body ?? {}, errors)
  const paymentType = reader.choice('PaymentType', PAYMENT_TYPES, { required: true })
  const saveToken = reader.boolean('SaveToken') ?? false
  const bypass3ds = reader.boolean('Bypass3DS') ?? false
  if (bypass3ds && !merchant.bypass3dsEnabled) reader.fail('Bypass3DS', 'Bypass3DS is not enabled for this account')
  let source: PaymentSource | undefined
  let securityCode: string | null = null
  if (paymentType === 'card') {
    const cardReader = reader.object('Card', { required: true })
    const card = cardReader ? readApiCard(cardReader) : undefined
    if (card) {
      source = { kind: 'card', card, holderName: card.holderName, save: saveToken, customerIdentifier: null }
      securityCode = card.securityCode
    }
  } else if (paymentType === 'token') {
    const text = reader.string('Token', { required: true, max: 100 })
    const token = text === undefined ? undefined : await findPayableToken(deps, merchant, text.trim())
    if (text !== undefined && !token) reader.fail('Token', 'Token is not valid')
    if (token) source = { kind: 'token', token }
  }
  if (errors.length > 0 || !source) throw validationError(errors)

  const input = { merchant, method, channel: 'direct' as const, source, ipAddress: options.ipAddress }
  const language = invoice.language === 'AR' ? 'AR' : 'EN'
  const saveRequested = source.kind === 'card' && source.save
  const answer = (written: CardTransaction, final: boolean): DirectPaymentData => {
    const paymentId = toPaymentId(written.transaction.id, deps.ids)
    // An authorisation (AutoCapture off) went ahead too: the merchant captures it later.
    const failed = final && written.transaction.status !== 'Succss' && written.transaction.status !== 'Authorize'
    // A card to keep is named at once, and usable as a token once its payment is approved.
    const showToken = written.cardToken.purpose === 'saved' || (saveRequested && !failed)
    return {
      Status: failed ? 'FAILURE' : 'SUCCESS',
      ErrorMessage: failed ? (written.transaction.error_message ?? 'Payment failed') : '',
      PaymentId: paymentId,
      Token: showToken ? written.cardToken.token : '',
      RecurringId: invoice.recurrence_id === null ? '' : toRecurringId(invoice.recurrence_id, deps.ids),
      PaymentURL: final ? options.links.resultUrl(merchant, language, paymentId) : options.links.otpUrl(merchant, language, paymentId),
      CardInfo: cardInfo(written.cardToken),
    }
  }
  if (!bypass3ds) {
    const started = await startCardPayment(deps, invoice.id, input)
    if (started.kind === 'refused') throw new AppError('INVALID_STATE', REFUSAL_MESSAGES[started.reason])
    return answer(started, false)
  }

  // Bypass3DS: the card is written and charged in one go; a refused payment writes nothing.
  let written: CardTransaction | undefined
  const charged = await chargeCustomer(deps, {
    merchant,
    target: {
      kind: 'new',
      invoiceId: invoice.id,
      create: async (trx, locked) => {
        written = await createCardTransaction(trx, deps, locked, input, merchantNow(deps.clock.now(), merchant))
        return written.transaction
      },
    },
    charge: chargeStoredCard(deps, merchant, securityCode),
  })
  if (charged.kind !== 'final' || !written) {
    throw new AppError('INVALID_STATE', REFUSAL_MESSAGES[charged.kind === 'refused' ? charged.reason : 'busy'])
  }
  return answer({ ...written, transaction: charged.transaction }, true)
}

/** A token DirectPayment may charge: the merchant's own live saved token (recurring tokens stay internal). */
async function findPayableToken(deps: Deps, merchant: Merchant, text: string): Promise<CardTokenRow | undefined> {
  const token = await findCardTokenByToken(deps.store.db, merchant.id, text)
  return token?.purpose === 'saved' ? token : undefined
}

function cardInfo(token: CardTokenRow): DirectPaymentData['CardInfo'] {
  return {
    Number: token.masked_number,
    ExpiryMonth: token.expiry_month,
    ExpiryYear: token.expiry_year,
    Brand: isCardBrand(token.brand) ? PAYMENT_STATUS_BRAND_NAMES[token.brand] : token.brand,
    Issuer: token.issuer,
  }
}
