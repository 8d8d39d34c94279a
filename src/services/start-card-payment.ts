import type { CheckedCard } from '../domain/cards.js'
import type { CustomerChannel } from '../domain/charge.js'
import { paymentRefusal, type InvoiceRefusal } from '../domain/invoice.js'
import { merchantNow, type Merchant } from '../domain/merchant.js'
import type { PaymentMethod } from '../domain/payment-methods.js'
import type { Deps } from '../deps.js'
import { findSavedTokenByPanHash, insertCardToken, type CardTokenRow } from '../store/card-token.repository.js'
import type { Executor } from '../store/database.js'
import type { InvoiceRow } from '../store/invoice.repository.js'
import { lockInvoice } from '../store/payment.repository.js'
import { insertTransactions, listTransactions, unchargedTransaction, type TransactionRow } from '../store/transaction.repository.js'

/** Where the money comes from: a card typed now, or a customer's saved token. */
export type PaymentSource =
  | {
      kind: 'card'
      card: CheckedCard
      holderName: string | null
      /** Keep the card as the customer's saved token (SaveToken), once the payment is approved. */
      save: boolean
      /** Whose saved card it becomes; null for DirectPayment, whose tokens are used by their text. */
      customerIdentifier: string | null
    }
  | { kind: 'token'; token: CardTokenRow }

/** What the customer hands over for an invoice. */
export interface CardPaymentInput {
  readonly merchant: Merchant
  readonly method: PaymentMethod
  readonly channel: CustomerChannel
  readonly source: PaymentSource
  readonly ipAddress: string | null
}

/** A transaction waiting for its charge, and the card it will charge. */
export interface CardTransaction {
  readonly transaction: TransactionRow
  readonly cardToken: CardTokenRow
}

/**
 * Writes, inside `trx`, the card and the InProgress transaction of a customer's payment. The
 * card is tokenised (the number encrypted, the CVV dropped): a customer's saved card is reused
 * as it is; a card to keep (SaveToken) is stored for this payment and becomes a saved card only
 * when the payment is approved (the transaction's `save_card`), so a payment that fails or loses
 * a race leaves no saved card behind.
 */
export async function createCardTransaction(
  trx: Executor,
  deps: Deps,
  invoice: InvoiceRow,
  input: CardPaymentInput,
  now: number,
): Promise<CardTransaction> {
  const { merchant, source } = input
  let cardToken: CardTokenRow
  let saveCard = false
  if (source.kind === 'token') {
    cardToken = source.token
  } else {
    const existing =
      source.save && source.customerIdentifier !== null
        ? await findSavedTokenByPanHash(trx, merchant.id, source.customerIdentifier, deps.vault.hashPan(source.card.number))
        : undefined
    if (existing && existing.expiry_month === source.card.expiryMonth && existing.expiry_year === source.card.expiryYear) {
      cardToken = existing
    } else {
      saveCard = source.save
      cardToken = await insertCardToken(trx, deps.vault, {
        merchantId: merchant.id,
        purpose: 'session',
        customerIdentifier: source.save ? source.customerIdentifier : null,
        number: source.card.number,
        expiryMonth: source.card.expiryMonth,
        expiryYear: source.card.expiryYear,
        holderName: source.holderName,
        now,
      })
    }
  }
  const [transaction] = await insertTransactions(trx, [
    unchargedTransaction({
      invoice_id: invoice.id,
      merchant_id: merchant.id,
      channel: input.channel,
      payment_method_id: input.method.id,
      gateway: input.method.gateway,
      amount_minor: invoice.value_minor,
      currency: invoice.currency,
      card_token_id: cardToken.id,
      ip_address: input.ipAddress,
      save_card: saveCard ? 1 : 0,
      created_at: now,
    }),
  ])
  if (!transaction) throw new Error(`The transaction of invoice ${invoice.id} was not written`)
  return { transaction, cardToken }
}

/** The result of {@link startCardPayment}. */
export type StartCardPaymentResult =
  | ({ kind: 'started' } & CardTransaction)
  | { kind: 'refused'; reason: InvoiceRefusal }

/**
 * The customer hands over a card for an invoice that then waits for its OTP step (hosted
 * checkout, DirectPayment without Bypass3DS): the card and an InProgress transaction are
 * written; nothing is charged here.
 */
export async function startCardPayment(deps: Deps, invoiceId: number, input: CardPaymentInput): Promise<StartCardPaymentResult> {
  const now = merchantNow(deps.clock.now(), input.merchant)
  return deps.store.db.transaction().execute(async (trx) => {
    const invoice = await lockInvoice(trx, deps.store.adapter, invoiceId)
    if (!invoice) throw new Error(`Invoice ${invoiceId} does not exist`)
    const refusal = paymentRefusal(invoice, now)
    if (refusal) return { kind: 'refused', reason: refusal }
    // An authorised payment (AutoCapture off) holds the invoice until it is released.
    if ((await listTransactions(trx, invoice.id)).some((t) => t.status === 'Authorize')) return { kind: 'refused', reason: 'paid' }
    return { kind: 'started', ...(await createCardTransaction(trx, deps, invoice, input, now)) }
  })
}
