import { describe, expectTypeOf, it } from 'vitest'

import type {
  AdvanceClockData,
  AdvanceClockRequest,
  CallOptions,
  DirectPaymentData,
  ExecutePaymentData,
  ExecutePaymentRequest,
  FieldError,
  GetRecurringPaymentData,
  MakeRefundData,
  MyFatoorahClientOptions,
  RecurringPayment,
  RefundStatusItem,
  SendPaymentData,
  UpdatePaymentStatusData,
  UpdateSessionData,
  V1RecurringEvent,
  V1RefundEvent,
  V1TransactionEvent,
  V2PaymentStatusEvent,
  V2RecurringEvent,
  V2RefundEvent,
  WebhookBody,
  WebhookChaosData,
  WebhookEvent,
  WebhookLogItem,
} from '../../src/sdk/index.js'
import { MyFatoorahClient, MyFatoorahError, parseWebhookEvent, verifyWebhookSignature } from '../../src/sdk/index.js'
import type { AdvanceClockData as ServerAdvanceClockData } from '../../src/services/advance-sandbox-clock.js'
import type { DirectPaymentData as ServerDirectPaymentData } from '../../src/services/direct-payment.js'
import type { RecurringPaymentView } from '../../src/services/get-recurring-payment.js'
import type { RefundStatusItem as ServerRefundStatusItem } from '../../src/services/get-refund-status.js'
import type { WebhookLogItem as ServerWebhookLogItem } from '../../src/services/get-webhooks.js'
import type { MakeRefundData as ServerMakeRefundData } from '../../src/services/make-refund.js'
import type { SendPaymentData as ServerSendPaymentData } from '../../src/services/send-payment.js'
import type { WebhookChaosData as ServerWebhookChaosData } from '../../src/services/set-webhook-chaos.js'
import type { UpdatePaymentStatusData as ServerUpdatePaymentStatusData } from '../../src/services/update-payment-status.js'
import type { UpdateSessionData as ServerUpdateSessionData } from '../../src/services/update-session.js'
import type * as Wire from '../../src/webhooks/wire-shapes.js'

/**
 * Type tests of dawri/sdk's public types, checked by `tsc` (npm test runs it before vitest):
 * webhook bodies identical to the ones dawri's renderers produce, every answer type the server's
 * services declare fits the SDK's, and the calls a user writes compile or are refused as meant.
 */

