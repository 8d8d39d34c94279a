import { randomInt } from 'node:crypto'

import { merchantNow, type Merchant } from '../domain/merchant.js'
import { paymentErrorMessage } from '../domain/payment-errors.js'
import type { PaymentMethod } from '../domain/payment-methods.js'
import { chargeCustomer } from '../charging/customer-charge.js'
import type { ChargeResult } from '../domain/charge.js'
import type { InvoiceRefusal } from '../domain/invoice.js'
import type { Deps } from '../deps.js'
import type { InvoiceRow } from '../store/invoice.repository.js'
import { insertTransactions, unchargedTransaction, type TransactionRow } from '../store/transaction.repository.js'
import { normalizeExpiryMonth, normalizeExpiryYear } from './card-input.js'

/**
 * KNET (PaymentMethodId 1) is a Kuwaiti debit network, not a card brand: its cards fail the Luhn
 * check, cannot be tokenised, and the customer authenticates with a PIN on KNET's own page
 * instead of an OTP. dawri simulates that page with MyFatoorah's published KNET demo card
 * (reference §8.2): 8888880000000001 with expiry 09/30 and any 4-digit PIN is captured, any
 * other card or expiry is "not captured" (MF002). The decision is made here, not by the card
 * processor; nothing of the card is stored.
 */
export const KNET_DEMO_CARD = { number: '8888880000000001', expiryMonth: '09', expiryYear: '30' } as const

/** Why a KNET form field is refused. */
export const KNET_PROBLEMS = ['knet-number-malformed', 'expiry-month-malformed', 'expiry-year-malformed', 'pin-malformed'] as const

/** One of {@link KNET_PROBLEMS}. */
export type KnetProblem = (typeof KNET_PROBLEMS)[number]

/** What the customer types on the KNET page. */
export interface KnetInput {
  readonly number: string
  readonly expiryMonth: string
  readonly expiryYear: string
  readonly pin: string
}

/** Shape problems of a KNET form, all at once. */
export function checkKnetInput(input: KnetInput): KnetProblem[] {
  const problems: KnetProblem[] = []
  if (!/^\d{16}$/.test(input.number.replace(/[\s-]/g, ''))) problems.push('knet-number-malformed')
  if (!/^(0[1-9]|1[0-2])$/.test(normalizeExpiryMonth(input.expiryMonth))) problems.push('expiry-month-malformed')
  if (!/^\d{2}$/.test(normalizeExpiryYear(input.expiryYear))) problems.push('expiry-year-malformed')
  if (!/^\d{4}$/.test(input.pin.trim())) problems.push('pin-malformed')
  return problems
}

/** The simulated KNET decision for a well-formed form. */
export function decideKnet(input: KnetInput): ChargeResult {
  const captured =
    input.number.replace(/[\s-]/g, '') === KNET_DEMO_CARD.number &&
    normalizeExpiryMonth(input.expiryMonth) === KNET_DEMO_CARD.expiryMonth &&
    normalizeExpiryYear(input.expiryYear) === KNET_DEMO_CARD.expiryYear
  if (!captured) return { status: 'declined', errorCode: 'MF002', message: paymentErrorMessage('MF002') }
  return {
    status: 'approved',
    authorizationId: String(randomInt(100_000, 1_000_000)),
    referenceId: String(randomInt(100_000_000, 1_000_000_000)).padStart(12, '0'),
  }
}

/** Options for {@link payWithKnet}. */
export interface PayWithKnetOptions {
  readonly merchant: Merchant
  readonly invoice: InvoiceRow
  readonly method: PaymentMethod
  readonly input: KnetInput
  readonly ipAddress: string | null
}

/** The result of {@link payWithKnet}. */
export type PayWithKnetResult =
  | { kind: 'invalid'; problems: readonly KnetProblem[] }
  | { kind: 'refused'; reason: InvoiceRefusal }
  | { kind: 'final'; transaction: TransactionRow }

/**
 * Pays an invoice on the simulated KNET page, through the charging engine like every payment:
 * the transaction and its attempt are written under the invoice's lock, KNET's decision is the
 * charge, and the outcome is recorded with its webhook. Nothing of the card is stored, so an
 * attempt whose process died is settled by recovery as MF008, nothing charged.
 */
export async function payWithKnet(deps: Deps, options: PayWithKnetOptions): Promise<PayWithKnetResult> {
  const { merchant, input } = options
  const problems = checkKnetInput(input)
  if (problems.length > 0) return { kind: 'invalid', problems }
  const charged = await chargeCustomer(deps, {
    merchant,
    target: {
      kind: 'new',
      invoiceId: options.invoice.id,
      create: async (trx, invoice) => {
        const now = merchantNow(deps.clock.now(), merchant)
        const [transaction] = await insertTransactions(trx, [
          unchargedTransaction({
            invoice_id: invoice.id,
            merchant_id: merchant.id,
            channel: 'hosted',
            payment_method_id: options.method.id,
            gateway: options.method.gateway,
            amount_minor: invoice.value_minor,
            currency: invoice.currency,
            card_token_id: null,
            ip_address: options.ipAddress,
            created_at: now,
          }),
        ])
        if (!transaction) throw new Error(`The KNET transaction of invoice ${invoice.id} was not written`)
        return transaction
      },
    },
    charge: async () => decideKnet(input),
  })
  if (charged.kind === 'final') return { kind: 'final', transaction: charged.transaction }
  // A new transaction is never 'gone'; answer as if busy should it ever happen.
  return { kind: 'refused', reason: charged.kind === 'refused' ? charged.reason : 'busy' }
}
