/** Delivery statuses of the webhook log. */
export type WebhookLogStatus = 'Waiting' | 'Running' | 'Succeeded' | 'Failed' | 'Skipped'

/** `POST /v2/GetWebhooks`: the account's webhook events and their delivery attempts. */
export interface GetWebhooksRequest {
  /** ISO time: events created at or after. */
  readonly Start?: string
  readonly End?: string
  readonly Page?: number
  readonly PageSize?: number
  /** An event name such as `PAYMENT_STATUS_CHANGED` or `RecurringStatusChanged`. */
  readonly EventType?: string
  readonly Status?: WebhookLogStatus
  readonly Key?: ReadonlyArray<string | number>
  readonly KeyType?: 'InvoiceId' | 'CustomerReference' | 'WebhookReference'
}

/** One delivery attempt of an event. */
export interface WebhookAttempt {
  readonly Date: string
  /** HTTP status the endpoint answered; null when it could not be reached. */
  readonly Status: number | null
  readonly ResponseMessage: string | null
  /** Milliseconds. */
  readonly Duration: number
}

/** One webhook event of the log. */
export interface WebhookLogItem {
  /** `WH-<n>`, the v2 `Event.Reference`; n counts this account's own events (1, 2, 3…). */
  readonly WebhookReference: string
  readonly EventCode: number
  readonly EventName: string
  /** InvoiceId (payment, refund events) or RecurringId (recurring events). */
  readonly EventEntityId: string
  readonly EndPoint: string | null
  /** `MyFatoorah-Signature` of the body under the account's current secret. */
  readonly Signature: string
  /** The body exactly as sent (see `parseWebhookEvent`). */
  readonly Data: unknown
  readonly Status: WebhookLogStatus
  readonly CreationDate: string
  readonly Attempts: readonly WebhookAttempt[]
}

/** `Data` of GetWebhooks. */
export interface GetWebhooksData {
  readonly Items: readonly WebhookLogItem[]
  readonly Pagination: {
    readonly PageSize: number
    readonly PageNumber: number
    readonly PagesCount: number
    readonly ItemsCount: number
  }
}

/** `POST /v2/ResendWebhook`: send one event again. */
export interface ResendWebhookRequest {
  /** `WH-<n>`: this account's event of that number. */
  readonly Reference: string
}