describe('dawri/sdk public types', () => {
  it('webhook bodies are exactly the server’s wire shapes', () => {
    expectTypeOf<V1TransactionEvent>().toEqualTypeOf<Wire.V1TransactionEvent>()
    expectTypeOf<V1RecurringEvent>().toEqualTypeOf<Wire.V1RecurringEvent>()
    expectTypeOf<V1RefundEvent>().toEqualTypeOf<Wire.V1RefundEvent>()
    expectTypeOf<V2PaymentStatusEvent>().toEqualTypeOf<Wire.V2PaymentStatusEvent>()
    expectTypeOf<V2RecurringEvent>().toEqualTypeOf<Wire.V2RecurringEvent>()
    expectTypeOf<V2RefundEvent>().toEqualTypeOf<Wire.V2RefundEvent>()
    expectTypeOf<WebhookBody>().toEqualTypeOf<Wire.WebhookBody>()
  })

  it('answers the server’s services declare fit the SDK’s answer types', () => {
    expectTypeOf<ServerSendPaymentData>().toMatchTypeOf<SendPaymentData>()
    expectTypeOf<ServerMakeRefundData>().toMatchTypeOf<MakeRefundData>()
    expectTypeOf<ServerRefundStatusItem>().toMatchTypeOf<RefundStatusItem>()
    expectTypeOf<ServerUpdatePaymentStatusData>().toMatchTypeOf<UpdatePaymentStatusData>()
    expectTypeOf<ServerAdvanceClockData>().toMatchTypeOf<AdvanceClockData>()
    expectTypeOf<ServerWebhookChaosData>().toMatchTypeOf<WebhookChaosData>()
    expectTypeOf<ServerDirectPaymentData>().toMatchTypeOf<DirectPaymentData>()
    expectTypeOf<ServerUpdateSessionData>().toMatchTypeOf<UpdateSessionData>()
    expectTypeOf<RecurringPaymentView>().toMatchTypeOf<RecurringPayment>()
    expectTypeOf<ServerWebhookLogItem>().toMatchTypeOf<WebhookLogItem>()
  })

  it('methods take MyFatoorah’s request fields and resolve to the typed Data', () => {
    const client = new MyFatoorahClient({ apiKey: 'SK_KWT_x', baseUrl: 'http://127.0.0.1:8080' })
    expectTypeOf(client.executePayment).parameter(0).toEqualTypeOf<ExecutePaymentRequest>()
    expectTypeOf(client.executePayment).parameter(1).toEqualTypeOf<CallOptions | undefined>()
    expectTypeOf(client.executePayment).returns.resolves.toEqualTypeOf<ExecutePaymentData>()
    expectTypeOf(client.getRecurringPayment).returns.resolves.toEqualTypeOf<GetRecurringPaymentData>()
    expectTypeOf(client.cancelRecurringPayment).parameter(0).toEqualTypeOf<{ readonly recurringId: string }>()
    expectTypeOf(client.cancelRecurringPayment).returns.resolves.toEqualTypeOf<boolean>()
    expectTypeOf(client.sandbox.advanceClock).returns.resolves.toEqualTypeOf<AdvanceClockData>()
    expectTypeOf(client.directPayment).parameter(0).toEqualTypeOf<string>()

    // Compile-time only: these calls must be refused by tsc.
    const refused = () => {
      // @ts-expect-error InvoiceValue is required
      void client.executePayment({ PaymentMethodId: 2 })
      // @ts-expect-error a misspelt field is refused
      void client.executePayment({ InvoiceValue: 10, InvoiceValu: 10 })
      // @ts-expect-error RecurringType is one of Custom, Daily, Weekly, Monthly
      void client.executePayment({ InvoiceValue: 10, RecurringModel: { RecurringType: 'Yearly' } })
      // @ts-expect-error recurringId, as MyFatoorah names the query parameter
      void client.cancelRecurringPayment({ RecurringId: 'RECUR1' })
      // @ts-expect-error Days or Until, not both
      void client.sandbox.advanceClock({ Days: 1, Until: '2030-01-01T00:00:00' })
      // @ts-expect-error KeyType is InvoiceId, PaymentId or CustomerReference
      void client.getPaymentStatus({ Key: 1, KeyType: 'OrderId' })
    }
    expectTypeOf(refused).returns.toBeVoid()
    expectTypeOf<AdvanceClockRequest>().toMatchTypeOf<{ readonly Days?: number; readonly Until?: string }>()
  })

  it('client options: a base URL, or a country and an environment, never both', () => {
    expectTypeOf<{ apiKey: string; baseUrl: string }>().toMatchTypeOf<MyFatoorahClientOptions>()
    expectTypeOf<{ apiKey: string; country: 'SAU'; environment: 'live'; retries: 3; timeoutMs: 5000 }>().toMatchTypeOf<MyFatoorahClientOptions>()
    expectTypeOf<{ apiKey: string; baseUrl: string; country: 'KWT'; environment: 'test' }>().not.toMatchTypeOf<MyFatoorahClientOptions>()
    expectTypeOf<{ apiKey: string; country: 'KWT' }>().not.toMatchTypeOf<MyFatoorahClientOptions>()
    expectTypeOf<{ apiKey: string; country: 'KWT'; environment: 'staging' }>().not.toMatchTypeOf<MyFatoorahClientOptions>()
    expectTypeOf<{ apiKey: string; country: 'XYZ'; environment: 'live' }>().not.toMatchTypeOf<MyFatoorahClientOptions>()
  })

  it('errors carry the HTTP status, the Message, the ValidationErrors and the envelope', () => {
    expectTypeOf<MyFatoorahError['status']>().toEqualTypeOf<number>()
    expectTypeOf<MyFatoorahError['message']>().toEqualTypeOf<string>()
    expectTypeOf<MyFatoorahError['validationErrors']>().toEqualTypeOf<readonly FieldError[]>()
    expectTypeOf<FieldError>().toEqualTypeOf<{ readonly Name: string; readonly Error: string }>()
    expectTypeOf<NonNullable<MyFatoorahError['envelope']>['Message']>().toEqualTypeOf<string | null>()
  })

  it('webhook helpers: verify from raw body and headers; parsed events narrow on kind and version', () => {
    expectTypeOf(verifyWebhookSignature).parameter(0).toEqualTypeOf<string | Uint8Array>()
    expectTypeOf(verifyWebhookSignature).parameter(2).toEqualTypeOf<string>()
    expectTypeOf(verifyWebhookSignature).returns.toEqualTypeOf<boolean>()
    expectTypeOf<Record<string, string | string[] | undefined>>().toMatchTypeOf<Parameters<typeof verifyWebhookSignature>[1]>()
    expectTypeOf<Headers>().toMatchTypeOf<Parameters<typeof verifyWebhookSignature>[1]>()
    expectTypeOf(parseWebhookEvent).returns.toEqualTypeOf<WebhookEvent>()
    const narrow = (event: WebhookEvent) => {
      if (event.kind === 'refund' && event.version === 'v2') expectTypeOf(event.body).toEqualTypeOf<V2RefundEvent>()
      if (event.kind === 'recurring' && event.version === 'v1') expectTypeOf(event.body.Data.RecurringStatus).toEqualTypeOf<'DRAFT' | 'ACTIVE' | 'COMPLETED' | 'UNCOMPLETED' | 'CANCELED'>()
      if (event.kind === 'payment') expectTypeOf(event.body).toEqualTypeOf<V1TransactionEvent | V2PaymentStatusEvent>()
    }
    expectTypeOf(narrow).returns.toBeVoid()
  })
})
