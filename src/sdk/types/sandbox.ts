/** `POST /v2/sandbox/AdvanceClock`: move the account's clock forward (one of Days or Until). */
export type AdvanceClockRequest =
  | { readonly Days: number; readonly Until?: undefined }
  | { readonly Until: string; readonly Days?: undefined }

/** `Data` of AdvanceClock: what ran while the clock moved. */
export interface AdvanceClockData {
  /** The account's new local time. */
  readonly Now: string
  readonly Charges: number
  readonly Approved: number
  readonly Declined: number
  readonly Retries: number
  readonly StatusChanges: number
  readonly WebhookAttempts: number
  readonly WebhooksDelivered: number
  readonly WebhooksFailed: number
}

/** `GET /v2/sandbox/Notifications`: the e-mails and SMS the sandbox would have sent. */
export interface NotificationsRequest {
  readonly PageSize?: number
  /** `NextBefore` of the previous page. */
  readonly Before?: number
  readonly InvoiceId?: number
}

/** One e-mail or SMS of the outbox. */
export interface SandboxNotification {
  readonly NotificationId: number
  readonly InvoiceId: number
  readonly Channel: 'EML' | 'SMS'
  readonly Recipient: string
  readonly Language: 'EN' | 'AR'
  readonly Subject: string | null
  readonly Body: string
  readonly InvoiceURL: string
  readonly CreatedDate: string
}

/** `Data` of Notifications: newest first. */
export interface NotificationsData {
  readonly Notifications: readonly SandboxNotification[]
  /** Pass as `Before` for the next (older) page; null on the last page. */
  readonly NextBefore: number | null
}

/** `POST /v2/sandbox/WebhookChaos`: make deliveries misbehave (probabilities 0–1). */
export interface WebhookChaosRequest {
  readonly DropProbability?: number
  readonly DuplicateProbability?: number
  readonly DelayProbability?: number
  readonly MaxDelaySeconds?: number
  readonly ReorderProbability?: number
}

/** `Data` of WebhookChaos: the settings now in force. */
export interface WebhookChaosData {
  readonly DropProbability: number
  readonly DuplicateProbability: number
  readonly DelayProbability: number
  readonly MaxDelaySeconds: number
  readonly ReorderProbability: number
  readonly Enabled: boolean
}
