import { getCurrency, type CurrencyCode } from './currencies.js'

/** How a payment method takes the customer's money. */
export interface PaymentMethod {
  readonly id: number
  readonly code: string
  readonly nameEn: string
  readonly nameAr: string
  /** Name printed as `PaymentGateway` in transactions. */
  readonly gateway: string
  /** Card method: tokenisable, so it can carry a RecurringModel (reference §2.3). */
  readonly isCard: boolean
  /** Accepts card data through `/v2/DirectPayment` (reference §2.5). */
  readonly isDirectPayment: boolean
  /** Usable through the embedded Card View. */
  readonly isEmbeddedSupported: boolean
  /** Merchant-borne charge: basis points of the amount plus a fixed part in major units × 1000. */
  readonly feeBasisPoints: number
  readonly feeFixedThousandths: number
}

/**
 * The sandbox's payment methods. 2 and 20 are the card methods MyFatoorah's recurring guides
 * name for testing (reference §2.1 conflict); 9 is a direct-payment card gateway; KNET (1) is a
 * debit network that cannot recur.
 */
export const PAYMENT_METHODS: readonly PaymentMethod[] = [
  { id: 1, code: 'kn', nameEn: 'KNET', nameAr: 'كي نت', gateway: 'KNET', isCard: false, isDirectPayment: false, isEmbeddedSupported: false, feeBasisPoints: 0, feeFixedThousandths: 100 },
  { id: 2, code: 'vm', nameEn: 'VISA/MASTER', nameAr: 'فيزا / ماستر', gateway: 'VISA/MASTER', isCard: true, isDirectPayment: false, isEmbeddedSupported: true, feeBasisPoints: 250, feeFixedThousandths: 0 },
  { id: 9, code: 'vmd', nameEn: 'Visa/Master Direct', nameAr: 'فيزا / ماستر مباشر', gateway: 'Visa/Master Direct', isCard: true, isDirectPayment: true, isEmbeddedSupported: false, feeBasisPoints: 250, feeFixedThousandths: 0 },
  { id: 20, code: 'vm', nameEn: 'VISA/MASTER', nameAr: 'فيزا / ماستر', gateway: 'VISA/MASTER', isCard: true, isDirectPayment: false, isEmbeddedSupported: true, feeBasisPoints: 250, feeFixedThousandths: 0 },
]

/** The method with this id, or undefined. */
export function findPaymentMethod(id: number): PaymentMethod | undefined {
  return PAYMENT_METHODS.find((method) => method.id === id)
}

/** The method used for embedded (SessionId) card payments. */
export const EMBEDDED_CARD_METHOD_ID = 2

/** Service charge of a method for an amount, in minor units, rounded half up. */
export function serviceChargeMinor(method: PaymentMethod, amountMinor: number, currency: CurrencyCode): number {
  // amount × basis points can pass 2^53 within MAX_MINOR_UNITS; splitting off whole multiples of
  // 10 000 keeps every intermediate exact (amount = q·10 000 + r, 0 ≤ r < 10 000).
  const q = Math.floor(amountMinor / 10_000)
  const r = amountMinor - q * 10_000
  const percentage = q * method.feeBasisPoints + Math.floor((r * method.feeBasisPoints + 5_000) / 10_000)
  const exponent = getCurrency(currency).exponent
  // The fixed part is defined in thousandths of a major unit; scale it to the currency.
  const fixed = Math.round(method.feeFixedThousandths / 10 ** (3 - exponent))
  return percentage + fixed
}
