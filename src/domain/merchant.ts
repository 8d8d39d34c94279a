import { getCountry, type CountryCode } from './countries.js'
import type { CurrencyCode } from './currencies.js'

/** Webhook envelope versions a merchant can choose (reference §7). */
export const WEBHOOK_VERSIONS = ['v1', 'v2'] as const
export type WebhookVersion = (typeof WEBHOOK_VERSIONS)[number]

/** A merchant account, as services see it. */
export interface Merchant {
  readonly id: number
  readonly name: string
  readonly country: CountryCode
  /** Base currency, from the country. */
  readonly currency: CurrencyCode
  /** IANA zone of the country; API dates are local times of this zone. */
  readonly timeZone: string
  readonly recurringEnabled: boolean
  readonly bypass3dsEnabled: boolean
  /** ProcessingDetails.AutoCapture false (authorise now, capture or release later) may be used. */
  readonly authorizeCaptureEnabled: boolean
  readonly webhookUrl: string | null
  readonly webhookVersion: WebhookVersion
  readonly webhookSecret: string
  /** Sandbox clock offset in ms; the merchant's "now" is real time plus this. */
  readonly clockOffsetMs: number
}

/** The merchant's current time: real time plus its sandbox offset. */
export function merchantNow(realNow: number, merchant: Pick<Merchant, 'clockOffsetMs'>): number {
  return realNow + merchant.clockOffsetMs
}

/** Time zone of a country's merchants. */
export function timeZoneOf(country: CountryCode): string {
  return getCountry(country).timeZone
}
