import type { CheckedCard } from '../domain/cards.js'
import { merchantNow, type Merchant } from '../domain/merchant.js'
import type { PaymentMethod } from '../domain/payment-methods.js'
import { findSavedTokenByPanHash, insertCardToken, type CardTokenRow } from '../store/card-token.repository.js'
import type { InvoiceRow } from '../store/invoice.repository.js'
import type { TransactionRow } from '../store/transaction.repository.js'
import type { Deps } from '../deps.js'
import { insertCustomerTransaction, invoiceRefusal, lockInvoiceForPayment, type InvoiceRefusal } from './payment-claim.js'

/** Where the money comes from: a card typed now, or a customer's saved token. */
export type PaymentSource =
  | {
      kind: 'card'
      card: CheckedCard
      holderName: string | null
      /** Keep the card as the customer's saved token (SaveToken); otherwise it serves this payment only. */
      save: boolean
      /** Whose saved card it becomes; null for DirectPayment, whose tokens are used by their text. */
      customerIdentifier: string | null
    }
  | { kind: 'token'; token: CardTokenRow }

/** Options for {@link startCardPayment}. */
export interface StartCardPaymentOptions {
  readonly merchant: Merchant
  readonly invoice: InvoiceRow
  readonly method: PaymentMethod
  readonly channel: 'hosted' | 'direct'
  readonly source: PaymentSource
  readonly ipAddress: string | null
}

/** The result of {@link startCardPayment}. */
export type StartCardPaymentResult =
  | { kind: 'started'; transaction: TransactionRow; cardToken: CardTokenRow }
  | { kind: 'refused'; reason: InvoiceRefusal }

/**
 * The customer hands over a card for an invoice (hosted checkout, DirectPayment): the card is
 * tokenised at once (the number encrypted, the CVV dropped) and an InProgress transaction is
 * created, waiting for its OTP step or an immediate charge. Nothing is charged here.
 */
export async function startCardPayment(deps: Deps, options: StartCardPaymentOptions): Promise<StartCardPaymentResult> {
  const { merchant, source } = options
  const now = merchantNow(deps.clock.now(), merchant)
  return deps.store.db.transaction().execute(async (trx) => {
    const invoice = await lockInvoiceForPayment(trx, options.invoice.id)
    const refusal = invoiceRefusal(invoice, now)
    if (refusal) return { kind: 'refused', reason: refusal }
    let cardToken: CardTokenRow
    if (source.kind === 'token') {
      cardToken = source.token
    } else {
      const existing =
        source.save && source.customerIdentifier !== null
          ? await findSavedTokenByPanHash(trx, merchant.id, source.customerIdentifier, deps.vault.hashPan(source.card.number))
          : undefined
      cardToken =
        existing && existing.expiry_month === source.card.expiryMonth && existing.expiry_year === source.card.expiryYear
          ? existing
          : await insertCardToken(trx, deps.vault, {
              merchantId: merchant.id,
              purpose: source.save ? 'saved' : 'session',
              customerIdentifier: source.save ? source.customerIdentifier : null,
              number: source.card.number,
              expiryMonth: source.card.expiryMonth,
              expiryYear: source.card.expiryYear,
              holderName: source.holderName,
              now,
            })
    }
    const transaction = await insertCustomerTransaction(trx, {
      merchant,
      invoice,
      method: options.method,
      channel: options.channel,
      cardTokenId: cardToken.id,
      ipAddress: options.ipAddress,
      now,
    })
    return { kind: 'started', transaction, cardToken }
  })
}
